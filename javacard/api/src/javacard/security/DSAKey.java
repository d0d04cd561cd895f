package javacard.security;

/** The DSA domain parameters shared by DSA public and private keys. */
public interface DSAKey {
  /** Sets the prime P. */
  void setP(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the subprime Q. */
  void setQ(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the base G. */
  void setG(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies P into {@code buffer}; returns its length in bytes. */
  short getP(byte[] buffer, short offset);

  /** Copies Q into {@code buffer}; returns its length in bytes. */
  short getQ(byte[] buffer, short offset);

  /** Copies G into {@code buffer}; returns its length in bytes. */
  short getG(byte[] buffer, short offset);
}
