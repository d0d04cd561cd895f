package javacard.security;

import org.sefleet.jcre.security.Keys;

/**
 * The factory of key objects. Which key types and sizes this card supports is listed in the
 * supported-API table of docs/javacard.md; anything else is refused with
 * {@code CryptoException.NO_SUCH_ALGORITHM}.
 */
public class KeyBuilder {
  /** DES key, key data cleared on reset. */
  public static final byte TYPE_DES_TRANSIENT_RESET = 1;
  /** DES key, key data cleared on deselect (and reset). */
  public static final byte TYPE_DES_TRANSIENT_DESELECT = 2;
  /** DES key in persistent memory. */
  public static final byte TYPE_DES = 3;
  /** RSA public key. */
  public static final byte TYPE_RSA_PUBLIC = 4;
  /** RSA private key (modulus and exponent). */
  public static final byte TYPE_RSA_PRIVATE = 5;
  /** RSA private key in CRT form. */
  public static final byte TYPE_RSA_CRT_PRIVATE = 6;
  /** DSA public key. */
  public static final byte TYPE_DSA_PUBLIC = 7;
  /** DSA private key. */
  public static final byte TYPE_DSA_PRIVATE = 8;
  /** EC public key over F(2^m). */
  public static final byte TYPE_EC_F2M_PUBLIC = 9;
  /** EC private key over F(2^m). */
  public static final byte TYPE_EC_F2M_PRIVATE = 10;
  /** EC public key over F(p). */
  public static final byte TYPE_EC_FP_PUBLIC = 11;
  /** EC private key over F(p). */
  public static final byte TYPE_EC_FP_PRIVATE = 12;
  /** AES key, key data cleared on reset. */
  public static final byte TYPE_AES_TRANSIENT_RESET = 13;
  /** AES key, key data cleared on deselect (and reset). */
  public static final byte TYPE_AES_TRANSIENT_DESELECT = 14;
  /** AES key in persistent memory. */
  public static final byte TYPE_AES = 15;
  /** Korean SEED key, cleared on reset. */
  public static final byte TYPE_KOREAN_SEED_TRANSIENT_RESET = 16;
  /** Korean SEED key, cleared on deselect. */
  public static final byte TYPE_KOREAN_SEED_TRANSIENT_DESELECT = 17;
  /** Korean SEED key in persistent memory. */
  public static final byte TYPE_KOREAN_SEED = 18;
  /** HMAC key, cleared on reset. */
  public static final byte TYPE_HMAC_TRANSIENT_RESET = 19;
  /** HMAC key, cleared on deselect. */
  public static final byte TYPE_HMAC_TRANSIENT_DESELECT = 20;
  /** HMAC key in persistent memory. */
  public static final byte TYPE_HMAC = 21;
  /** RSA private key, cleared on reset. */
  public static final byte TYPE_RSA_PRIVATE_TRANSIENT_RESET = 22;
  /** RSA private key, cleared on deselect. */
  public static final byte TYPE_RSA_PRIVATE_TRANSIENT_DESELECT = 23;
  /** RSA CRT private key, cleared on reset. */
  public static final byte TYPE_RSA_CRT_PRIVATE_TRANSIENT_RESET = 24;
  /** RSA CRT private key, cleared on deselect. */
  public static final byte TYPE_RSA_CRT_PRIVATE_TRANSIENT_DESELECT = 25;
  /** DSA private key, cleared on reset. */
  public static final byte TYPE_DSA_PRIVATE_TRANSIENT_RESET = 26;
  /** DSA private key, cleared on deselect. */
  public static final byte TYPE_DSA_PRIVATE_TRANSIENT_DESELECT = 27;
  /** EC F(2^m) private key, cleared on reset. */
  public static final byte TYPE_EC_F2M_PRIVATE_TRANSIENT_RESET = 28;
  /** EC F(2^m) private key, cleared on deselect. */
  public static final byte TYPE_EC_F2M_PRIVATE_TRANSIENT_DESELECT = 29;
  /** EC F(p) private key whose secret S is cleared on reset. */
  public static final byte TYPE_EC_FP_PRIVATE_TRANSIENT_RESET = 30;
  /** EC F(p) private key whose secret S is cleared on deselect. */
  public static final byte TYPE_EC_FP_PRIVATE_TRANSIENT_DESELECT = 31;
  /** DH public key. */
  public static final byte TYPE_DH_PUBLIC = 32;
  /** DH public key, cleared on deselect. */
  public static final byte TYPE_DH_PUBLIC_TRANSIENT_DESELECT = 33;
  /** DH public key, cleared on reset. */
  public static final byte TYPE_DH_PUBLIC_TRANSIENT_RESET = 34;
  /** DH private key. */
  public static final byte TYPE_DH_PRIVATE = 35;
  /** DH private key, cleared on deselect. */
  public static final byte TYPE_DH_PRIVATE_TRANSIENT_DESELECT = 36;
  /** DH private key, cleared on reset. */
  public static final byte TYPE_DH_PRIVATE_TRANSIENT_RESET = 37;

