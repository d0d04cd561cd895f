package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.Key;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.PrivateKey;
import javacard.security.PublicKey;

/**
 * The key factory behind KeyBuilder and KeyPair. Supported: DES/3DES (64, 128, 192 bits), AES (128,
 * 192, 256), HMAC (1 to 8192 bits), RSA (512 to 4096 bits in steps of 16) public, private and CRT
 * private, EC over F(p) (160 to 521 bits) public and private, each in the persistent and transient
 * variants the API defines. Everything else is CryptoException.NO_SUCH_ALGORITHM.
 */
public final class Keys {
  private Keys() {
  }

  private static void unsupported() {
    CryptoException.throwIt(CryptoException.NO_SUCH_ALGORITHM);
  }

  private static boolean rsaSize(short size) {
    return size >= 512 && size <= 4096 && size % 16 == 0;
  }

  private static boolean ecSize(short size) {
    return size >= 160 && size <= 521;
  }

  /** KeyBuilder.buildKey(byte, short, boolean). */
  public static Key build(byte type, short size, boolean keyEncryption) {
    return build(type, size, keyEncryption, null);
  }

  private static Key build(byte type, short size, boolean keyEncryption, byte[] sharedDomain) {
    if (keyEncryption) {
      unsupported();
    }
    switch (type) {
      case KeyBuilder.TYPE_DES:
      case KeyBuilder.TYPE_DES_TRANSIENT_RESET:
      case KeyBuilder.TYPE_DES_TRANSIENT_DESELECT:
        if (size != KeyBuilder.LENGTH_DES && size != KeyBuilder.LENGTH_DES3_2KEY
            && size != KeyBuilder.LENGTH_DES3_3KEY) {
          unsupported();
        }
        return new DesKeyImpl(type, size, event(type));
      case KeyBuilder.TYPE_AES:
      case KeyBuilder.TYPE_AES_TRANSIENT_RESET:
      case KeyBuilder.TYPE_AES_TRANSIENT_DESELECT:
        if (size != KeyBuilder.LENGTH_AES_128 && size != KeyBuilder.LENGTH_AES_192
            && size != KeyBuilder.LENGTH_AES_256) {
          unsupported();
        }
        return new AesKeyImpl(type, size, event(type));
      case KeyBuilder.TYPE_HMAC:
      case KeyBuilder.TYPE_HMAC_TRANSIENT_RESET:
      case KeyBuilder.TYPE_HMAC_TRANSIENT_DESELECT:
        if (size < 1 || size > 8192) {
          unsupported();
        }
        return new HmacKeyImpl(type, size, event(type));
      case KeyBuilder.TYPE_RSA_PUBLIC:
        if (!rsaSize(size)) {
          unsupported();
        }
        return new RsaPublicKeyImpl(size);
      case KeyBuilder.TYPE_RSA_PRIVATE:
      case KeyBuilder.TYPE_RSA_PRIVATE_TRANSIENT_RESET:
      case KeyBuilder.TYPE_RSA_PRIVATE_TRANSIENT_DESELECT:
        if (!rsaSize(size)) {
          unsupported();
        }
        return new RsaPrivateKeyImpl(type, size, event(type));
      case KeyBuilder.TYPE_RSA_CRT_PRIVATE:
      case KeyBuilder.TYPE_RSA_CRT_PRIVATE_TRANSIENT_RESET:
      case KeyBuilder.TYPE_RSA_CRT_PRIVATE_TRANSIENT_DESELECT:
        if (!rsaSize(size)) {
          unsupported();
        }
        return new RsaCrtKeyImpl(type, size, event(type));
      case KeyBuilder.TYPE_EC_FP_PUBLIC:
        if (!ecSize(size)) {
          unsupported();
        }
        return new EcPublicKeyImpl(type, size, sharedDomain);
      case KeyBuilder.TYPE_EC_FP_PRIVATE:
      case KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_RESET:
      case KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_DESELECT:
        if (!ecSize(size)) {
          unsupported();
        }
        return new EcPrivateKeyImpl(type, size, event(type), sharedDomain);
      default:
        unsupported();
        return null;
    }
  }

  /** The clear event of a key type's secret data. */
  private static byte event(byte type) {
    switch (type) {
      case KeyBuilder.TYPE_DES_TRANSIENT_RESET:
      case KeyBuilder.TYPE_AES_TRANSIENT_RESET:
      case KeyBuilder.TYPE_HMAC_TRANSIENT_RESET:
      case KeyBuilder.TYPE_RSA_PRIVATE_TRANSIENT_RESET:
      case KeyBuilder.TYPE_RSA_CRT_PRIVATE_TRANSIENT_RESET:
      case KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_RESET:
        return JCSystem.CLEAR_ON_RESET;
      case KeyBuilder.TYPE_DES_TRANSIENT_DESELECT:
      case KeyBuilder.TYPE_AES_TRANSIENT_DESELECT:
      case KeyBuilder.TYPE_HMAC_TRANSIENT_DESELECT:
      case KeyBuilder.TYPE_RSA_PRIVATE_TRANSIENT_DESELECT:
      case KeyBuilder.TYPE_RSA_CRT_PRIVATE_TRANSIENT_DESELECT:
      case KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_DESELECT:
        return JCSystem.CLEAR_ON_DESELECT;
      default:
        return Memory.PERSISTENT;
    }
  }

