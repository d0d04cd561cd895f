package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.security.CryptoException;
import javacard.security.Key;
import javacardx.crypto.AEADCipher;

/**
 * AES-GCM (NIST SP 800-38D) and AES-CCM (NIST SP 800-38C) computed by OpenSSL in the VM. The
 * parameters of init() live in {@link InitState}; the running message lives in the VM's side table
 * keyed by this object (RAM only): a card reset drops it, and the phase below (CLEAR_ON_RESET) with
 * it, which returns the engine to the state right after init() (same key and nonce).
 *
 * <p>GCM: nonces of 1 to 16 bytes (12 is the usual), tags of 4, 8 or 12 to 16 bytes; associated data
 * first, then the message, update() returning as many bytes as it is given. CCM: nonces of 7 to 13
 * bytes, tags of 4 to 16 bytes (even), and the lengths of the associated data and of the message
 * announced at init() (CCM authenticates them first), so only the eight-argument init() is accepted;
 * the message is kept until doFinal(), which returns all of the output, and the parts must add up to
 * exactly the announced lengths. The tag is read (encryption) or checked (decryption) after doFinal().
 */
final class AeadImpl extends AEADCipher implements Forgettable {
  private static final byte PHASE_NONE = 0;
  private static final byte PHASE_AAD = 1;
  private static final byte PHASE_DATA = 2;
  private static final byte PHASE_ENCRYPTED = 3;
  private static final byte PHASE_DECRYPTED = 4;

  private final byte algorithm;
  private final InitState state;
  private final byte[] phase = JCSystem.makeTransientByteArray((short) 1, JCSystem.CLEAR_ON_RESET);

  AeadImpl(byte algorithm, boolean oneShot) {
    this.algorithm = algorithm;
    state = new InitState(oneShot);
  }

  private boolean ccm() {
    return algorithm == ALG_AES_CCM;
  }

  public void forget() {
    state.forget();
    phase[0] = PHASE_NONE;
    abandon();
  }

  /** An AEAD cipher needs a nonce: ILLEGAL_USE. */
  public void init(Key theKey, byte theMode) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
  }

  /** GCM with a 16-byte tag; CCM needs the lengths of the associated data and of the message: ILLEGAL_USE. */
  public void init(Key theKey, byte theMode, byte[] nonceBuf, short nonceOff, short nonceLen) throws CryptoException {
    if (ccm()) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    init(theKey, theMode, nonceBuf, nonceOff, nonceLen, (short) 0, (short) 0, (short) 16);
  }

  public void init(Key theKey, byte theMode, byte[] nonceBuf, short nonceOff, short nonceLen, short adataLen,
      short messageLen, short tagSize) throws CryptoException {
    if (theMode != MODE_ENCRYPT && theMode != MODE_DECRYPT) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    if (!(theKey instanceof AesKeyImpl)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    Bounds.check(nonceBuf, nonceOff, nonceLen);
    boolean nonceOk = ccm() ? nonceLen >= 7 && nonceLen <= 13 : nonceLen >= 1 && nonceLen <= InitState.MAX_IV;
    boolean tagOk = ccm() ? tagSize >= 4 && tagSize <= 16 && tagSize % 2 == 0
        : tagSize == 4 || tagSize == 8 || (tagSize >= 12 && tagSize <= 16);
    if (!nonceOk || !tagOk || adataLen < 0 || messageLen < 0) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) theKey).requireInitialized();
    state.set(theKey, theMode, nonceBuf, nonceOff, nonceLen, (byte) tagSize, adataLen, messageLen);
    phase[0] = PHASE_NONE;
    abandon();
  }

  public byte getAlgorithm() {
    return algorithm;
  }

  public byte getCipherAlgorithm() {
    return ccm() ? CIPHER_AES_CCM : CIPHER_AES_GCM;
  }

  public byte getPaddingAlgorithm() {
    return PAD_NULL;
  }

  private AesKeyImpl key() {
    if (!state.initialized()) {
      CryptoException.throwIt(CryptoException.INVALID_INIT);
    }
    AesKeyImpl key = (AesKeyImpl) state.key();
    key.requireInitialized();
    return key;
  }

  /** Starts a message with the parameters of init() when none runs (first use, or after doFinal). */
  private void begin() {
    AesKeyImpl key = key();
    if (phase[0] == PHASE_AAD || phase[0] == PHASE_DATA) {
      return;
    }
    start(ccm(), state.mode() == MODE_ENCRYPT, key.data, key.length(), state.config, InitState.ivOffset(),
        state.ivLength(), state.extra(), state.firstExtra(), state.secondExtra());
    phase[0] = PHASE_AAD;
  }

  public void updateAAD(byte[] aadBuf, short aadOff, short aadLen) throws CryptoException {
    Bounds.check(aadBuf, aadOff, aadLen);
    begin();
    if (phase[0] != PHASE_AAD) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    aad(aadBuf, aadOff, aadLen);
  }

  public short update(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    Bounds.check(inBuff, inOffset, inLength);
    begin();
    phase[0] = PHASE_DATA;
    return data(inBuff, inOffset, inLength, outBuff, outOffset, false);
  }

  public short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    Bounds.check(inBuff, inOffset, inLength);
    begin();
    phase[0] = PHASE_DATA;
    short written = data(inBuff, inOffset, inLength, outBuff, outOffset, true);
    phase[0] = state.mode() == MODE_DECRYPT ? PHASE_DECRYPTED : PHASE_ENCRYPTED;
    return written;
  }

  public short retrieveTag(byte[] tagBuf, short tagOff, short tagLen) throws CryptoException {
    key();
    if (phase[0] != PHASE_ENCRYPTED) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    if (tagLen < 1 || tagLen > state.extra()) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    Bounds.check(tagBuf, tagOff, tagLen);
    return tag(tagBuf, tagOff, tagLen);
  }

  public boolean verifyTag(byte[] receivedTagBuf, short receivedTagOff, short receivedTagLen, short requiredTagLen)
      throws CryptoException {
    key();
    if (phase[0] != PHASE_DECRYPTED) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    if (requiredTagLen < 1 || requiredTagLen > state.extra()) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    Bounds.check(receivedTagBuf, receivedTagOff, receivedTagLen);
    if (receivedTagLen < requiredTagLen) {
      return false;
    }
    return verify(receivedTagBuf, receivedTagOff, requiredTagLen);
  }

  /** Starts the running message in the VM (replacing any). */
  private native void start(boolean ccm, boolean encrypt, byte[] key, short keyLength, byte[] config,
      short nonceOffset, short nonceLength, short tagSize, short aadLength, short messageLength);

  /** Adds associated data (CCM: kept, at most the announced length). */
  private native void aad(byte[] in, short offset, short length);

  /** Adds message bytes and writes the output ready so far; {@code last} ends the message. */
  private native short data(byte[] in, short offset, short length, byte[] out, short outOffset, boolean last);

  /** Writes the leading {@code length} bytes of the encryption's tag. */
  private native short tag(byte[] out, short offset, short length);

  /** Whether {@code length} bytes at {@code offset} are the leading bytes of the decrypted message's tag. */
  private native boolean verify(byte[] tag, short offset, short length);

  /** Drops the running message. */
  private native void abandon();
}