  /** Algorithmic key type for {@link #buildKey(byte, byte, short, boolean)}: DES. */
  public static final byte ALG_TYPE_DES = 1;
  /** Algorithmic key type: AES. */
  public static final byte ALG_TYPE_AES = 2;
  /** Algorithmic key type: DSA public. */
  public static final byte ALG_TYPE_DSA_PUBLIC = 3;
  /** Algorithmic key type: DSA private. */
  public static final byte ALG_TYPE_DSA_PRIVATE = 4;
  /** Algorithmic key type: EC F(2^m) public. */
  public static final byte ALG_TYPE_EC_F2M_PUBLIC = 5;
  /** Algorithmic key type: EC F(2^m) private. */
  public static final byte ALG_TYPE_EC_F2M_PRIVATE = 6;
  /** Algorithmic key type: EC F(p) public. */
  public static final byte ALG_TYPE_EC_FP_PUBLIC = 7;
  /** Algorithmic key type: EC F(p) private. */
  public static final byte ALG_TYPE_EC_FP_PRIVATE = 8;
  /** Algorithmic key type: HMAC. */
  public static final byte ALG_TYPE_HMAC = 9;
  /** Algorithmic key type: Korean SEED. */
  public static final byte ALG_TYPE_KOREAN_SEED = 10;
  /** Algorithmic key type: RSA public. */
  public static final byte ALG_TYPE_RSA_PUBLIC = 11;
  /** Algorithmic key type: RSA private. */
  public static final byte ALG_TYPE_RSA_PRIVATE = 12;
  /** Algorithmic key type: RSA CRT private. */
  public static final byte ALG_TYPE_RSA_CRT_PRIVATE = 13;
  /** Algorithmic key type: DH public. */
  public static final byte ALG_TYPE_DH_PUBLIC = 14;
  /** Algorithmic key type: DH private. */
  public static final byte ALG_TYPE_DH_PRIVATE = 15;
  /** Algorithmic key type: EC F(2^m) domain parameters only. */
  public static final byte ALG_TYPE_EC_F2M_PARAMETERS = 16;
  /** Algorithmic key type: EC F(p) domain parameters only. */
  public static final byte ALG_TYPE_EC_FP_PARAMETERS = 17;
  /** Algorithmic key type: DSA domain parameters only. */
  public static final byte ALG_TYPE_DSA_PARAMETERS = 18;
  /** Algorithmic key type: DH domain parameters only. */
  public static final byte ALG_TYPE_DH_PARAMETERS = 19;

