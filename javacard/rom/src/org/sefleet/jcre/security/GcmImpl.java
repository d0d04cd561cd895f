package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.Key;
import javacardx.crypto.AEADCipher;

/**
 * AES-GCM (NIST SP 800-38D) over the AES-CTR and GHASH natives: nonces of 1 to 16 bytes (12 is the
 * usual), tags of 4, 8 or 12 to 16 bytes. Associated data first, then the message; the tag is read
 * (encryption) or checked (decryption) after doFinal. The running state lives in CLEAR_ON_RESET
 * memory; a card reset returns the object to the state right after init() (same key and nonce).
 */
final class GcmImpl extends AEADCipher implements Forgettable {
  private static final short LIVE = 0;
  private static final short PHASE = 1;
  private static final short AAD_BUFFERED = 2;
  private static final short DATA_BUFFERED = 3;
  private static final short H = 4;
  private static final short J0 = 20;
  private static final short COUNTER = 36;
  private static final short Y = 52;
  private static final short AAD_BUFFER = 68;
  private static final short DATA_BUFFER = 84;
  private static final short TAG = 100;
  private static final short AAD_LENGTH = 116;
  private static final short DATA_LENGTH = 120;
  private static final short SCRATCH = 124;
  private static final short RUN_SIZE = 140;

  private static final byte PHASE_AAD = 0;
  private static final byte PHASE_DATA = 1;
  private static final byte PHASE_ENCRYPTED = 2;
  private static final byte PHASE_DECRYPTED = 3;

  private final byte algorithm;
  private final InitState state;
  private final byte[] run = JCSystem.makeTransientByteArray(RUN_SIZE, JCSystem.CLEAR_ON_RESET);

  GcmImpl(byte algorithm, boolean oneShot) {
    this.algorithm = algorithm;
    state = new InitState(oneShot);
  }

  public void forget() {
    state.forget();
    Memory.zero(run, (short) 0, RUN_SIZE);
  }

