package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.Key;
import javacardx.crypto.Cipher;

/**
 * AES and DES/3DES ciphers in ECB, CBC and CTR modes with no padding, ISO 9797 method 1 or 2, or
 * PKCS#5. Whole blocks go to the block cipher native as soon as they are complete; the chaining
 * value and the partial block stay in CLEAR_ON_RESET memory (never in a transaction), and a reset
 * brings the object back to the IV given at init().
 */
final class BlockCipherImpl extends Cipher implements Forgettable {
  private static final short LIVE = 0;
  private static final short BUFFERED = 1;
  private static final short CHAIN = 2;
  private static final short BUFFER = 18;
  private static final short SCRATCH = 34;
  private static final short RUN_SIZE = 50;

  private final byte algorithm;
  private final byte cipherAlgorithm;
  private final byte padding;
  /** The Primitives mode (AES_ECB ... DES_CBC). */
  private final byte primitive;
  private final short block;
  private final boolean aes;
  private final InitState state;
  /** [0] live, [1] bytes buffered, [2..18) chaining value or counter, [18..34) buffer, [34..50) scratch. */
  private final byte[] run = JCSystem.makeTransientByteArray(RUN_SIZE, JCSystem.CLEAR_ON_RESET);

  BlockCipherImpl(byte algorithm, byte cipherAlgorithm, byte padding, byte primitive, boolean oneShot) {
    this.algorithm = algorithm;
    this.cipherAlgorithm = cipherAlgorithm;
    this.padding = padding;
    this.primitive = primitive;
    aes = primitive == Primitives.AES_ECB || primitive == Primitives.AES_CBC || primitive == Primitives.AES_CTR;
    block = aes ? (short) 16 : (short) 8;
    state = new InitState(oneShot);
  }

  private boolean ctr() {
    return primitive == Primitives.AES_CTR;
  }

  private boolean ecb() {
    return primitive == Primitives.AES_ECB || primitive == Primitives.DES_ECB;
  }

  public void forget() {
    state.forget();
    Memory.zero(run, (short) 0, RUN_SIZE);
  }

  public void init(Key theKey, byte theMode) throws CryptoException {
    init(theKey, theMode, null, (short) 0, (short) 0);
  }

