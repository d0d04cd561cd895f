package javacard.security;

/** A DSA private key (the value X). */
public interface DSAPrivateKey extends PrivateKey, DSAKey {
  /** Sets X. */
  void setX(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies X into {@code buffer}; returns its length in bytes. */
  short getX(byte[] buffer, short offset);
}
