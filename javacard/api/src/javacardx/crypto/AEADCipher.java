package javacardx.crypto;

import javacard.security.CryptoException;
import javacard.security.Key;

/**
 * Authenticated encryption with associated data (AES-GCM, AES-CCM). Obtain instances through
 * {@code Cipher.getInstance(AEADCipher.ALG_AES_GCM, false)} and cast. The associated data is given
 * first ({@link #updateAAD}), then the message; the tag is read with {@link #retrieveTag} after
 * encryption and checked with {@link #verifyTag} after decryption.
 */
public abstract class AEADCipher extends Cipher {
  /** Cipher part: AES-GCM. */
  public static final byte CIPHER_AES_GCM = -15;
  /** Cipher part: AES-CCM. */
  public static final byte CIPHER_AES_CCM = -14;
  /** AES in Galois/Counter mode (NIST SP 800-38D). */
  public static final byte ALG_AES_GCM = -13;
  /** AES in CCM mode (NIST SP 800-38C). */
  public static final byte ALG_AES_CCM = -12;

  /** For subclasses. */
  protected AEADCipher() {
  }

  /**
   * Not enough for an AEAD cipher: a nonce is required.
   *
   * @throws CryptoException ILLEGAL_USE always
   */
  public abstract void init(Key theKey, byte theMode) throws CryptoException;

  /**
   * Initializes with a key and a nonce for a 16-byte tag, without announcing the lengths: GCM only
   * (nonces of 1 to 16 bytes on this card). CCM must know the lengths first and refuses this call
   * with ILLEGAL_USE.
   *
   * @throws CryptoException ILLEGAL_VALUE when the nonce length does not fit the algorithm
   */
  public abstract void init(Key theKey, byte theMode, byte[] nonceBuf, short nonceOff, short nonceLen)
      throws CryptoException;

  /**
   * Initializes with a key, a nonce (GCM: 1 to 16 bytes; CCM: 7 to 13), the lengths of the
   * associated data and of the message (CCM needs them; GCM ignores them) and the tag length in
   * bytes (GCM: 4, 8, 12 to 16; CCM: 4 to 16, even).
   *
   * @throws CryptoException ILLEGAL_VALUE for a nonce or tag length the algorithm does not allow
   */
  public abstract void init(Key theKey, byte theMode, byte[] nonceBuf, short nonceOff, short nonceLen,
      short adataLen, short messageLen, short tagSize) throws CryptoException;

  /**
   * Adds associated data; only before the first {@code update}/{@code doFinal}.
   *
   * @throws CryptoException ILLEGAL_USE after message data, INVALID_INIT when not initialized
   */
  public abstract void updateAAD(byte[] aadBuf, short aadOff, short aadLen) throws CryptoException;

  /** Processes message data; whole blocks are output, the rest is kept. */
  public abstract short update(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException;

  /** Processes the rest of the message and computes the tag. */
  public abstract short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException;

  /**
   * Copies the first {@code tagLen} bytes of the tag of the last encryption.
   *
   * @return the number of bytes copied
   * @throws CryptoException ILLEGAL_USE when no encryption has completed since init
   */
  public abstract short retrieveTag(byte[] tagBuf, short tagOff, short tagLen) throws CryptoException;

  /**
   * Compares (in constant time) the tag of the last decryption with {@code receivedTagBuf}.
   *
   * @param requiredTagLen the number of tag bytes that must match
   * @throws CryptoException ILLEGAL_USE when no decryption has completed since init
   */
  public abstract boolean verifyTag(byte[] receivedTagBuf, short receivedTagOff, short receivedTagLen,
      short requiredTagLen) throws CryptoException;
}