  /** Single DES, 64 bits. */
  public static final short LENGTH_DES = 64;
  /** Two-key Triple DES, 128 bits. */
  public static final short LENGTH_DES3_2KEY = 128;
  /** Three-key Triple DES, 192 bits. */
  public static final short LENGTH_DES3_3KEY = 192;
  /** RSA 512-bit modulus. */
  public static final short LENGTH_RSA_512 = 512;
  /** RSA 736-bit modulus. */
  public static final short LENGTH_RSA_736 = 736;
  /** RSA 768-bit modulus. */
  public static final short LENGTH_RSA_768 = 768;
  /** RSA 896-bit modulus. */
  public static final short LENGTH_RSA_896 = 896;
  /** RSA 1024-bit modulus. */
  public static final short LENGTH_RSA_1024 = 1024;
  /** RSA 1280-bit modulus. */
  public static final short LENGTH_RSA_1280 = 1280;
  /** RSA 1536-bit modulus. */
  public static final short LENGTH_RSA_1536 = 1536;
  /** RSA 1984-bit modulus. */
  public static final short LENGTH_RSA_1984 = 1984;
  /** RSA 2048-bit modulus. */
  public static final short LENGTH_RSA_2048 = 2048;
  /** RSA 3072-bit modulus. */
  public static final short LENGTH_RSA_3072 = 3072;
  /** RSA 4096-bit modulus. */
  public static final short LENGTH_RSA_4096 = 4096;
  /** DSA 512-bit prime. */
  public static final short LENGTH_DSA_512 = 512;
  /** DSA 768-bit prime. */
  public static final short LENGTH_DSA_768 = 768;
  /** DSA 1024-bit prime. */
  public static final short LENGTH_DSA_1024 = 1024;
  /** EC F(p) 112-bit field. */
  public static final short LENGTH_EC_FP_112 = 112;
  /** EC F(2^m) 113-bit field. */
  public static final short LENGTH_EC_F2M_113 = 113;
  /** EC F(p) 128-bit field. */
  public static final short LENGTH_EC_FP_128 = 128;
  /** EC F(2^m) 131-bit field. */
  public static final short LENGTH_EC_F2M_131 = 131;
  /** EC F(p) 160-bit field. */
  public static final short LENGTH_EC_FP_160 = 160;
  /** EC F(2^m) 163-bit field. */
  public static final short LENGTH_EC_F2M_163 = 163;
  /** EC F(p) 192-bit field. */
  public static final short LENGTH_EC_FP_192 = 192;
  /** EC F(2^m) 193-bit field. */
  public static final short LENGTH_EC_F2M_193 = 193;
  /** EC F(p) 224-bit field. */
  public static final short LENGTH_EC_FP_224 = 224;
  /** EC F(p) 256-bit field. */
  public static final short LENGTH_EC_FP_256 = 256;
  /** EC F(p) 384-bit field. */
  public static final short LENGTH_EC_FP_384 = 384;
  /** EC F(p) 521-bit field. */
  public static final short LENGTH_EC_FP_521 = 521;
  /** AES-128. */
  public static final short LENGTH_AES_128 = 128;
  /** AES-192. */
  public static final short LENGTH_AES_192 = 192;
  /** AES-256. */
  public static final short LENGTH_AES_256 = 256;
  /** Korean SEED, 128 bits. */
  public static final short LENGTH_KOREAN_SEED_128 = 128;
  /** HMAC key length for SHA-1 (64-byte block). */
  public static final short LENGTH_HMAC_SHA_1_BLOCK_64 = 64;
  /** HMAC key length for SHA-256 (64-byte block). */
  public static final short LENGTH_HMAC_SHA_256_BLOCK_64 = 64;
  /** HMAC key length for SHA-384 (128-byte block). */
  public static final short LENGTH_HMAC_SHA_384_BLOCK_128 = 128;
  /** HMAC key length for SHA-512 (128-byte block). */
  public static final short LENGTH_HMAC_SHA_512_BLOCK_128 = 128;
  /** DH 1024-bit prime. */
  public static final short LENGTH_DH_1024 = 1024;
  /** DH 2048-bit prime. */
  public static final short LENGTH_DH_2048 = 2048;

  KeyBuilder() {
  }

  /**
   * Creates an uninitialized key of the given type and size (bits). EC F(p) keys of 192, 224, 256,
   * 384 and 521 bits come with the domain parameters of the NIST prime curve of that size already
   * set; other sizes need them set explicitly.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM for a type, size or key-encryption request the card
   *     does not support
   */
  public static Key buildKey(byte keyType, short keyLength, boolean keyEncryption) throws CryptoException {
    return Keys.build(keyType, keyLength, keyEncryption);
  }

  /**
   * Creates a key from an algorithmic type ({@code ALG_TYPE_*}) and a memory type
   * ({@code JCSystem.MEMORY_TYPE_*}).
   *
   * @throws CryptoException NO_SUCH_ALGORITHM for an unsupported combination
   */
  public static Key buildKey(byte algorithmicKeyType, byte keyMemoryType, short keyLength, boolean keyEncryption)
      throws CryptoException {
    return Keys.build(algorithmicKeyType, keyMemoryType, keyLength, keyEncryption);
  }

  /**
   * Creates a key that shares the domain parameters of {@code domainParameters}: changing them in
   * one key changes them in the other.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM for an unsupported combination, ILLEGAL_VALUE when
   *     {@code domainParameters} does not hold parameters of that algorithm
   */
  public static Key buildKeyWithSharedDomain(byte algorithmicKeyType, byte keyMemoryType, Key domainParameters,
      boolean keyEncryption) throws CryptoException {
    return Keys.buildWithSharedDomain(algorithmicKeyType, keyMemoryType, domainParameters, keyEncryption);
  }
}
