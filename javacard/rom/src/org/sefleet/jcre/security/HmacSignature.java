package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.Key;

/**
 * HMAC (RFC 2104) with SHA-1, SHA-256, SHA-384 or SHA-512 over the digest natives. The inner hash
 * runs in the digest's state; the padded key (K0 xor ipad) lives in CLEAR_ON_RESET memory only
 * while a message is in progress and is erased when it ends.
 */
final class HmacSignature extends SignatureBase {
  private static final short LIVE = 0;
  private static final short KEY_PAD = 1;
  private static final byte IPAD = 0x36;
  private static final byte IPAD_TO_OPAD = 0x36 ^ 0x5C;

  private final DigestImpl digest;
  private final short blockLength;
  private final short macLength;
  /** [0] live, [1..1+B) K0 xor ipad (then xor opad), [1+B..1+B+64) the inner hash. */
  private final byte[] run;

  HmacSignature(byte algorithm, byte digestAlgorithm, boolean oneShot) {
    super(algorithm, digestAlgorithm, SIG_CIPHER_HMAC, javacardx.crypto.Cipher.PAD_NULL, oneShot);
    digest = new DigestImpl(digestAlgorithm);
    blockLength = DigestImpl.blockOf(digestAlgorithm);
    macLength = DigestImpl.lengthOf(digestAlgorithm);
    run = JCSystem.makeTransientByteArray((short) (1 + blockLength + 64), JCSystem.CLEAR_ON_RESET);
  }

  void restart() {
    Memory.zero(run, (short) 0, (short) run.length);
    digest.reset();
  }

  public void init(Key theKey, byte theMode) throws CryptoException {
    requireMode(theMode);
    if (!(theKey instanceof HmacKeyImpl)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) theKey).requireInitialized();
    state.set(theKey, theMode, null, (short) 0, (short) 0);
    restart();
  }

  /** HMAC takes no IV. */
  public void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
  }

  public short getLength() throws CryptoException {
    key();
    return macLength;
  }

  /** Starts the inner hash with K0 xor ipad (K0: the key, hashed when longer than a block). */
  private void ensureLive(HmacKeyImpl key) {
    if (run[LIVE] != 0) {
      return;
    }
    short keyLength = key.length();
    Memory.zero(run, KEY_PAD, blockLength);
    digest.reset();
    if (keyLength > blockLength) {
      digest.doFinal(key.data, (short) 0, keyLength, run, KEY_PAD);
    } else {
      Util.arrayCopyNonAtomic(key.data, (short) 0, run, KEY_PAD, keyLength);
    }
    for (short i = 0; i < blockLength; i++) {
      run[(short) (KEY_PAD + i)] ^= IPAD;
    }
    digest.update(run, KEY_PAD, blockLength);
    run[LIVE] = 1;
  }

  public void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException {
    HmacKeyImpl key = (HmacKeyImpl) key();
    Bounds.check(inBuff, inOffset, inLength);
    ensureLive(key);
    digest.update(inBuff, inOffset, inLength);
  }

  /** Computes the MAC of the whole message into {@code out}, then erases the running state. */
  private void complete(HmacKeyImpl key, byte[] in, short inOff, short inLen, byte[] out, short outOff) {
    ensureLive(key);
    short inner = (short) (KEY_PAD + blockLength);
    digest.doFinal(in, inOff, inLen, run, inner);
    for (short i = 0; i < blockLength; i++) {
      run[(short) (KEY_PAD + i)] ^= IPAD_TO_OPAD;
    }
    digest.update(run, KEY_PAD, blockLength);
    digest.doFinal(run, inner, macLength, out, outOff);
  }

  public short sign(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset)
      throws CryptoException {
    HmacKeyImpl key = (HmacKeyImpl) key(MODE_SIGN);
    Bounds.check(inBuff, inOffset, inLength);
    Bounds.check(sigBuff, sigOffset, macLength);
    complete(key, inBuff, inOffset, inLength, sigBuff, sigOffset);
    restart();
    return macLength;
  }

  public boolean verify(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset,
      short sigLength) throws CryptoException {
    HmacKeyImpl key = (HmacKeyImpl) key(MODE_VERIFY);
    Bounds.check(inBuff, inOffset, inLength);
    Bounds.check(sigBuff, sigOffset, sigLength);
    short expected = (short) (KEY_PAD + blockLength);
    complete(key, inBuff, inOffset, inLength, run, expected);
    boolean valid = sigLength == macLength && Memory.equalsConstantTime(run, expected, sigBuff, sigOffset, macLength);
    restart();
    return valid;
  }

  /** HMAC cannot start from a digest computed elsewhere: ILLEGAL_USE. */
  public short signPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff, short sigOffset)
      throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    return 0;
  }

  /** HMAC cannot start from a digest computed elsewhere: ILLEGAL_USE. */
  public boolean verifyPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff,
      short sigOffset, short sigLength) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    return false;
  }
}
