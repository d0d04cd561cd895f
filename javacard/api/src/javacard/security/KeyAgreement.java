package javacard.security;

import org.sefleet.jcre.security.Engines;

/** Key agreement (Diffie-Hellman style secret derivation). */
public abstract class KeyAgreement {
  /** ECDH (IEEE P1363 SVDP-DH); the secret is the SHA-1 digest of the shared X coordinate. */
  public static final byte ALG_EC_SVDP_DH = 1;
  /** Another name of {@link #ALG_EC_SVDP_DH}. */
  public static final byte ALG_EC_SVDP_DH_KDF = 1;
  /** ECDH with cofactor multiplication (SVDP-DHC); the secret is SHA-1 of the X coordinate. */
  public static final byte ALG_EC_SVDP_DHC = 2;
  /** Another name of {@link #ALG_EC_SVDP_DHC}. */
  public static final byte ALG_EC_SVDP_DHC_KDF = 2;
  /** ECDH; the secret is the shared X coordinate itself. */
  public static final byte ALG_EC_SVDP_DH_PLAIN = 3;
  /** ECDH with cofactor multiplication; the secret is the shared X coordinate itself. */
  public static final byte ALG_EC_SVDP_DHC_PLAIN = 4;
  /** The generic mapping of PACE (ICAO 9303), over EC. */
  public static final byte ALG_EC_PACE_GM = 5;
  /** ECDH; the secret is the whole shared point, uncompressed (04 || X || Y). */
  public static final byte ALG_EC_SVDP_DH_PLAIN_XY = 6;
  /** Finite-field Diffie-Hellman (PKCS #3); the secret is the shared value. */
  public static final byte ALG_DH_PLAIN = 7;

  /** For subclasses. */
  protected KeyAgreement() {
  }

  /**
   * Creates a key agreement object for {@code algorithm}.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM when the card does not support it
   */
  public static final KeyAgreement getInstance(byte algorithm, boolean externalAccess) throws CryptoException {
    return Engines.keyAgreement(algorithm, externalAccess);
  }

  /**
   * Initializes the object with the own private key.
   *
   * @throws CryptoException ILLEGAL_VALUE when the key does not fit the algorithm,
   *     UNINITIALIZED_KEY when it is not initialized
   */
  public abstract void init(PrivateKey privKey) throws CryptoException;

  /** The algorithm code. */
  public abstract byte getAlgorithm();

  /**
   * Derives the shared secret from the other party's public value and writes it to {@code secret}.
   *
   * @return the length of the secret in bytes
   * @throws CryptoException INVALID_INIT when not initialized, ILLEGAL_VALUE when the public value
   *     is malformed or not on the curve
   */
  public abstract short generateSecret(byte[] publicData, short publicOffset, short publicLength, byte[] secret,
      short secretOffset) throws CryptoException;
}
