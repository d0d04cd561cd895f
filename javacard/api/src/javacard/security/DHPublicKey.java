package javacard.security;

/** A Diffie-Hellman public key (the value Y). */
public interface DHPublicKey extends PublicKey, DHKey {
  /** Sets Y. */
  void setY(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies Y into {@code buffer}; returns its length in bytes. */
  short getY(byte[] buffer, short offset);
}
