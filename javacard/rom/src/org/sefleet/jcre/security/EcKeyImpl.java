package org.sefleet.jcre.security;

import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.ECKey;

/**
 * The domain parameters of an EC key over F(p). They live in one persistent array (shared between
 * keys built with buildKeyWithSharedDomain), for a field of L bytes:
 * <pre>
 *   [0, L)            P
 *   [L, 2L)           A
 *   [2L, 3L)          B
 *   [3L, 5L+1)        G, uncompressed (04 || X || Y)
 *   [5L+1, 6L+2)      R, right-aligned (the order may be one byte longer than the field)
 *   [6L+2, 6L+4)      K, big-endian
 *   [6L+4]            which of them are set (bits FIELD, A, B, G, R, K)
 * </pre>
 * The natives receive this array and L (javacard/rom/NATIVES.md).
 */
abstract class EcKeyImpl extends KeyBase implements ECKey {
  static final byte SET_FIELD = 1;
  static final byte SET_A = 2;
  static final byte SET_B = 4;
  static final byte SET_G = 8;
  static final byte SET_R = 16;
  static final byte SET_K = 32;
  static final byte SET_ALL = 63;

  /** The field length L in bytes. */
  final short fieldLength;
  final byte[] domain;

  EcKeyImpl(byte type, short size, byte event, byte[] sharedDomain) {
    super(type, size, event);
    fieldLength = (short) ((short) (size + 7) / 8);
    if (sharedDomain != null) {
      domain = sharedDomain;
    } else {
      domain = new byte[domainLength(fieldLength)];
      if (hasNamedDomain(size)) {
        Primitives.ecNamedDomain(size, domain);
        domain[maskOffset()] = SET_ALL;
      }
    }
  }

  /** The size of a domain array for a field of {@code fieldLength} bytes. */
  static short domainLength(short fieldLength) {
    return (short) (6 * fieldLength + 5);
  }

  /** True for the sizes whose NIST prime curve is preloaded (192, 224, 256, 384, 521 bits). */
  static boolean hasNamedDomain(short size) {
    return size == 192 || size == 224 || size == 256 || size == 384 || size == 521;
  }

  final short offsetA() {
    return fieldLength;
  }

  final short offsetB() {
    return (short) (2 * fieldLength);
  }

  final short offsetG() {
    return (short) (3 * fieldLength);
  }

  final short pointLength() {
    return (short) (2 * fieldLength + 1);
  }

  final short offsetR() {
    return (short) (5 * fieldLength + 1);
  }

  final short offsetK() {
    return (short) (6 * fieldLength + 2);
  }

  final short maskOffset() {
    return (short) (6 * fieldLength + 4);
  }

  final boolean domainComplete() {
    return domain[maskOffset()] == SET_ALL;
  }

  /** The byte length of the order R (the length of S and of plain signature halves). */
  final short orderLength() {
    if ((domain[maskOffset()] & SET_R) == 0) {
      return fieldLength;
    }
    short skip = 0;
    short capacity = (short) (fieldLength + 1);
    while (skip < (short) (capacity - 1) && domain[(short) (offsetR() + skip)] == 0) {
      skip++;
    }
    return (short) (capacity - skip);
  }

  private void clearBit(byte bit) {
    short mask = maskOffset();
    domain[mask] = (byte) (domain[mask] & ~bit);
  }

  private void setBit(byte bit) {
    short mask = maskOffset();
    domain[mask] = (byte) (domain[mask] | bit);
  }

  private void requireBit(byte bit) {
    if ((domain[maskOffset()] & bit) == 0) {
      CryptoException.throwIt(CryptoException.UNINITIALIZED_KEY);
    }
  }

  /** Stores a number right-aligned in {@code [offset, offset + capacity)} (leading zeros dropped). */
  private void setNumber(byte bit, short offset, short capacity, byte[] buffer, short off, short length) {
    Bounds.check(buffer, off, length);
    short skip = 0;
    while (skip < length && buffer[(short) (off + skip)] == 0) {
      skip++;
    }
    short significant = (short) (length - skip);
    if (length == 0 || significant > capacity) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    clearBit(bit);
    short pad = (short) (capacity - significant);
    if (pad > 0) {
      Memory.zero(domain, offset, pad);
    }
    Memory.copy(buffer, (short) (off + skip), domain, (short) (offset + pad), significant);
    setBit(bit);
  }

