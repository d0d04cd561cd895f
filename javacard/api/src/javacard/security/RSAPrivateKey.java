package javacard.security;

/** An RSA private key in modulus/private-exponent form. */
public interface RSAPrivateKey extends PrivateKey {
  /** Sets the modulus. */
  void setModulus(byte[] buffer, short offset, short length) throws CryptoException;

  /** Sets the private exponent. */
  void setExponent(byte[] buffer, short offset, short length) throws CryptoException;

  /** Copies the modulus into {@code buffer}; returns its length in bytes. */
  short getModulus(byte[] buffer, short offset);

  /** Copies the private exponent into {@code buffer}; returns its length in bytes. */
  short getExponent(byte[] buffer, short offset);
}
