package javacard.security;

/** A Diffie-Hellman private key (the value X). */
public interface DHPrivateKey extends PrivateKey, DHKey {
  /** Sets X. */
  void setX(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies X into {@code buffer}; returns its length in bytes. */
  short getX(byte[] buffer, short offset);
}