  /**
   * Checks the encoding of a point: uncompressed (04 || X || Y) or, when P, A and B are set,
   * compressed (02 or 03 || X). Nothing is written.
   *
   * @throws CryptoException ILLEGAL_VALUE for another encoding or length
   */
  final void checkPoint(byte[] buffer, short off, short length) {
    Bounds.check(buffer, off, length);
    if (length == pointLength() && buffer[off] == 4) {
      return;
    }
    byte form = length > 0 ? buffer[off] : 0;
    if (length != (short) (fieldLength + 1) || (form != 2 && form != 3)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    if ((domain[maskOffset()] & (SET_FIELD | SET_A | SET_B)) != (SET_FIELD | SET_A | SET_B)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
  }

  /**
   * Writes a point checked by {@link #checkPoint} uncompressed into {@code out[outOff..]} (2L + 1
   * bytes); a compressed point is decompressed by the native, which refuses one not on the curve.
   */
  final void writePoint(byte[] buffer, short off, short length, byte[] out, short outOff) {
    if (length == pointLength()) {
      Memory.copy(buffer, off, out, outOff, length);
    } else {
      Primitives.ecDecodePoint(domain, fieldLength, buffer, off, length, out, outOff);
    }
  }

  public final void setFieldFP(byte[] buffer, short offset, short length) throws CryptoException {
    setNumber(SET_FIELD, (short) 0, fieldLength, buffer, offset, length);
  }

  /** F(2^m) curves are not supported by this card. */
  public final void setFieldF2M(short e) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
  }

  /** F(2^m) curves are not supported by this card. */
  public final void setFieldF2M(short e1, short e2, short e3) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
  }

  public final void setA(byte[] buffer, short offset, short length) throws CryptoException {
    setNumber(SET_A, offsetA(), fieldLength, buffer, offset, length);
  }

  public final void setB(byte[] buffer, short offset, short length) throws CryptoException {
    setNumber(SET_B, offsetB(), fieldLength, buffer, offset, length);
  }

  public final void setG(byte[] buffer, short offset, short length) throws CryptoException {
    checkPoint(buffer, offset, length);
    clearBit(SET_G);
    writePoint(buffer, offset, length, domain, offsetG());
    setBit(SET_G);
  }

  public final void setR(byte[] buffer, short offset, short length) throws CryptoException {
    setNumber(SET_R, offsetR(), (short) (fieldLength + 1), buffer, offset, length);
  }

  public final void setK(short K) {
    if (K < 1) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    clearBit(SET_K);
    Util.setShort(domain, offsetK(), K);
    setBit(SET_K);
  }

  private short copyOut(byte bit, short offset, short length, byte[] buffer, short off) {
    requireBit(bit);
    Bounds.check(buffer, off, length);
    Util.arrayCopyNonAtomic(domain, offset, buffer, off, length);
    return length;
  }

  public final short getField(byte[] buffer, short offset) throws CryptoException {
    return copyOut(SET_FIELD, (short) 0, fieldLength, buffer, offset);
  }

  public final short getA(byte[] buffer, short offset) throws CryptoException {
    return copyOut(SET_A, offsetA(), fieldLength, buffer, offset);
  }

  public final short getB(byte[] buffer, short offset) throws CryptoException {
    return copyOut(SET_B, offsetB(), fieldLength, buffer, offset);
  }

  public final short getG(byte[] buffer, short offset) throws CryptoException {
    return copyOut(SET_G, offsetG(), pointLength(), buffer, offset);
  }

  public final short getR(byte[] buffer, short offset) throws CryptoException {
    requireBit(SET_R);
    short length = orderLength();
    return copyOut(SET_R, (short) (offsetR() + fieldLength + 1 - length), length, buffer, offset);
  }

  public final short getK() throws CryptoException {
    requireBit(SET_K);
    return Util.getShort(domain, offsetK());
  }

  public final void copyDomainParametersFrom(ECKey eckey) throws CryptoException {
    if (!(eckey instanceof EcKeyImpl)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    EcKeyImpl source = (EcKeyImpl) eckey;
    if (source.fieldLength != fieldLength) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    if (!source.domainComplete()) {
      CryptoException.throwIt(CryptoException.UNINITIALIZED_KEY);
    }
    if (source.domain != domain) {
      domain[maskOffset()] = 0;
      Memory.copy(source.domain, (short) 0, domain, (short) 0, maskOffset());
      domain[maskOffset()] = SET_ALL;
    }
  }
}