  /**
   * The key type for an algorithmic type and a memory type (JCSystem.MEMORY_TYPE_*), or 0 when the
   * API defines no such type.
   */
  private static byte typeOf(byte algorithmicKeyType, byte keyMemoryType) {
    byte persistent;
    byte reset;
    byte deselect;
    switch (algorithmicKeyType) {
      case KeyBuilder.ALG_TYPE_DES:
        persistent = KeyBuilder.TYPE_DES;
        reset = KeyBuilder.TYPE_DES_TRANSIENT_RESET;
        deselect = KeyBuilder.TYPE_DES_TRANSIENT_DESELECT;
        break;
      case KeyBuilder.ALG_TYPE_AES:
        persistent = KeyBuilder.TYPE_AES;
        reset = KeyBuilder.TYPE_AES_TRANSIENT_RESET;
        deselect = KeyBuilder.TYPE_AES_TRANSIENT_DESELECT;
        break;
      case KeyBuilder.ALG_TYPE_HMAC:
        persistent = KeyBuilder.TYPE_HMAC;
        reset = KeyBuilder.TYPE_HMAC_TRANSIENT_RESET;
        deselect = KeyBuilder.TYPE_HMAC_TRANSIENT_DESELECT;
        break;
      case KeyBuilder.ALG_TYPE_RSA_PUBLIC:
        persistent = KeyBuilder.TYPE_RSA_PUBLIC;
        reset = 0;
        deselect = 0;
        break;
      case KeyBuilder.ALG_TYPE_RSA_PRIVATE:
        persistent = KeyBuilder.TYPE_RSA_PRIVATE;
        reset = KeyBuilder.TYPE_RSA_PRIVATE_TRANSIENT_RESET;
        deselect = KeyBuilder.TYPE_RSA_PRIVATE_TRANSIENT_DESELECT;
        break;
      case KeyBuilder.ALG_TYPE_RSA_CRT_PRIVATE:
        persistent = KeyBuilder.TYPE_RSA_CRT_PRIVATE;
        reset = KeyBuilder.TYPE_RSA_CRT_PRIVATE_TRANSIENT_RESET;
        deselect = KeyBuilder.TYPE_RSA_CRT_PRIVATE_TRANSIENT_DESELECT;
        break;
      case KeyBuilder.ALG_TYPE_EC_FP_PUBLIC:
        persistent = KeyBuilder.TYPE_EC_FP_PUBLIC;
        reset = 0;
        deselect = 0;
        break;
      case KeyBuilder.ALG_TYPE_EC_FP_PRIVATE:
        persistent = KeyBuilder.TYPE_EC_FP_PRIVATE;
        reset = KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_RESET;
        deselect = KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_DESELECT;
        break;
      default:
        return 0;
    }
    switch (keyMemoryType) {
      case JCSystem.MEMORY_TYPE_PERSISTENT:
        return persistent;
      case JCSystem.MEMORY_TYPE_TRANSIENT_RESET:
        return reset;
      case JCSystem.MEMORY_TYPE_TRANSIENT_DESELECT:
        return deselect;
      default:
        return 0;
    }
  }

  /** KeyBuilder.buildKey(byte, byte, short, boolean). */
  public static Key build(byte algorithmicKeyType, byte keyMemoryType, short size, boolean keyEncryption) {
    byte type = typeOf(algorithmicKeyType, keyMemoryType);
    if (type == 0) {
      unsupported();
    }
    return build(type, size, keyEncryption, null);
  }

