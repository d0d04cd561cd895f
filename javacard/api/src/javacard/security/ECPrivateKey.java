package javacard.security;

/** An elliptic-curve private key: the domain parameters and the secret scalar S. */
public interface ECPrivateKey extends PrivateKey, ECKey {
  /** Sets the secret value S. */
  void setS(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies S into {@code buffer}; returns its length in bytes. */
  short getS(byte[] buffer, short offset) throws CryptoException;
}
