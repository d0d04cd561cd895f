package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.security.CryptoException;
import javacard.security.MessageDigest;

/**
 * The hash-then-sign signatures (ECDSA, RSA): the message runs through a digest, and the signature
 * primitive signs or verifies the digest. With MessageDigest.ALG_NULL there is no digest: the
 * whole input of sign()/verify() is what gets signed, and update() is refused (ILLEGAL_USE).
 */
abstract class HashSignature extends SignatureBase {
  /** Null for ALG_NULL. */
  final DigestImpl digest;
  final byte[] hash = JCSystem.makeTransientByteArray((short) 64, JCSystem.CLEAR_ON_RESET);

  HashSignature(byte algorithm, byte digestAlgorithm, byte cipherAlgorithm, byte paddingAlgorithm, boolean oneShot) {
    super(algorithm, digestAlgorithm, cipherAlgorithm, paddingAlgorithm, oneShot);
    if (digestAlgorithm == MessageDigest.ALG_NULL) {
      digest = null;
    } else {
      digest = new DigestImpl(digestAlgorithm);
    }
  }

  void restart() {
    if (digest != null) {
      digest.reset();
    }
    Memory.zero(hash, (short) 0, (short) 64);
  }

  /** Signs a digest (or, without one, the data) into {@code sig}; returns the signature length. */
  abstract short signDigest(KeyBase key, byte[] in, short inOff, short inLen, byte[] sig, short sigOff);

  /** Verifies a signature of a digest (or, without one, of the data). */
  abstract boolean verifyDigest(KeyBase key, byte[] in, short inOff, short inLen, byte[] sig, short sigOff,
      short sigLen);

  public void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException {
    key();
    Bounds.check(inBuff, inOffset, inLength);
    if (digest == null) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    digest.update(inBuff, inOffset, inLength);
  }

  public short sign(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset)
      throws CryptoException {
    KeyBase key = key(MODE_SIGN);
    Bounds.check(inBuff, inOffset, inLength);
    Bounds.check(sigBuff, sigOffset, (short) 0);
    short length;
    if (digest == null) {
      length = signDigest(key, inBuff, inOffset, inLength, sigBuff, sigOffset);
    } else {
      short hashLength = digest.doFinal(inBuff, inOffset, inLength, hash, (short) 0);
      length = signDigest(key, hash, (short) 0, hashLength, sigBuff, sigOffset);
    }
    restart();
    return length;
  }

  public boolean verify(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset,
      short sigLength) throws CryptoException {
    KeyBase key = key(MODE_VERIFY);
    Bounds.check(inBuff, inOffset, inLength);
    Bounds.check(sigBuff, sigOffset, sigLength);
    boolean valid;
    if (digest == null) {
      valid = verifyDigest(key, inBuff, inOffset, inLength, sigBuff, sigOffset, sigLength);
    } else {
      short hashLength = digest.doFinal(inBuff, inOffset, inLength, hash, (short) 0);
      valid = verifyDigest(key, hash, (short) 0, hashLength, sigBuff, sigOffset, sigLength);
    }
    restart();
    return valid;
  }

  /** The digest length must be the algorithm's (any length without a digest). */
  private void checkHashLength(short hashLength) {
    if (digest != null ? hashLength != digest.length : hashLength < 1) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
  }

  public short signPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff, short sigOffset)
      throws CryptoException {
    KeyBase key = key(MODE_SIGN);
    Bounds.check(hashBuff, hashOff, hashLength);
    Bounds.check(sigBuff, sigOffset, (short) 0);
    checkHashLength(hashLength);
    restart();
    return signDigest(key, hashBuff, hashOff, hashLength, sigBuff, sigOffset);
  }

  public boolean verifyPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff,
      short sigOffset, short sigLength) throws CryptoException {
    KeyBase key = key(MODE_VERIFY);
    Bounds.check(hashBuff, hashOff, hashLength);
    Bounds.check(sigBuff, sigOffset, sigLength);
    checkHashLength(hashLength);
    restart();
    return verifyDigest(key, hashBuff, hashOff, hashLength, sigBuff, sigOffset, sigLength);
  }
}