  /** KeyBuilder.buildKeyWithSharedDomain: EC F(p) keys sharing the domain array of an EC key. */
  public static Key buildWithSharedDomain(byte algorithmicKeyType, byte keyMemoryType, Key domainParameters,
      boolean keyEncryption) {
    if (algorithmicKeyType != KeyBuilder.ALG_TYPE_EC_FP_PUBLIC
        && algorithmicKeyType != KeyBuilder.ALG_TYPE_EC_FP_PRIVATE) {
      unsupported();
    }
    byte type = typeOf(algorithmicKeyType, keyMemoryType);
    if (type == 0) {
      unsupported();
    }
    if (!(domainParameters instanceof EcKeyImpl)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    EcKeyImpl source = (EcKeyImpl) domainParameters;
    return build(type, source.size, keyEncryption, source.domain);
  }

  /** The public key of a new KeyPair(algorithm, size). */
  public static Key buildPublicOfPair(byte algorithm, short size) {
    switch (algorithm) {
      case KeyPair.ALG_RSA:
      case KeyPair.ALG_RSA_CRT:
        return build(KeyBuilder.TYPE_RSA_PUBLIC, size, false);
      case KeyPair.ALG_EC_FP:
        return build(KeyBuilder.TYPE_EC_FP_PUBLIC, size, false);
      default:
        unsupported();
        return null;
    }
  }

  /** The private key of a new KeyPair(algorithm, size). */
  public static Key buildPrivateOfPair(byte algorithm, short size) {
    switch (algorithm) {
      case KeyPair.ALG_RSA:
        return build(KeyBuilder.TYPE_RSA_PRIVATE, size, false);
      case KeyPair.ALG_RSA_CRT:
        return build(KeyBuilder.TYPE_RSA_CRT_PRIVATE, size, false);
      case KeyPair.ALG_EC_FP:
        return build(KeyBuilder.TYPE_EC_FP_PRIVATE, size, false);
      default:
        unsupported();
        return null;
    }
  }

  /** KeyPair(PublicKey, PrivateKey): the two keys must form an RSA or an EC F(p) pair of one size. */
  public static void checkPair(PublicKey publicKey, PrivateKey privateKey) {
    if (publicKey instanceof RsaPublicKeyImpl) {
      if (!(privateKey instanceof RsaPrivateKeyImpl) && !(privateKey instanceof RsaCrtKeyImpl)) {
        CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
      }
    } else if (publicKey instanceof EcPublicKeyImpl) {
      if (!(privateKey instanceof EcPrivateKeyImpl)) {
        CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
      }
    } else {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    if (publicKey.getSize() != privateKey.getSize()) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
  }

  /** KeyPair.genKeyPair(). */
  public static void generate(PublicKey publicKey, PrivateKey privateKey) {
    checkPair(publicKey, privateKey);
    if (publicKey instanceof RsaPublicKeyImpl) {
      generateRsa((RsaPublicKeyImpl) publicKey, (KeyBase) privateKey);
    } else {
      generateEc((EcPublicKeyImpl) publicKey, (EcPrivateKeyImpl) privateKey);
    }
  }

  private static void generateRsa(RsaPublicKeyImpl pub, KeyBase priv) {
    short n = pub.modulusLength;
    byte[] e = pub.exponent;
    if (!Component.isSet(e, (short) 0, n)) {
      // No exponent chosen: 65537 (01 00 01), right-aligned.
      Memory.zero(e, (short) 0, n);
      e[(short) (n - 3)] = 1;
      e[(short) (n - 1)] = 1;
      e[n] = 1;
    } else if ((pub.exponent[(short) (n - 1)] & 1) == 0) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    pub.modulus[n] = 0;
    if (priv instanceof RsaCrtKeyImpl) {
      RsaCrtKeyImpl crt = (RsaCrtKeyImpl) priv;
      Memory.zero(crt.crt, (short) 0, (short) crt.crt.length);
      Primitives.rsaGenerate(pub.size, pub.exponent, pub.modulus, crt.crt, true);
      for (short slot = 0; slot < 5; slot++) {
        crt.crt[(short) (slot * (crt.half + 1) + crt.half)] = 1;
      }
    } else {
      RsaPrivateKeyImpl plain = (RsaPrivateKeyImpl) priv;
      plain.modulus[n] = 0;
      plain.exponent[n] = 0;
      Primitives.rsaGenerate(pub.size, pub.exponent, pub.modulus, plain.exponent, false);
      Memory.copy(pub.modulus, (short) 0, plain.modulus, (short) 0, n);
      plain.modulus[n] = 1;
      plain.exponent[n] = 1;
    }
    pub.modulus[n] = 1;
  }

  private static void generateEc(EcPublicKeyImpl pub, EcPrivateKeyImpl priv) {
    if (!pub.domainComplete()) {
      if (!priv.domainComplete()) {
        CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
      }
      pub.copyDomainParametersFrom(priv);
    } else if (priv.domain != pub.domain
        && Util.arrayCompare(pub.domain, (short) 0, priv.domain, (short) 0, (short) pub.domain.length) != 0) {
      priv.copyDomainParametersFrom(pub);
    }
    short w = pub.pointLength();
    short s = priv.secretCapacity();
    pub.point[w] = 0;
    priv.secret[s] = 0;
    Primitives.ecGenerate(pub.domain, pub.fieldLength, pub.point, (short) 0, priv.secret, (short) 0);
    priv.secret[s] = 1;
    pub.point[w] = 1;
  }
}
