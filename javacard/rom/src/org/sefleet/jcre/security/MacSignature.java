package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.Key;
import javacardx.crypto.Cipher;

/**
 * Block-cipher MACs: the CBC-MAC of ISO/IEC 9797-1 algorithm 1 with DES/3DES or AES (padding none,
 * method 1, method 2 or PKCS#5), algorithm 3 (the "retail MAC": single DES under K1, the last block
 * under the full two- or three-key 3DES) and AES-CMAC (NIST SP 800-38B). The last block of the
 * message is always held back until the final call (CMAC and algorithm 3 treat it differently); the
 * chaining value and the held block live in CLEAR_ON_RESET memory.
 */
final class MacSignature extends SignatureBase {
  static final byte CBC_MAC = 1;
  static final byte RETAIL_MAC = 2;
  static final byte CMAC = 3;

  private static final short LIVE = 0;
  private static final short BUFFERED = 1;
  private static final short CHAIN = 2;
  private static final short BUFFER = 18;
  private static final short SCRATCH = 34;
  private static final short SUBKEY = 50;
  private static final short RUN_SIZE = 66;

  private final byte kind;
  private final boolean aes;
  private final short block;
  private final short macLength;
  private final byte[] run = JCSystem.makeTransientByteArray(RUN_SIZE, JCSystem.CLEAR_ON_RESET);

  MacSignature(byte algorithm, byte cipher, byte padding, byte kind, short macLength, boolean oneShot) {
    super(algorithm, javacard.security.MessageDigest.ALG_NULL, cipher, padding, oneShot);
    this.kind = kind;
    this.macLength = macLength;
    aes = cipher == SIG_CIPHER_AES_MAC128 || cipher == SIG_CIPHER_AES_CMAC128;
    block = aes ? (short) 16 : (short) 8;
  }

  void restart() {
    Memory.zero(run, (short) 0, RUN_SIZE);
  }

  public void init(Key theKey, byte theMode) throws CryptoException {
    init(theKey, theMode, null, (short) 0, (short) 0);
  }

