package javacard.security;

/** A DSA public key (the value Y). */
public interface DSAPublicKey extends PublicKey, DSAKey {
  /** Sets Y. */
  void setY(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies Y into {@code buffer}; returns its length in bytes. */
  short getY(byte[] buffer, short offset);
}
