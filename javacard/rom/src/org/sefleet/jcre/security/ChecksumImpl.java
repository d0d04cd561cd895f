package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.security.Checksum;
import javacard.security.CryptoException;

/**
 * The ISO 3309 CRC-16 and CRC-32 of Checksum. The register starts from the initial value (0, or
 * what init() set), the final value is its ones' complement, big-endian, after which the register
 * starts again from the initial value. The initial value is persistent; the running register is
 * transient (a reset restarts the computation).
 */
final class ChecksumImpl extends Checksum {
  private final byte algorithm;
  /** The initial register value (4 bytes, big-endian; CRC-16 uses the last 2). */
  private final byte[] initial = new byte[4];
  /** [0..4) the running register, [4] 1 once it holds a running value. */
  private final byte[] running = JCSystem.makeTransientByteArray((short) 5, JCSystem.CLEAR_ON_RESET);

  ChecksumImpl(byte algorithm) {
    this.algorithm = algorithm;
  }

  private short size() {
    return algorithm == ALG_ISO3309_CRC16 ? (short) 2 : (short) 4;
  }

  public void init(byte[] bArray, short bOff, short bLen) throws CryptoException {
    Bounds.check(bArray, bOff, bLen);
    if (bLen != size()) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    Memory.zero(running, (short) 0, (short) 5);
    Memory.copyIfChanged(bArray, bOff, initial, (short) (4 - bLen), bLen);
  }

  public byte getAlgorithm() {
    return algorithm;
  }

  private static int read(byte[] b) {
    return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  private static void write(byte[] b, short offset, int value, short size) {
    for (short i = 0; i < size; i++) {
      b[(short) (offset + i)] = (byte) (value >>> (8 * (size - 1 - i)));
    }
  }

  private int register() {
    return running[4] != 0 ? read(running) : read(initial);
  }

  public void update(byte[] inBuff, short inOffset, short inLength) {
    Bounds.check(inBuff, inOffset, inLength);
    int value = Primitives.crc(algorithm, register(), inBuff, inOffset, inLength);
    write(running, (short) 0, value, (short) 4);
    running[4] = 1;
  }

  public short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset) {
    Bounds.check(inBuff, inOffset, inLength);
    short size = size();
    Bounds.check(outBuff, outOffset, size);
    int value = Primitives.crc(algorithm, register(), inBuff, inOffset, inLength);
    running[4] = 0;
    write(outBuff, outOffset, ~value, size);
    return size;
  }
}
