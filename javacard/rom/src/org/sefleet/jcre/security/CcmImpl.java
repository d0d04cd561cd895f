package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.Key;
import javacardx.crypto.AEADCipher;

/**
 * AES-CCM (NIST SP 800-38C, RFC 3610) over the AES-CBC (as a MAC) and AES-CTR natives: nonces of 7
 * to 13 bytes, tags of 4 to 16 bytes (even), and the lengths of the associated data and of the
 * message announced at init() (CCM authenticates them first), so only the eight-argument init() is
 * accepted. The associated data and the message must then add up to exactly those lengths.
 */
final class CcmImpl extends AEADCipher implements Forgettable {
  private static final short LIVE = 0;
  private static final short PHASE = 1;
  private static final short AAD_BUFFERED = 2;
  private static final short DATA_BUFFERED = 3;
  private static final short MAC = 4;
  private static final short COUNTER = 20;
  private static final short AAD_BUFFER = 36;
  private static final short DATA_BUFFER = 52;
  private static final short TAG = 68;
  private static final short AAD_DONE = 84;
  private static final short DATA_DONE = 86;
  private static final short SCRATCH = 88;
  private static final short RUN_SIZE = 104;

  private static final byte PHASE_AAD = 0;
  private static final byte PHASE_DATA = 1;
  private static final byte PHASE_ENCRYPTED = 2;
  private static final byte PHASE_DECRYPTED = 3;

  private final byte algorithm;
  private final InitState state;
  private final byte[] run = JCSystem.makeTransientByteArray(RUN_SIZE, JCSystem.CLEAR_ON_RESET);

  CcmImpl(byte algorithm, boolean oneShot) {
    this.algorithm = algorithm;
    state = new InitState(oneShot);
  }

  public void forget() {
    state.forget();
    Memory.zero(run, (short) 0, RUN_SIZE);
  }

