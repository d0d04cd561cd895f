package javacard.security;

import org.sefleet.jcre.security.Keys;

/** A container of a public and a private key, and the generator of new key pairs. */
public final class KeyPair {
  /** RSA key pair (private key in modulus/exponent form). */
  public static final byte ALG_RSA = 1;
  /** RSA key pair with the private key in CRT form. */
  public static final byte ALG_RSA_CRT = 2;
  /** DSA key pair. */
  public static final byte ALG_DSA = 3;
  /** EC key pair over F(2^m). */
  public static final byte ALG_EC_F2M = 4;
  /** EC key pair over F(p). */
  public static final byte ALG_EC_FP = 5;
  /** Diffie-Hellman key pair. */
  public static final byte ALG_DH = 6;

  private PublicKey publicKey;
  private PrivateKey privateKey;

  /**
   * Generates a new key pair into the two keys. RSA: a public exponent already set is kept, else
   * 65537 is used. EC: the domain parameters of the public key are used (those of the private key
   * when the public key has none); the private key receives the same parameters.
   *
   * @throws CryptoException ILLEGAL_VALUE when the domain parameters are missing or unusable
   */
  public final void genKeyPair() throws CryptoException {
    Keys.generate(publicKey, privateKey);
  }

  /**
   * Creates a key pair of new, uninitialized keys of the given algorithm and size.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM for an unsupported algorithm or size
   */
  public KeyPair(byte algorithm, short keyLength) throws CryptoException {
    publicKey = (PublicKey) Keys.buildPublicOfPair(algorithm, keyLength);
    privateKey = (PrivateKey) Keys.buildPrivateOfPair(algorithm, keyLength);
  }

  /**
   * Creates a key pair over existing keys (their contents are used by {@link #genKeyPair()}).
   *
   * @throws CryptoException ILLEGAL_VALUE when the keys are not of matching algorithm and size,
   *     NO_SUCH_ALGORITHM when this card cannot generate such a pair
   */
  public KeyPair(PublicKey publicKey, PrivateKey privateKey) throws CryptoException {
    Keys.checkPair(publicKey, privateKey);
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  /** The public key. */
  public PublicKey getPublic() {
    return publicKey;
  }

  /** The private key. */
  public PrivateKey getPrivate() {
    return privateKey;
  }
}
