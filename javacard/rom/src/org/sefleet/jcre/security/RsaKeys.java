package org.sefleet.jcre.security;

/** How an RSA key is passed to the natives: its form and its one or two arrays. */
final class RsaKeys {
  private RsaKeys() {
  }

  static byte form(KeyBase key) {
    if (key instanceof RsaPublicKeyImpl) {
      return Primitives.RSA_PUBLIC;
    }
    return key instanceof RsaCrtKeyImpl ? Primitives.RSA_CRT : Primitives.RSA_PRIVATE;
  }

  /** The modulus (public and plain private keys) or the CRT array. */
  static byte[] first(KeyBase key) {
    if (key instanceof RsaPublicKeyImpl) {
      return ((RsaPublicKeyImpl) key).modulus;
    }
    if (key instanceof RsaCrtKeyImpl) {
      return ((RsaCrtKeyImpl) key).crt;
    }
    return ((RsaPrivateKeyImpl) key).modulus;
  }

  /** The exponent (public and plain private keys), null for a CRT key. */
  static byte[] second(KeyBase key) {
    if (key instanceof RsaPublicKeyImpl) {
      return ((RsaPublicKeyImpl) key).exponent;
    }
    if (key instanceof RsaCrtKeyImpl) {
      return null;
    }
    return ((RsaPrivateKeyImpl) key).exponent;
  }

  static short modulusLength(KeyBase key) {
    return (short) (key.size / 8);
  }
}
