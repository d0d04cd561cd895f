package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.Key;
import javacardx.crypto.Cipher;

/**
 * RSA encryption and decryption: PKCS#1 v1.5 (block type 2 with a public key, block type 1 with a
 * private key, as cards do), OAEP (SHA-1 or SHA-2, MGF1 with the same hash, empty label; public key
 * encrypts, private key decrypts) and raw RSA. The whole message goes to doFinal: update() is
 * refused with ILLEGAL_USE.
 */
final class RsaCipherImpl extends Cipher implements Forgettable {
  private final byte algorithm;
  private final byte padding;
  private final InitState state;

  RsaCipherImpl(byte algorithm, byte padding, boolean oneShot) {
    this.algorithm = algorithm;
    this.padding = padding;
    state = new InitState(oneShot);
  }

  private boolean oaep() {
    return padding == PAD_PKCS1_OAEP || padding == PAD_PKCS1_OAEP_SHA224 || padding == PAD_PKCS1_OAEP_SHA256
        || padding == PAD_PKCS1_OAEP_SHA384 || padding == PAD_PKCS1_OAEP_SHA512;
  }

  public void forget() {
    state.forget();
  }

  public void init(Key theKey, byte theMode) throws CryptoException {
    if (theMode != MODE_ENCRYPT && theMode != MODE_DECRYPT) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    boolean isPublic = theKey instanceof RsaPublicKeyImpl;
    if (!isPublic && !(theKey instanceof RsaPrivateKeyImpl) && !(theKey instanceof RsaCrtKeyImpl)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    if (oaep() && isPublic != (theMode == MODE_ENCRYPT)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) theKey).requireInitialized();
    state.set(theKey, theMode, null, (short) 0, (short) 0);
  }

  /** RSA takes no IV. */
  public void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
  }

  public byte getAlgorithm() {
    return algorithm;
  }

  public byte getCipherAlgorithm() {
    return CIPHER_RSA;
  }

  public byte getPaddingAlgorithm() {
    return padding;
  }

  public short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    if (!state.initialized()) {
      CryptoException.throwIt(CryptoException.INVALID_INIT);
    }
    KeyBase key = (KeyBase) state.key();
    key.requireInitialized();
    Bounds.check(inBuff, inOffset, inLength);
    short modulusLength = RsaKeys.modulusLength(key);
    // Output is at most the modulus length; decryption may produce less, checked by the native.
    if (state.mode() == MODE_ENCRYPT || padding == PAD_NOPAD || padding == PAD_NULL) {
      Bounds.check(outBuff, outOffset, modulusLength);
    } else {
      Bounds.check(outBuff, outOffset, (short) 0);
    }
    byte nativePadding = padding == PAD_NULL ? PAD_NOPAD : padding;
    return Primitives.rsaCipher(RsaKeys.form(key), RsaKeys.first(key), RsaKeys.second(key), modulusLength,
        nativePadding, state.mode() == MODE_ENCRYPT, inBuff, inOffset, inLength, outBuff, outOffset);
  }

  /** RSA is a one-block cipher here: give the whole message to doFinal. */
  public short update(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    return 0;
  }
}
