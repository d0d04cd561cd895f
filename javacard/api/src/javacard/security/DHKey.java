package javacard.security;

/** The Diffie-Hellman domain parameters shared by DH public and private keys. */
public interface DHKey {
  /** Sets the prime P. */
  void setP(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the subprime Q. */
  void setQ(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the generator G. */
  void setG(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies P into {@code buffer}; returns its length in bytes. */
  short getP(byte[] buffer, short offset);

  /** Copies Q into {@code buffer}; returns its length in bytes. */
  short getQ(byte[] buffer, short offset);

  /** Copies G into {@code buffer}; returns its length in bytes. */
  short getG(byte[] buffer, short offset);
}