  /** CCM needs a nonce and the lengths: ILLEGAL_USE. */
  public void init(Key theKey, byte theMode) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
  }

  /** CCM needs the lengths of the associated data and of the message: ILLEGAL_USE. */
  public void init(Key theKey, byte theMode, byte[] nonceBuf, short nonceOff, short nonceLen) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
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
    if (nonceLen < 7 || nonceLen > 13 || adataLen < 0 || messageLen < 0 || tagSize < 4 || tagSize > 16
        || tagSize % 2 != 0) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) theKey).requireInitialized();
    state.set(theKey, theMode, nonceBuf, nonceOff, nonceLen, (byte) tagSize, adataLen, messageLen);
    Memory.zero(run, (short) 0, RUN_SIZE);
  }

  public byte getAlgorithm() {
    return algorithm;
  }

  public byte getCipherAlgorithm() {
    return CIPHER_AES_CCM;
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

  private void mac(AesKeyImpl key, byte[] in, short offset, short length) {
    Primitives.blockCipher(Primitives.AES_CBC, true, key.data, (short) 0, key.length(), run, MAC, in, offset, length,
        null, (short) 0);
  }

  private void ctr(AesKeyImpl key, byte[] in, short inOff, short length, byte[] out, short outOff) {
    Primitives.blockCipher(Primitives.AES_CTR, true, key.data, (short) 0, key.length(), run, COUNTER, in, inOff,
        length, out, outOff);
  }

  /** Writes the counter block A_i (flags q-1, nonce, i in q bytes) at {@code out[offset]}. */
  private void counterBlock(byte[] out, short offset, short index) {
    short nonceLength = state.ivLength();
    short q = (short) (15 - nonceLength);
    Memory.zero(out, offset, (short) 16);
    out[offset] = (byte) (q - 1);
    Util.arrayCopyNonAtomic(state.config, InitState.ivOffset(), out, (short) (offset + 1), nonceLength);
    Util.setShort(out, (short) (offset + 14), index);
  }

  /** Starts a message: B0 and the encoded associated data length go through the CBC-MAC. */
  private void ensureLive(AesKeyImpl key) {
    if (run[LIVE] != 0 && run[PHASE] < PHASE_ENCRYPTED) {
      return;
    }
    Memory.zero(run, (short) 0, RUN_SIZE);
    short nonceLength = state.ivLength();
    short q = (short) (15 - nonceLength);
    short tag = state.extra();
    short adataLength = state.firstExtra();
    // B0: flags (Adata, (t-2)/2, q-1), nonce, message length in q bytes.
    run[SCRATCH] = (byte) ((adataLength > 0 ? 0x40 : 0) | (((tag - 2) / 2) << 3) | (q - 1));
    Util.arrayCopyNonAtomic(state.config, InitState.ivOffset(), run, (short) (SCRATCH + 1), nonceLength);
    Util.setShort(run, (short) (SCRATCH + 14), state.secondExtra());
    mac(key, run, SCRATCH, (short) 16);
    if (adataLength > 0) {
      // The associated data is preceded by its length in two bytes (it is below 2^16 - 2^8).
      Util.setShort(run, AAD_BUFFER, adataLength);
      run[AAD_BUFFERED] = 2;
    }
    counterBlock(run, COUNTER, (short) 1);
    run[PHASE] = PHASE_AAD;
    run[LIVE] = 1;
  }

  private static void add(byte[] run, short offset, short length) {
    Util.setShort(run, offset, (short) (Util.getShort(run, offset) + length));
  }

  public void updateAAD(byte[] aadBuf, short aadOff, short aadLen) throws CryptoException {
    AesKeyImpl key = key();
    Bounds.check(aadBuf, aadOff, aadLen);
    ensureLive(key);
    if (run[PHASE] != PHASE_AAD || aadLen > (short) (state.firstExtra() - Util.getShort(run, AAD_DONE))) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    add(run, AAD_DONE, aadLen);
    short buffered = run[AAD_BUFFERED];
    while (aadLen > 0) {
      short take = (short) (16 - buffered);
      if (take > aadLen) {
        take = aadLen;
      }
      Util.arrayCopyNonAtomic(aadBuf, aadOff, run, (short) (AAD_BUFFER + buffered), take);
      buffered += take;
      aadOff += take;
      aadLen -= take;
      if (buffered == 16) {
        mac(key, run, AAD_BUFFER, (short) 16);
        buffered = 0;
      }
    }
    run[AAD_BUFFERED] = (byte) buffered;
  }

  /** Ends the associated data (it must be complete): its last block is padded with zeros. */
  private void startData(AesKeyImpl key) {
    if (run[PHASE] != PHASE_AAD) {
      return;
    }
    if (Util.getShort(run, AAD_DONE) != state.firstExtra()) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    short buffered = run[AAD_BUFFERED];
    if (buffered > 0) {
      Memory.zero(run, (short) (AAD_BUFFER + buffered), (short) (16 - buffered));
      mac(key, run, AAD_BUFFER, (short) 16);
      run[AAD_BUFFERED] = 0;
    }
    run[PHASE] = PHASE_DATA;
  }

  /** One block or less: CTR, and the plaintext (zero-padded) through the MAC. */
  private void block(AesKeyImpl key, byte[] in, short inOff, short length, byte[] out, short outOff) {
    Memory.zero(run, SCRATCH, (short) 16);
    if (state.mode() == MODE_ENCRYPT) {
      Util.arrayCopyNonAtomic(in, inOff, run, SCRATCH, length);
      ctr(key, in, inOff, length, out, outOff);
    } else {
      ctr(key, in, inOff, length, run, SCRATCH);
      Util.arrayCopyNonAtomic(run, SCRATCH, out, outOff, length);
    }
    mac(key, run, SCRATCH, (short) 16);
  }

  private short data(AesKeyImpl key, byte[] in, short inOff, short inLen, byte[] out, short outOff, boolean last) {
    if (inLen > (short) (state.secondExtra() - Util.getShort(run, DATA_DONE))) {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }
    short buffered = run[DATA_BUFFERED];
    int total = buffered + inLen;
    short whole = (short) (total - total % 16);
    Bounds.check(out, outOff, last ? (short) total : whole);
    add(run, DATA_DONE, inLen);
    short written = 0;
    while ((short) (buffered + inLen) >= 16) {
      short take = (short) (16 - buffered);
      Util.arrayCopyNonAtomic(in, inOff, run, (short) (DATA_BUFFER + buffered), take);
      block(key, run, DATA_BUFFER, (short) 16, out, (short) (outOff + written));
      written += 16;
      inOff += take;
      inLen -= take;
      buffered = 0;
    }
    Util.arrayCopyNonAtomic(in, inOff, run, (short) (DATA_BUFFER + buffered), inLen);
    buffered += inLen;
    run[DATA_BUFFERED] = (byte) buffered;
    if (last) {
      if (Util.getShort(run, DATA_DONE) != state.secondExtra()) {
        CryptoException.throwIt(CryptoException.ILLEGAL_USE);
      }
      if (buffered > 0) {
        block(key, run, DATA_BUFFER, buffered, out, (short) (outOff + written));
        written += buffered;
      }
      run[DATA_BUFFERED] = 0;
    }
    return written;
  }

  public short update(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    AesKeyImpl key = key();
    Bounds.check(inBuff, inOffset, inLength);
    ensureLive(key);
    startData(key);
    return data(key, inBuff, inOffset, inLength, outBuff, outOffset, false);
  }

  public short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    AesKeyImpl key = key();
    Bounds.check(inBuff, inOffset, inLength);
    ensureLive(key);
    startData(key);
    short written = data(key, inBuff, inOffset, inLength, outBuff, outOffset, true);
    // The tag: the CBC-MAC encrypted with the counter block A_0.
    counterBlock(run, COUNTER, (short) 0);
    ctr(key, run, MAC, (short) 16, run, TAG);
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
    if (requiredTagLen < 1 || requiredTagLen > state.extra()) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    Bounds.check(receivedTagBuf, receivedTagOff, receivedTagLen);
    if (receivedTagLen < requiredTagLen) {
      return false;
    }
    return Memory.equalsConstantTime(run, TAG, receivedTagBuf, receivedTagOff, requiredTagLen);
  }
}