  /** GCM needs a nonce: ILLEGAL_USE. */
  public void init(Key theKey, byte theMode) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
  }

  public void init(Key theKey, byte theMode, byte[] nonceBuf, short nonceOff, short nonceLen) throws CryptoException {
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
    if (nonceLen < 1 || nonceLen > InitState.MAX_IV || adataLen < 0 || messageLen < 0
        || !(tagSize == 4 || tagSize == 8 || (tagSize >= 12 && tagSize <= 16))) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) theKey).requireInitialized();
    state.set(theKey, theMode, nonceBuf, nonceOff, nonceLen, (byte) tagSize);
    Memory.zero(run, (short) 0, RUN_SIZE);
  }

  public byte getAlgorithm() {
    return algorithm;
  }

  public byte getCipherAlgorithm() {
    return CIPHER_AES_GCM;
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

  private void ghash(byte[] in, short offset, short length) {
    Primitives.ghash(run, H, run, Y, in, offset, length);
  }

  private static int readInt(byte[] b, short offset) {
    return ((b[offset] & 0xFF) << 24) | ((b[(short) (offset + 1)] & 0xFF) << 16)
        | ((b[(short) (offset + 2)] & 0xFF) << 8) | (b[(short) (offset + 3)] & 0xFF);
  }

  private static void writeInt(byte[] b, short offset, int value) {
    b[offset] = (byte) (value >>> 24);
    b[(short) (offset + 1)] = (byte) (value >>> 16);
    b[(short) (offset + 2)] = (byte) (value >>> 8);
    b[(short) (offset + 3)] = (byte) value;
  }

  /** Writes the 64-bit bit length of {@code length} bytes at {@code offset}. */
  private static void writeBitLength(byte[] b, short offset, int length) {
    writeInt(b, offset, length >>> 29);
    writeInt(b, (short) (offset + 4), length << 3);
  }

  /** Computes H, J0 and the first counter block from the key and the nonce of init(). */
  private void ensureLive(AesKeyImpl key) {
    if (run[LIVE] != 0 && run[PHASE] < PHASE_ENCRYPTED) {
      return;
    }
    Memory.zero(run, (short) 0, RUN_SIZE);
    Primitives.blockCipher(Primitives.AES_ECB, true, key.data, (short) 0, key.length(), null, (short) 0, run, H,
        (short) 16, run, H);
    short nonceLength = state.ivLength();
    short nonce = InitState.ivOffset();
    if (nonceLength == 12) {
      Util.arrayCopyNonAtomic(state.config, nonce, run, J0, (short) 12);
      run[(short) (J0 + 15)] = 1;
    } else {
      // J0 = GHASH(nonce padded to a block || 0^64 || [bit length]_64), accumulated in Y.
      Util.arrayCopyNonAtomic(state.config, nonce, run, SCRATCH, nonceLength);
      ghash(run, SCRATCH, (short) 16);
      Memory.zero(run, SCRATCH, (short) 16);
      writeBitLength(run, (short) (SCRATCH + 8), nonceLength);
      ghash(run, SCRATCH, (short) 16);
      Util.arrayCopyNonAtomic(run, Y, run, J0, (short) 16);
      Memory.zero(run, Y, (short) 16);
      Memory.zero(run, SCRATCH, (short) 16);
    }
    Util.arrayCopyNonAtomic(run, J0, run, COUNTER, (short) 16);
    writeInt(run, (short) (COUNTER + 12), readInt(run, (short) (COUNTER + 12)) + 1);
    run[PHASE] = PHASE_AAD;
    run[LIVE] = 1;
  }

  /**
   * AES-CTR over {@code length} bytes with GCM's counter, whose low 32 bits wrap without carrying
   * into the rest (the native counts in 128 bits, so a run that crosses the wrap is split).
   */
  private void ctr(AesKeyImpl key, byte[] in, short inOff, short length, byte[] out, short outOff) {
    short blocks = (short) ((short) (length + 15) / 16);
    int low = readInt(run, (short) (COUNTER + 12));
    int room = -low; // blocks before the low 32 bits wrap (unsigned; 0 means 2^32)
    if (low != 0 && room > 0 && room < blocks) {
      short first = (short) (room * 16);
      Util.arrayCopyNonAtomic(run, COUNTER, run, SCRATCH, (short) 12);
      Primitives.blockCipher(Primitives.AES_CTR, true, key.data, (short) 0, key.length(), run, COUNTER, in, inOff,
          first, out, outOff);
      Util.arrayCopyNonAtomic(run, SCRATCH, run, COUNTER, (short) 12);
      writeInt(run, (short) (COUNTER + 12), 0);
      inOff += first;
      outOff += first;
      length -= first;
    }
    Primitives.blockCipher(Primitives.AES_CTR, true, key.data, (short) 0, key.length(), run, COUNTER, in, inOff,
        length, out, outOff);
  }

  private void addLength(short offset, short length) {
    writeInt(run, offset, readInt(run, offset) + length);
  }

  public void updateAAD(byte[] aadBuf, short aadOff, short aadLen) throws CryptoException {
    AesKeyImpl key = key();
    Bounds.check(aadBuf, aadOff, aadLen);
    ensureLive(key);
    if (run[PHASE] != PHASE_AAD) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    addLength(AAD_LENGTH, aadLen);
    short buffered = run[AAD_BUFFERED];
    if (buffered > 0) {
      short take = (short) (16 - buffered);
      if (take > aadLen) {
        take = aadLen;
      }
      Util.arrayCopyNonAtomic(aadBuf, aadOff, run, (short) (AAD_BUFFER + buffered), take);
      buffered += take;
      aadOff += take;
      aadLen -= take;
      if (buffered < 16) {
        run[AAD_BUFFERED] = (byte) buffered;
        return;
      }
      ghash(run, AAD_BUFFER, (short) 16);
    }
    short whole = (short) (aadLen - aadLen % 16);
    if (whole > 0) {
      ghash(aadBuf, aadOff, whole);
    }
    Util.arrayCopyNonAtomic(aadBuf, (short) (aadOff + whole), run, AAD_BUFFER, (short) (aadLen - whole));
    run[AAD_BUFFERED] = (byte) (aadLen - whole);
  }

  /** Ends the associated data: its last partial block is padded with zeros. */
  private void startData() {
    if (run[PHASE] != PHASE_AAD) {
      return;
    }
    short buffered = run[AAD_BUFFERED];
    if (buffered > 0) {
      Memory.zero(run, (short) (AAD_BUFFER + buffered), (short) (16 - buffered));
      ghash(run, AAD_BUFFER, (short) 16);
      run[AAD_BUFFERED] = 0;
    }
    run[PHASE] = PHASE_DATA;
  }

  /** Whole blocks: GHASH always over the ciphertext (the output when encrypting, the input when decrypting). */
  private void blocks(AesKeyImpl key, byte[] in, short inOff, short length, byte[] out, short outOff) {
    if (state.mode() == MODE_DECRYPT) {
      ghash(in, inOff, length);
      ctr(key, in, inOff, length, out, outOff);
    } else {
      ctr(key, in, inOff, length, out, outOff);
      ghash(out, outOff, length);
    }
  }

  /** Processes whole blocks (and, when {@code last}, the final partial one); returns the bytes written. */
  private short data(AesKeyImpl key, byte[] in, short inOff, short inLen, byte[] out, short outOff, boolean last) {
    short buffered = run[DATA_BUFFERED];
    int total = buffered + inLen;
    short whole = (short) (total - total % 16);
    Bounds.check(out, outOff, last ? (short) total : whole);
    addLength(DATA_LENGTH, inLen);
    short written = 0;
    if (buffered > 0 && whole > 0) {
      short need = (short) (16 - buffered);
      Util.arrayCopyNonAtomic(in, inOff, run, (short) (DATA_BUFFER + buffered), need);
      blocks(key, run, DATA_BUFFER, (short) 16, out, outOff);
      written = 16;
      inOff += need;
      inLen -= need;
      buffered = 0;
    }
    short direct = (short) (whole - written);
    if (direct > 0) {
      blocks(key, in, inOff, direct, out, (short) (outOff + written));
      written += direct;
      inOff += direct;
      inLen -= direct;
    }
    Util.arrayCopyNonAtomic(in, inOff, run, (short) (DATA_BUFFER + buffered), inLen);
    buffered += inLen;
    run[DATA_BUFFERED] = (byte) buffered;
    if (last && buffered > 0) {
      Memory.zero(run, SCRATCH, (short) 16);
      if (state.mode() == MODE_DECRYPT) {
        Util.arrayCopyNonAtomic(run, DATA_BUFFER, run, SCRATCH, buffered);
        ghash(run, SCRATCH, (short) 16);
        ctr(key, run, DATA_BUFFER, buffered, out, (short) (outOff + written));
      } else {
        ctr(key, run, DATA_BUFFER, buffered, run, SCRATCH);
        Util.arrayCopyNonAtomic(run, SCRATCH, out, (short) (outOff + written), buffered);
        ghash(run, SCRATCH, (short) 16);
      }
      written += buffered;
      run[DATA_BUFFERED] = 0;
    }
    return written;
  }

  public short update(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    AesKeyImpl key = key();
    Bounds.check(inBuff, inOffset, inLength);
    ensureLive(key);
    startData();
    return data(key, inBuff, inOffset, inLength, outBuff, outOffset, false);
  }

  public short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    AesKeyImpl key = key();
    Bounds.check(inBuff, inOffset, inLength);
    ensureLive(key);
    startData();
    short written = data(key, inBuff, inOffset, inLength, outBuff, outOffset, true);
    writeBitLength(run, SCRATCH, readInt(run, AAD_LENGTH));
    writeBitLength(run, (short) (SCRATCH + 8), readInt(run, DATA_LENGTH));
    ghash(run, SCRATCH, (short) 16);
    Primitives.blockCipher(Primitives.AES_ECB, true, key.data, (short) 0, key.length(), null, (short) 0, run, J0,
        (short) 16, run, TAG);
    for (short i = 0; i < 16; i++) {
      run[(short) (TAG + i)] ^= run[(short) (Y + i)];
    }
    run[PHASE] = state.mode() == MODE_DECRYPT ? PHASE_DECRYPTED : PHASE_ENCRYPTED;
    return written;
  }

  public short retrieveTag(byte[] tagBuf, short tagOff, short tagLen) throws CryptoException {
    key();
    if (run[LIVE] == 0 || run[PHASE] != PHASE_ENCRYPTED) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    if (tagLen < 1 || tagLen > state.extra()) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    Bounds.check(tagBuf, tagOff, tagLen);
    Util.arrayCopyNonAtomic(run, TAG, tagBuf, tagOff, tagLen);
    return tagLen;
  }

  public boolean verifyTag(byte[] receivedTagBuf, short receivedTagOff, short receivedTagLen, short requiredTagLen)
      throws CryptoException {
    key();
    if (run[LIVE] == 0 || run[PHASE] != PHASE_DECRYPTED) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    if (requiredTagLen < 1 || requiredTagLen > 16) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    Bounds.check(receivedTagBuf, receivedTagOff, receivedTagLen);
    if (receivedTagLen < requiredTagLen) {
      return false;
    }
    return Memory.equalsConstantTime(run, TAG, receivedTagBuf, receivedTagOff, requiredTagLen);
  }
}