  public void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen) throws CryptoException {
    if (theMode != MODE_ENCRYPT && theMode != MODE_DECRYPT) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    if (aes ? !(theKey instanceof AesKeyImpl) : !(theKey instanceof DesKeyImpl)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) theKey).requireInitialized();
    if (bArray != null) {
      Bounds.check(bArray, bOff, bLen);
      if (ecb() || bLen != block) {
        CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
      }
    }
    state.set(theKey, theMode, bArray, bOff, bLen);
    Memory.zero(run, (short) 0, RUN_SIZE);
  }

  public byte getAlgorithm() {
    return algorithm;
  }

  public byte getCipherAlgorithm() {
    return cipherAlgorithm;
  }

  public byte getPaddingAlgorithm() {
    return padding;
  }

  /** The key, checked: initialized object and initialized key. */
  private SecretKeyImpl key() {
    if (!state.initialized()) {
      CryptoException.throwIt(CryptoException.INVALID_INIT);
    }
    SecretKeyImpl key = (SecretKeyImpl) state.key();
    key.requireInitialized();
    return key;
  }

  /** Starts the running state from the init() IV after init, a final call or a reset. */
  private void ensureLive() {
    if (run[LIVE] == 0) {
      state.loadIv(run, CHAIN, block);
      run[BUFFERED] = 0;
      run[LIVE] = 1;
    }
  }

  private boolean encrypting() {
    return state.mode() == MODE_ENCRYPT || ctr();
  }

  private void crypt(SecretKeyImpl key, byte[] in, short inOff, short length, byte[] out, short outOff) {
    Primitives.blockCipher(primitive, encrypting(), key.data, (short) 0, key.length(), run, CHAIN, in, inOff, length,
        out, outOff);
  }

  /**
   * Ciphers whole blocks until only {@code keep} bytes of (buffer + input) remain, which stay
   * buffered. Returns the number of bytes written.
   */
  private short process(SecretKeyImpl key, byte[] in, short inOff, short inLen, byte[] out, short outOff, int keep) {
    short buffered = run[BUFFERED];
    short whole = (short) (buffered + inLen - keep);
    if (whole > 0) {
      Bounds.check(out, outOff, whole);
      short written = 0;
      if (buffered > 0) {
        short need = (short) (block - buffered);
        Util.arrayCopyNonAtomic(in, inOff, run, (short) (BUFFER + buffered), need);
        crypt(key, run, BUFFER, block, out, outOff);
        written = block;
        inOff += need;
        inLen -= need;
        buffered = 0;
      }
      short direct = (short) (whole - written);
      if (direct > 0) {
        crypt(key, in, inOff, direct, out, (short) (outOff + written));
        inOff += direct;
        inLen -= direct;
      }
    }
    Util.arrayCopyNonAtomic(in, inOff, run, (short) (BUFFER + buffered), inLen);
    run[BUFFERED] = (byte) (buffered + inLen);
    return whole > 0 ? whole : 0;
  }

  public short update(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    SecretKeyImpl key = key();
    Bounds.check(inBuff, inOffset, inLength);
    ensureLive();
    int total = run[BUFFERED] + inLength;
    int keep = total % block;
    if (!encrypting() && Padding.removable(padding) && keep == 0 && total > 0) {
      keep = block; // the last block holds the padding: keep it for doFinal
    }
    return process(key, inBuff, inOffset, inLength, outBuff, outOffset, keep);
  }

  public short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    SecretKeyImpl key = key();
    Bounds.check(inBuff, inOffset, inLength);
    ensureLive();
    int total = run[BUFFERED] + inLength;
    short result;
    if (ctr()) {
      Bounds.check(outBuff, outOffset, (short) total);
      short written = process(key, inBuff, inOffset, inLength, outBuff, outOffset, total % block);
      short tail = run[BUFFERED];
      if (tail > 0) {
        crypt(key, run, BUFFER, tail, outBuff, (short) (outOffset + written));
      }
      result = (short) total;
    } else if (state.mode() == MODE_ENCRYPT) {
      int padded = Padding.paddedLength(padding, total, block);
      if (padded < 0) {
        CryptoException.throwIt(CryptoException.ILLEGAL_USE);
      }
      Bounds.check(outBuff, outOffset, (short) padded);
      short written = process(key, inBuff, inOffset, inLength, outBuff, outOffset, total % block);
      if (padded > written) {
        short tail = run[BUFFERED];
        Util.arrayCopyNonAtomic(run, BUFFER, run, SCRATCH, tail);
        Padding.pad(padding, run, SCRATCH, tail, block);
        crypt(key, run, SCRATCH, block, outBuff, (short) (outOffset + written));
      }
      result = (short) padded;
    } else {
      if (total % block != 0 || (total == 0 && Padding.removable(padding))) {
        CryptoException.throwIt(CryptoException.ILLEGAL_USE);
      }
      if (!Padding.removable(padding)) {
        Bounds.check(outBuff, outOffset, (short) total);
        result = process(key, inBuff, inOffset, inLength, outBuff, outOffset, 0);
      } else {
        Bounds.check(outBuff, outOffset, (short) (total - block));
        short written = process(key, inBuff, inOffset, inLength, outBuff, outOffset, block);
        crypt(key, run, BUFFER, block, run, SCRATCH);
        short last = Padding.unpaddedLength(padding, run, SCRATCH, block);
        if (last < 0) {
          Memory.zero(run, (short) 0, RUN_SIZE);
          CryptoException.throwIt(CryptoException.ILLEGAL_USE);
        }
        Bounds.check(outBuff, (short) (outOffset + written), last);
        Util.arrayCopyNonAtomic(run, SCRATCH, outBuff, (short) (outOffset + written), last);
        result = (short) (written + last);
      }
    }
    Memory.zero(run, (short) 0, RUN_SIZE);
    return result;
  }
}
