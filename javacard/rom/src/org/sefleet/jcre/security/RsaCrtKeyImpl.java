package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.RSAPrivateCrtKey;

/**
 * An RSA private key in CRT form. One array holds five slots of H + 1 bytes (H = half the modulus
 * length): P, Q, DP1, DQ1, PQ, each right-aligned with its set flag. Transient for the TRANSIENT_*
 * types.
 */
final class RsaCrtKeyImpl extends KeyBase implements RSAPrivateCrtKey {
  static final byte P = 0;
  static final byte Q = 1;
  static final byte DP1 = 2;
  static final byte DQ1 = 3;
  static final byte PQ = 4;

  final short modulusLength;
  /** H: the capacity of each slot. */
  final short half;
  final byte[] crt;

  RsaCrtKeyImpl(byte type, short size, byte event) {
    super(type, size, event);
    modulusLength = (short) (size / 8);
    half = (short) (modulusLength / 2);
    crt = Memory.bytes((short) (5 * (half + 1)), event);
  }

  private short slot(byte index) {
    return (short) (index * (half + 1));
  }

  public boolean isInitialized() {
    for (byte i = P; i <= PQ; i++) {
      if (!Component.isSet(crt, slot(i), half)) {
        return false;
      }
    }
    return true;
  }

  public void clearKey() {
    Memory.zero(crt, (short) 0, (short) crt.length);
  }

  private void set(byte index, byte[] buffer, short offset, short length) {
    Component.set(crt, slot(index), half, buffer, offset, length);
  }

  private short get(byte index, byte[] buffer, short offset) {
    return Component.getStripped(crt, slot(index), half, buffer, offset);
  }

  public void setP(byte[] buffer, short offset, short length) throws CryptoException {
    set(P, buffer, offset, length);
  }

  public void setQ(byte[] buffer, short offset, short length) throws CryptoException {
    set(Q, buffer, offset, length);
  }

  public void setDP1(byte[] buffer, short offset, short length) throws CryptoException {
    set(DP1, buffer, offset, length);
  }

  public void setDQ1(byte[] buffer, short offset, short length) throws CryptoException {
    set(DQ1, buffer, offset, length);
  }

  public void setPQ(byte[] buffer, short offset, short length) throws CryptoException {
    set(PQ, buffer, offset, length);
  }

  public short getP(byte[] buffer, short offset) {
    return get(P, buffer, offset);
  }

  public short getQ(byte[] buffer, short offset) {
    return get(Q, buffer, offset);
  }

  public short getDP1(byte[] buffer, short offset) {
    return get(DP1, buffer, offset);
  }

  public short getDQ1(byte[] buffer, short offset) {
    return get(DQ1, buffer, offset);
  }

  public short getPQ(byte[] buffer, short offset) {
    return get(PQ, buffer, offset);
  }
}
