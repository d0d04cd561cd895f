package org.sefleet.jcre.security;

import javacard.security.Checksum;
import javacard.security.CryptoException;
import javacard.security.InitializedMessageDigest;
import javacard.security.KeyAgreement;
import javacard.security.MessageDigest;
import javacard.security.RandomData;
import javacard.security.Signature;
import javacardx.crypto.AEADCipher;
import javacardx.crypto.Cipher;

/**
 * The factories behind the getInstance methods of the API, and the algorithm tables: which ALG_*
 * codes this card implements and what they are made of. An algorithm that is not listed here is
 * refused with CryptoException.NO_SUCH_ALGORITHM (the table in docs/javacard.md).
 */
public final class Engines {
  private static final OneShotCache digests = new OneShotCache(OneShotCache.DIGEST);
  private static final OneShotCache randoms = new OneShotCache(OneShotCache.RANDOM);
  private static final OneShotCache signatures = new OneShotCache(OneShotCache.SIGNATURE);
  private static final OneShotCache ciphers = new OneShotCache(OneShotCache.CIPHER);

  private Engines() {
  }

  private static void unsupported() {
    CryptoException.throwIt(CryptoException.NO_SUCH_ALGORITHM);
  }

  // ---- MessageDigest, InitializedMessageDigest, RandomData, Checksum, KeyAgreement ----------

  /** MessageDigest.getInstance. */
  public static MessageDigest messageDigest(byte algorithm, boolean externalAccess) {
    if (DigestImpl.lengthOf(algorithm) == 0) {
      unsupported();
    }
    return new DigestImpl(algorithm);
  }

  /**
   * MessageDigest.getInitializedMessageDigestInstance: this card cannot resume a digest from an
   * intermediate state, so every algorithm is refused.
   */
  public static InitializedMessageDigest initializedMessageDigest(byte algorithm, boolean externalAccess) {
    unsupported();
    return null;
  }

  /** RandomData.getInstance. */
  public static RandomData randomData(byte algorithm) {
    if (!RandomImpl.supports(algorithm)) {
      unsupported();
    }
    return new RandomImpl(algorithm);
  }

  /** Checksum.getInstance. */
  public static Checksum checksum(byte algorithm, boolean externalAccess) {
    if (algorithm != Checksum.ALG_ISO3309_CRC16 && algorithm != Checksum.ALG_ISO3309_CRC32) {
      unsupported();
    }
    return new ChecksumImpl(algorithm);
  }

  /** KeyAgreement.getInstance: the ECDH variants (not PACE, not finite-field DH). */
  public static KeyAgreement keyAgreement(byte algorithm, boolean externalAccess) {
    switch (algorithm) {
      case KeyAgreement.ALG_EC_SVDP_DH:
      case KeyAgreement.ALG_EC_SVDP_DHC:
      case KeyAgreement.ALG_EC_SVDP_DH_PLAIN:
      case KeyAgreement.ALG_EC_SVDP_DHC_PLAIN:
      case KeyAgreement.ALG_EC_SVDP_DH_PLAIN_XY:
        return new EcdhImpl(algorithm, false);
      default:
        unsupported();
        return null;
    }
  }

  // ---- Signature ----------------------------------------------------------------------------

