package javacard.security;

/**
 * An RSA private key in Chinese Remainder Theorem form: primes P and Q, exponents DP1 = d mod (p-1),
 * DQ1 = d mod (q-1) and the coefficient PQ = q^-1 mod p.
 */
public interface RSAPrivateCrtKey extends PrivateKey {
  /** Sets the prime P. */
  void setP(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the prime Q. */
  void setQ(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets DP1 = d mod (p - 1). */
  void setDP1(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets DQ1 = d mod (q - 1). */
  void setDQ1(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets PQ = q^-1 mod p. */
  void setPQ(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies P into {@code buffer}; returns its length in bytes. */
  short getP(byte[] buffer, short offset);

  /** Copies Q into {@code buffer}; returns its length in bytes. */
  short getQ(byte[] buffer, short offset);

  /** Copies DP1 into {@code buffer}; returns its length in bytes. */
  short getDP1(byte[] buffer, short offset);

  /** Copies DQ1 into {@code buffer}; returns its length in bytes. */
  short getDQ1(byte[] buffer, short offset);

  /** Copies PQ into {@code buffer}; returns its length in bytes. */
  short getPQ(byte[] buffer, short offset);
}
