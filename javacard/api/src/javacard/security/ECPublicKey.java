package javacard.security;

/** An elliptic-curve public key: the domain parameters and the point W. */
public interface ECPublicKey extends PublicKey, ECKey {
  /** Sets the public point W (uncompressed or compressed encoding). */
  void setW(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies W (uncompressed) into {@code buffer}; returns its length in bytes. */
  short getW(byte[] buffer, short offset) throws CryptoException;
}