  /**
   * The parts of a Signature ALG_* code as (digest << 8) | (cipher << 4)... packed in a short:
   * digest in bits 15..10, cipher in bits 9..5, padding in bits 4..0; 0 for an algorithm this card
   * does not implement.
   */
  private static short signatureParts(byte algorithm) {
    switch (algorithm) {
      case Signature.ALG_DES_MAC4_NOPAD:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC4, Cipher.PAD_NOPAD);
      case Signature.ALG_DES_MAC8_NOPAD:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC8, Cipher.PAD_NOPAD);
      case Signature.ALG_DES_MAC4_ISO9797_M1:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC4, Cipher.PAD_ISO9797_M1);
      case Signature.ALG_DES_MAC8_ISO9797_M1:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC8, Cipher.PAD_ISO9797_M1);
      case Signature.ALG_DES_MAC4_ISO9797_M2:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC4, Cipher.PAD_ISO9797_M2);
      case Signature.ALG_DES_MAC8_ISO9797_M2:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC8, Cipher.PAD_ISO9797_M2);
      case Signature.ALG_DES_MAC4_PKCS5:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC4, Cipher.PAD_PKCS5);
      case Signature.ALG_DES_MAC8_PKCS5:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC8, Cipher.PAD_PKCS5);
      case Signature.ALG_DES_MAC4_ISO9797_1_M2_ALG3:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC4, Cipher.PAD_ISO9797_1_M2_ALG3);
      case Signature.ALG_DES_MAC8_ISO9797_1_M2_ALG3:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC8, Cipher.PAD_ISO9797_1_M2_ALG3);
      case Signature.ALG_DES_MAC4_ISO9797_1_M1_ALG3:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC4, Cipher.PAD_ISO9797_1_M1_ALG3);
      case Signature.ALG_DES_MAC8_ISO9797_1_M1_ALG3:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC8, Cipher.PAD_ISO9797_1_M1_ALG3);
      case Signature.ALG_AES_MAC_128_NOPAD:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_AES_MAC128, Cipher.PAD_NOPAD);
      case Signature.ALG_AES_CMAC_128:
        return parts(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_AES_CMAC128, Cipher.PAD_NULL);
      case Signature.ALG_HMAC_SHA1:
        return parts(MessageDigest.ALG_SHA, Signature.SIG_CIPHER_HMAC, Cipher.PAD_NULL);
      case Signature.ALG_HMAC_SHA_256:
        return parts(MessageDigest.ALG_SHA_256, Signature.SIG_CIPHER_HMAC, Cipher.PAD_NULL);
      case Signature.ALG_HMAC_SHA_384:
        return parts(MessageDigest.ALG_SHA_384, Signature.SIG_CIPHER_HMAC, Cipher.PAD_NULL);
      case Signature.ALG_HMAC_SHA_512:
        return parts(MessageDigest.ALG_SHA_512, Signature.SIG_CIPHER_HMAC, Cipher.PAD_NULL);
      case Signature.ALG_ECDSA_SHA:
        return parts(MessageDigest.ALG_SHA, Signature.SIG_CIPHER_ECDSA, Cipher.PAD_NULL);
      case Signature.ALG_ECDSA_SHA_224:
        return parts(MessageDigest.ALG_SHA_224, Signature.SIG_CIPHER_ECDSA, Cipher.PAD_NULL);
      case Signature.ALG_ECDSA_SHA_256:
        return parts(MessageDigest.ALG_SHA_256, Signature.SIG_CIPHER_ECDSA, Cipher.PAD_NULL);
      case Signature.ALG_ECDSA_SHA_384:
        return parts(MessageDigest.ALG_SHA_384, Signature.SIG_CIPHER_ECDSA, Cipher.PAD_NULL);
      case Signature.ALG_ECDSA_SHA_512:
        return parts(MessageDigest.ALG_SHA_512, Signature.SIG_CIPHER_ECDSA, Cipher.PAD_NULL);
      case Signature.ALG_RSA_SHA_PKCS1:
        return parts(MessageDigest.ALG_SHA, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1);
      case Signature.ALG_RSA_SHA_224_PKCS1:
        return parts(MessageDigest.ALG_SHA_224, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1);
      case Signature.ALG_RSA_SHA_256_PKCS1:
        return parts(MessageDigest.ALG_SHA_256, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1);
      case Signature.ALG_RSA_SHA_384_PKCS1:
        return parts(MessageDigest.ALG_SHA_384, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1);
      case Signature.ALG_RSA_SHA_512_PKCS1:
        return parts(MessageDigest.ALG_SHA_512, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1);
      case Signature.ALG_RSA_SHA_PKCS1_PSS:
        return parts(MessageDigest.ALG_SHA, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1_PSS);
      case Signature.ALG_RSA_SHA_224_PKCS1_PSS:
        return parts(MessageDigest.ALG_SHA_224, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1_PSS);
      case Signature.ALG_RSA_SHA_256_PKCS1_PSS:
        return parts(MessageDigest.ALG_SHA_256, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1_PSS);
      case Signature.ALG_RSA_SHA_384_PKCS1_PSS:
        return parts(MessageDigest.ALG_SHA_384, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1_PSS);
      case Signature.ALG_RSA_SHA_512_PKCS1_PSS:
        return parts(MessageDigest.ALG_SHA_512, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1_PSS);
      default:
        return 0;
    }
  }

  private static short parts(byte digest, byte cipher, byte padding) {
    return (short) (((digest & 0x3F) << 10) | ((cipher & 0x1F) << 5) | (padding & 0x1F));
  }

  /** The ALG_* code made of these parts, or 0 when none is. */
  private static byte signatureAlgorithm(byte digest, byte cipher, byte padding) {
    short wanted = parts(digest, cipher, padding);
    for (byte algorithm = 1; algorithm <= Signature.ALG_AES_CMAC_128; algorithm++) {
      if (signatureParts(algorithm) == wanted) {
        return algorithm;
      }
    }
    return 0;
  }

  private static boolean isShaDigest(byte digest) {
    return DigestImpl.lengthOf(digest) != 0;
  }

  private static boolean isBlockPadding(byte padding) {
    return padding == Cipher.PAD_NOPAD || padding == Cipher.PAD_ISO9797_M1 || padding == Cipher.PAD_ISO9797_M2
        || padding == Cipher.PAD_PKCS5;
  }

  /** Builds the engine for a combination, or throws NO_SUCH_ALGORITHM. */
  private static Signature buildSignature(byte digest, byte cipher, byte padding, boolean oneShot) {
    byte algorithm = signatureAlgorithm(digest, cipher, padding);
    switch (cipher) {
      case Signature.SIG_CIPHER_DES_MAC4:
      case Signature.SIG_CIPHER_DES_MAC8: {
        if (digest != MessageDigest.ALG_NULL) {
          break;
        }
        short length = cipher == Signature.SIG_CIPHER_DES_MAC4 ? (short) 4 : (short) 8;
        if (isBlockPadding(padding)) {
          return new MacSignature(algorithm, cipher, padding, MacSignature.CBC_MAC, length, oneShot);
        }
        if (padding == Cipher.PAD_ISO9797_1_M1_ALG3 || padding == Cipher.PAD_ISO9797_1_M2_ALG3) {
          return new MacSignature(algorithm, cipher, padding, MacSignature.RETAIL_MAC, length, oneShot);
        }
        break;
      }
      case Signature.SIG_CIPHER_AES_MAC128:
        if (digest == MessageDigest.ALG_NULL && isBlockPadding(padding)) {
          return new MacSignature(algorithm, cipher, padding, MacSignature.CBC_MAC, (short) 16, oneShot);
        }
        break;
      case Signature.SIG_CIPHER_AES_CMAC128:
        if (digest == MessageDigest.ALG_NULL
            && (padding == Cipher.PAD_NULL || padding == Cipher.PAD_ISO9797_M2)) {
          return new MacSignature(Signature.ALG_AES_CMAC_128, cipher, padding, MacSignature.CMAC, (short) 16,
              oneShot);
        }
        break;
      case Signature.SIG_CIPHER_HMAC:
        if (isShaDigest(digest) && padding == Cipher.PAD_NULL) {
          return new HmacSignature(algorithm, digest, oneShot);
        }
        break;
      case Signature.SIG_CIPHER_ECDSA:
      case Signature.SIG_CIPHER_ECDSA_PLAIN:
        if ((isShaDigest(digest) || digest == MessageDigest.ALG_NULL) && padding == Cipher.PAD_NULL) {
          return new EcdsaSignature(algorithm, digest, cipher, oneShot);
        }
        break;
      case Signature.SIG_CIPHER_RSA:
        if (padding == Cipher.PAD_PKCS1 && (isShaDigest(digest) || digest == MessageDigest.ALG_NULL)) {
          return new RsaSignature(algorithm, digest, padding, oneShot);
        }
        if (padding == Cipher.PAD_PKCS1_PSS && isShaDigest(digest)) {
          return new RsaSignature(algorithm, digest, padding, oneShot);
        }
        break;
      default:
        break;
    }
    unsupported();
    return null;
  }

  /** Signature.getInstance(byte, boolean). */
  public static Signature signature(byte algorithm, boolean externalAccess) {
    short parts = signatureParts(algorithm);
    if (parts == 0) {
      unsupported();
    }
    return buildSignature((byte) ((parts >> 10) & 0x3F), (byte) ((parts >> 5) & 0x1F), (byte) (parts & 0x1F),
        false);
  }

  /** Signature.getInstance(byte, byte, byte, boolean). */
  public static Signature signature(byte digest, byte cipher, byte padding, boolean externalAccess) {
    return buildSignature(digest, cipher, padding, false);
  }

  // ---- Cipher -------------------------------------------------------------------------------

  /** The (cipher, padding) parts of a Cipher ALG_* code, packed as (cipher << 8) | padding; 0 when unsupported. */
  private static short cipherParts(byte algorithm) {
    switch (algorithm) {
      case Cipher.ALG_DES_CBC_NOPAD:
        return cipherParts(Cipher.CIPHER_DES_CBC, Cipher.PAD_NOPAD);
      case Cipher.ALG_DES_CBC_ISO9797_M1:
        return cipherParts(Cipher.CIPHER_DES_CBC, Cipher.PAD_ISO9797_M1);
      case Cipher.ALG_DES_CBC_ISO9797_M2:
        return cipherParts(Cipher.CIPHER_DES_CBC, Cipher.PAD_ISO9797_M2);
      case Cipher.ALG_DES_CBC_PKCS5:
        return cipherParts(Cipher.CIPHER_DES_CBC, Cipher.PAD_PKCS5);
      case Cipher.ALG_DES_ECB_NOPAD:
        return cipherParts(Cipher.CIPHER_DES_ECB, Cipher.PAD_NOPAD);
      case Cipher.ALG_DES_ECB_ISO9797_M1:
        return cipherParts(Cipher.CIPHER_DES_ECB, Cipher.PAD_ISO9797_M1);
      case Cipher.ALG_DES_ECB_ISO9797_M2:
        return cipherParts(Cipher.CIPHER_DES_ECB, Cipher.PAD_ISO9797_M2);
      case Cipher.ALG_DES_ECB_PKCS5:
        return cipherParts(Cipher.CIPHER_DES_ECB, Cipher.PAD_PKCS5);
      case Cipher.ALG_RSA_PKCS1:
        return cipherParts(Cipher.CIPHER_RSA, Cipher.PAD_PKCS1);
      case Cipher.ALG_RSA_NOPAD:
        return cipherParts(Cipher.CIPHER_RSA, Cipher.PAD_NOPAD);
      case Cipher.ALG_RSA_PKCS1_OAEP:
        return cipherParts(Cipher.CIPHER_RSA, Cipher.PAD_PKCS1_OAEP);
      case Cipher.ALG_AES_BLOCK_128_CBC_NOPAD:
        return cipherParts(Cipher.CIPHER_AES_CBC, Cipher.PAD_NOPAD);
      case Cipher.ALG_AES_BLOCK_128_ECB_NOPAD:
        return cipherParts(Cipher.CIPHER_AES_ECB, Cipher.PAD_NOPAD);
      case Cipher.ALG_AES_CBC_ISO9797_M1:
        return cipherParts(Cipher.CIPHER_AES_CBC, Cipher.PAD_ISO9797_M1);
      case Cipher.ALG_AES_CBC_ISO9797_M2:
        return cipherParts(Cipher.CIPHER_AES_CBC, Cipher.PAD_ISO9797_M2);
      case Cipher.ALG_AES_CBC_PKCS5:
        return cipherParts(Cipher.CIPHER_AES_CBC, Cipher.PAD_PKCS5);
      case Cipher.ALG_AES_ECB_ISO9797_M1:
        return cipherParts(Cipher.CIPHER_AES_ECB, Cipher.PAD_ISO9797_M1);
      case Cipher.ALG_AES_ECB_ISO9797_M2:
        return cipherParts(Cipher.CIPHER_AES_ECB, Cipher.PAD_ISO9797_M2);
      case Cipher.ALG_AES_ECB_PKCS5:
        return cipherParts(Cipher.CIPHER_AES_ECB, Cipher.PAD_PKCS5);
      case AEADCipher.ALG_AES_GCM:
        return cipherParts(AEADCipher.CIPHER_AES_GCM, Cipher.PAD_NULL);
      case AEADCipher.ALG_AES_CCM:
        return cipherParts(AEADCipher.CIPHER_AES_CCM, Cipher.PAD_NULL);
      default:
        return 0;
    }
  }

  private static short cipherParts(byte cipher, byte padding) {
    return (short) (((cipher & 0xFF) << 8) | (padding & 0xFF));
  }

  /** The Cipher ALG_* code made of these parts (PAD_NULL read as PAD_NOPAD for block ciphers), or 0. */
  private static byte cipherAlgorithm(byte cipher, byte padding) {
    if (cipher == AEADCipher.CIPHER_AES_GCM) {
      return AEADCipher.ALG_AES_GCM;
    }
    if (cipher == AEADCipher.CIPHER_AES_CCM) {
      return AEADCipher.ALG_AES_CCM;
    }
    short wanted = cipherParts(cipher, padding == Cipher.PAD_NULL ? Cipher.PAD_NOPAD : padding);
    for (byte algorithm = Cipher.ALG_DES_CBC_NOPAD; algorithm <= Cipher.ALG_AES_ECB_PKCS5; algorithm++) {
      if (cipherParts(algorithm) == wanted) {
        return algorithm;
      }
    }
    return 0;
  }

  private static boolean isOaep(byte padding) {
    return padding == Cipher.PAD_PKCS1_OAEP || padding == Cipher.PAD_PKCS1_OAEP_SHA224
        || padding == Cipher.PAD_PKCS1_OAEP_SHA256 || padding == Cipher.PAD_PKCS1_OAEP_SHA384
        || padding == Cipher.PAD_PKCS1_OAEP_SHA512;
  }

  private static Cipher buildCipher(byte algorithm, byte cipher, byte padding, boolean oneShot) {
    boolean block = isBlockPadding(padding) || padding == Cipher.PAD_NULL;
    switch (cipher) {
      case Cipher.CIPHER_AES_CBC:
        if (block) {
          return new BlockCipherImpl(algorithm, cipher, padding, Primitives.AES_CBC, oneShot);
        }
        break;
      case Cipher.CIPHER_AES_ECB:
        if (block) {
          return new BlockCipherImpl(algorithm, cipher, padding, Primitives.AES_ECB, oneShot);
        }
        break;
      case Cipher.CIPHER_DES_CBC:
        if (block) {
          return new BlockCipherImpl(algorithm, cipher, padding, Primitives.DES_CBC, oneShot);
        }
        break;
      case Cipher.CIPHER_DES_ECB:
        if (block) {
          return new BlockCipherImpl(algorithm, cipher, padding, Primitives.DES_ECB, oneShot);
        }
        break;
      case Cipher.CIPHER_RSA:
        if (padding == Cipher.PAD_PKCS1 || padding == Cipher.PAD_NOPAD || padding == Cipher.PAD_NULL
            || isOaep(padding)) {
          return new RsaCipherImpl(algorithm, padding, oneShot);
        }
        break;
      case AEADCipher.CIPHER_AES_GCM:
        if (padding == Cipher.PAD_NULL) {
          return new AeadImpl(AEADCipher.ALG_AES_GCM, oneShot);
        }
        break;
      case AEADCipher.CIPHER_AES_CCM:
        if (padding == Cipher.PAD_NULL) {
          return new AeadImpl(AEADCipher.ALG_AES_CCM, oneShot);
        }
        break;
      default:
        break;
    }
    unsupported();
    return null;
  }

  /** Cipher.getInstance(byte, boolean); ALG_AES_CTR, ALG_AES_GCM and ALG_AES_CCM included. */
  public static Cipher cipher(byte algorithm, boolean externalAccess) {
    if (algorithm == Cipher.ALG_AES_CTR) {
      return new BlockCipherImpl(algorithm, algorithm, Cipher.PAD_NOPAD, Primitives.AES_CTR, false);
    }
    short parts = cipherParts(algorithm);
    if (parts == 0) {
      unsupported();
    }
    return buildCipher(algorithm, (byte) (parts >> 8), (byte) parts, false);
  }

  /** Cipher.getInstance(byte, byte, boolean). */
  public static Cipher cipher(byte cipherAlgorithm, byte paddingAlgorithm, boolean externalAccess) {
    return buildCipher(cipherAlgorithm(cipherAlgorithm, paddingAlgorithm), cipherAlgorithm, paddingAlgorithm,
        false);
  }

  // ---- OneShot delegates --------------------------------------------------------------------

  /** The engine for MessageDigest.OneShot slot {@code slot}. */
  public static MessageDigest oneShotDigest(byte algorithm, byte slot) {
    short key = (short) ((slot << 8) | (algorithm & 0xFF));
    return (MessageDigest) digests.engine(key, algorithm, (byte) 0, (byte) 0);
  }

  /** The engine for RandomData.OneShot slot {@code slot}. */
  public static RandomData oneShotRandom(byte algorithm, byte slot) {
    short key = (short) ((slot << 8) | (algorithm & 0xFF));
    return (RandomData) randoms.engine(key, algorithm, (byte) 0, (byte) 0);
  }

  /** The engine for Signature.OneShot slot {@code slot}; its init state is transient. */
  public static Signature oneShotSignature(byte digest, byte cipher, byte padding, byte slot) {
    short key = (short) ((slot << 15) | parts(digest, cipher, padding));
    return (Signature) signatures.engine(key, digest, cipher, padding);
  }

  /** The engine for Cipher.OneShot slot {@code slot}; its init state is transient. */
  public static Cipher oneShotCipher(byte cipher, byte padding, byte slot) {
    short key = (short) ((slot << 15) | (cipherParts(cipher, padding) & 0x7FFF));
    return (Cipher) ciphers.engine(key, cipher, padding, (byte) 0);
  }

  /** Builds a one-shot engine of a cache's kind (called by OneShotCache, in the runtime's context). */
  static Object oneShotEngine(byte kind, byte a, byte b, byte c) {
    switch (kind) {
      case OneShotCache.DIGEST:
        return messageDigest(a, false);
      case OneShotCache.RANDOM:
        return randomData(a);
      case OneShotCache.SIGNATURE:
        return buildSignature(a, b, c, true);
      default:
        return buildCipher(cipherAlgorithm(a, b), a, b, true);
    }
  }

  /** Drops the key and mode of a one-shot engine (before it is handed to the next user). */
  public static void forgetKey(Object engine) {
    if (engine instanceof Forgettable) {
      ((Forgettable) engine).forget();
    }
  }
}
