package javacard.security;

/**
 * The domain parameters of an elliptic-curve key: the field (a prime P for F(p) curves), the curve
 * coefficients A and B, the base point G, its order R and the cofactor K. Field elements are
 * big-endian byte strings of the field length; points are encoded as in ANSI X9.62 (04 || X || Y,
 * or the compressed form 02/03 || X).
 */
public interface ECKey {
  /** Sets the prime P of an F(p) curve. */
  void setFieldFP(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the trinomial basis exponent of an F(2^m) curve. */
  void setFieldF2M(short e) throws CryptoException;

  /** Sets the pentanomial basis exponents of an F(2^m) curve. */
  void setFieldF2M(short e1, short e2, short e3) throws CryptoException;

  /** Sets the coefficient A. */
  void setA(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the coefficient B. */
  void setB(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the base point G. */
  void setG(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the order R of G. */
  void setR(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the cofactor K. */
  void setK(short K);

  /** Copies the field (P for F(p) curves) into {@code buffer}; returns its length in bytes. */
  short getField(byte[] buffer, short offset) throws CryptoException;

  /** Copies A into {@code buffer}; returns its length in bytes. */
  short getA(byte[] buffer, short offset) throws CryptoException;

  /** Copies B into {@code buffer}; returns its length in bytes. */
  short getB(byte[] buffer, short offset) throws CryptoException;

  /** Copies G (uncompressed) into {@code buffer}; returns its length in bytes. */
  short getG(byte[] buffer, short offset) throws CryptoException;

  /** Copies R into {@code buffer}; returns its length in bytes. */
  short getR(byte[] buffer, short offset) throws CryptoException;

  /** The cofactor K. */
  short getK() throws CryptoException;

  /** Copies every domain parameter of {@code eckey} into this key. */
  void copyDomainParametersFrom(ECKey eckey) throws CryptoException;
}
