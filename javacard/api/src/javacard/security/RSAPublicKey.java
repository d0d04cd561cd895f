package javacard.security;

/** An RSA public key: modulus and public exponent, big-endian byte strings. */
public interface RSAPublicKey extends PublicKey {
  /** Sets the modulus from {@code buffer[offset..offset+length)}. */
  void setModulus(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the public exponent. */
  void setExponent(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies the modulus into {@code buffer}; returns its length in bytes. */
  short getModulus(byte[] buffer, short offset);

  /** Copies the public exponent into {@code buffer}; returns its length in bytes. */
  short getExponent(byte[] buffer, short offset);
}