  /** The IV ({@code bArray}) must be one block; CMAC takes none. */
  public void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen) throws CryptoException {
    requireMode(theMode);
    if (aes ? !(theKey instanceof AesKeyImpl) : !(theKey instanceof DesKeyImpl)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    if (kind == RETAIL_MAC && ((KeyBase) theKey).size == 64) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) theKey).requireInitialized();
    if (bArray != null) {
      Bounds.check(bArray, bOff, bLen);
      if (kind == CMAC || bLen != block) {
        CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
      }
    }
    state.set(theKey, theMode, bArray, bOff, bLen);
    restart();
  }

  public short getLength() throws CryptoException {
    key();
    return macLength;
  }

  private void ensureLive() {
    if (run[LIVE] == 0) {
      state.loadIv(run, CHAIN, block);
      run[BUFFERED] = 0;
      run[LIVE] = 1;
    }
  }

  /** One CBC-MAC step over whole blocks: the chaining value moves on, nothing else is written. */
  private void chain(SecretKeyImpl key, boolean last, byte[] in, short offset, short length) {
    if (aes) {
      Primitives.blockCipher(Primitives.AES_CBC, true, key.data, (short) 0, key.length(), run, CHAIN, in, offset,
          length, null, (short) 0);
    } else {
      // Algorithm 3 runs single DES under K1 up to the last block.
      short keyLength = kind == RETAIL_MAC && !last ? (short) 8 : key.length();
      Primitives.blockCipher(Primitives.DES_CBC, true, key.data, (short) 0, keyLength, run, CHAIN, in, offset,
          length, null, (short) 0);
    }
  }

  /** Absorbs input, always keeping the last (possibly whole) block of the message buffered. */
  private void absorb(SecretKeyImpl key, byte[] in, short inOff, short inLen) {
    short buffered = run[BUFFERED];
    if ((short) (buffered + inLen) <= block) {
      Util.arrayCopyNonAtomic(in, inOff, run, (short) (BUFFER + buffered), inLen);
      run[BUFFERED] = (byte) (buffered + inLen);
      return;
    }
    if (buffered > 0) {
      short need = (short) (block - buffered);
      Util.arrayCopyNonAtomic(in, inOff, run, (short) (BUFFER + buffered), need);
      chain(key, false, run, BUFFER, block);
      inOff += need;
      inLen -= need;
    }
    short keep = (short) (inLen % block);
    if (keep == 0) {
      keep = block;
    }
    short direct = (short) (inLen - keep);
    if (direct > 0) {
      chain(key, false, in, inOff, direct);
    }
    Util.arrayCopyNonAtomic(in, (short) (inOff + direct), run, BUFFER, keep);
    run[BUFFERED] = (byte) keep;
  }

  public void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException {
    SecretKeyImpl key = (SecretKeyImpl) key();
    Bounds.check(inBuff, inOffset, inLength);
    ensureLive();
    absorb(key, inBuff, inOffset, inLength);
  }

  /** Doubling in GF(2^128) (CMAC subkeys), in place. */
  private static void doubleBlock(byte[] b, short offset) {
    byte carry = (byte) ((b[offset] & 0x80) != 0 ? 0x87 : 0);
    for (short i = 0; i < 15; i++) {
      short at = (short) (offset + i);
      b[at] = (byte) ((b[at] << 1) | ((b[(short) (at + 1)] >> 7) & 1));
    }
    short last = (short) (offset + 15);
    b[last] = (byte) ((b[last] << 1) ^ carry);
  }

  /** Completes the MAC of the whole message into the chaining value. */
  private void complete(SecretKeyImpl key, byte[] in, short inOff, short inLen) {
    ensureLive();
    absorb(key, in, inOff, inLen);
    short buffered = run[BUFFERED];
    if (kind == CMAC) {
      Memory.zero(run, SUBKEY, (short) 16);
      Primitives.blockCipher(Primitives.AES_ECB, true, key.data, (short) 0, key.length(), null, (short) 0, run,
          SUBKEY, (short) 16, run, SUBKEY);
      doubleBlock(run, SUBKEY); // K1
      if (buffered < block) {
        Padding.pad(Cipher.PAD_ISO9797_M2, run, BUFFER, buffered, block);
        doubleBlock(run, SUBKEY); // K2
      }
      for (short i = 0; i < 16; i++) {
        run[(short) (BUFFER + i)] ^= run[(short) (SUBKEY + i)];
      }
      chain(key, true, run, BUFFER, block);
      return;
    }
    byte padding = paddingAlgorithm;
    if (Padding.none(padding)) {
      if (buffered != block) {
        restart();
        CryptoException.throwIt(CryptoException.ILLEGAL_USE);
      }
      chain(key, true, run, BUFFER, block);
      return;
    }
    boolean oneBlockMore = buffered == block && Padding.paddedLength(padding, block, block) > block;
    if (oneBlockMore) {
      chain(key, false, run, BUFFER, block);
      buffered = 0;
    }
    if (buffered < block) {
      Padding.pad(padding, run, BUFFER, buffered, block);
    }
    chain(key, true, run, BUFFER, block);
  }

  public short sign(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset)
      throws CryptoException {
    SecretKeyImpl key = (SecretKeyImpl) key(MODE_SIGN);
    Bounds.check(inBuff, inOffset, inLength);
    Bounds.check(sigBuff, sigOffset, macLength);
    complete(key, inBuff, inOffset, inLength);
    Util.arrayCopyNonAtomic(run, CHAIN, sigBuff, sigOffset, macLength);
    restart();
    return macLength;
  }

  public boolean verify(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset,
      short sigLength) throws CryptoException {
    SecretKeyImpl key = (SecretKeyImpl) key(MODE_VERIFY);
    Bounds.check(inBuff, inOffset, inLength);
    Bounds.check(sigBuff, sigOffset, sigLength);
    complete(key, inBuff, inOffset, inLength);
    boolean valid = sigLength == macLength && Memory.equalsConstantTime(run, CHAIN, sigBuff, sigOffset, macLength);
    restart();
    return valid;
  }

  /** MACs have no message digest: ILLEGAL_USE. */
  public short signPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff, short sigOffset)
      throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    return 0;
  }

  /** MACs have no message digest: ILLEGAL_USE. */
  public boolean verifyPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff,
      short sigOffset, short sigLength) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    return false;
  }
}
