package org.sefleet.jcre.security;

/**
 * The cryptographic primitives the VM implements in C++ (over src/crypto). Every native here is
 * stateless: all it needs arrives as arguments, and outputs go only to the arrays named as outputs.
 * The Java callers have already checked every range, key and state; the natives check ranges again
 * (ArrayIndexOutOfBoundsException) and refuse values only they can judge (CryptoException). Each
 * call charges its cost on the card's virtual clock. Exact contracts: javacard/rom/NATIVES.md.
 */
public final class Primitives {
  /** Block cipher modes of {@link #blockCipher}. */
  static final byte AES_ECB = 1;
  static final byte AES_CBC = 2;
  static final byte AES_CTR = 3;
  static final byte DES_ECB = 4;
  static final byte DES_CBC = 5;

  /** RSA key forms of the RSA natives. */
  static final byte RSA_PUBLIC = 1;
  static final byte RSA_PRIVATE = 2;
  static final byte RSA_CRT = 3;

  /** Checksum algorithms of {@link #crc} (the {@code Checksum.ALG_*} codes). */
  static final byte CRC16 = 1;
  static final byte CRC32 = 2;

  private Primitives() {
  }

  /**
   * Encrypts or decrypts {@code length} bytes with AES or DES/3DES in ECB, CBC or CTR mode, no
   * padding. CBC and CTR read the IV (counter) at {@code iv[ivOffset]} and write back the value
   * that continues the stream. {@code out} may be null for CBC encryption (a CBC-MAC step: only
   * the IV is updated).
   */
  static native void blockCipher(byte mode, boolean encrypt, byte[] key, short keyOffset, short keyLength, byte[] iv,
      short ivOffset, byte[] in, short inOffset, short length, byte[] out, short outOffset);

  /** Fills {@code out[offset..offset+length)} from the card's random source. */
  static native void randomBytes(byte[] out, short offset, short length);

  /** Adds seed material to the card's random source. */
  static native void randomSeed(byte[] in, short offset, short length);

  /**
   * Continues an ISO 3309 CRC: returns the register after processing the input, starting from
   * {@code register} (CRC-16 uses its low 16 bits). The register is not complemented.
   */
  static native int crc(byte algorithm, int register, byte[] in, short offset, short length);

  /** RSA encryption or decryption with PKCS#1 v1.5, OAEP or no padding; returns the output length. */
  static native short rsaCipher(byte keyForm, byte[] a, byte[] b, short modulusLength, byte padding, boolean encrypt,
      byte[] in, short inOffset, short inLength, byte[] out, short outOffset);

  /** RSA signature (PKCS#1 v1.5 or PSS) of a digest; returns the signature length. */
  static native short rsaSignHash(byte keyForm, byte[] a, byte[] b, short modulusLength, byte padding,
      byte hashAlgorithm, byte[] hash, short hashOffset, short hashLength, byte[] sig, short sigOffset);

  /** Verifies an RSA signature (PKCS#1 v1.5 or PSS) of a digest. */
  static native boolean rsaVerifyHash(byte[] modulus, byte[] exponent, short modulusLength, byte padding,
      byte hashAlgorithm, byte[] hash, short hashOffset, short hashLength, byte[] sig, short sigOffset,
      short sigLength);

  /**
   * Generates an RSA key pair with the public exponent held right-aligned in
   * {@code exponent[0..bits/8)}: writes the modulus and the private exponent or CRT components.
   */
  static native void rsaGenerate(short bits, byte[] exponent, byte[] modulusOut, byte[] privateOut, boolean crt);

  /** Writes the domain parameters of the NIST prime curve of {@code bits} bits into a domain array. */
  static native void ecNamedDomain(short bits, byte[] domain);

  /** Generates an EC key pair over the domain: W (uncompressed) and S. */
  static native void ecGenerate(byte[] domain, short fieldLength, byte[] w, short wOffset, byte[] s, short sOffset);

  /** ECDSA signature of a digest, DER-encoded or plain r || s; returns the signature length. */
  static native short ecdsaSign(byte[] domain, short fieldLength, byte[] s, short sOffset, byte[] hash,
      short hashOffset, short hashLength, boolean plain, byte[] sig, short sigOffset);

  /** Verifies an ECDSA signature of a digest. */
  static native boolean ecdsaVerify(byte[] domain, short fieldLength, byte[] w, short wOffset, byte[] hash,
      short hashOffset, short hashLength, boolean plain, byte[] sig, short sigOffset, short sigLength);

  /** ECDH: the shared X coordinate, or the whole shared point; returns the output length. */
  static native short ecdh(byte[] domain, short fieldLength, byte[] s, short sOffset, byte[] publicPoint,
      short publicOffset, short publicLength, boolean cofactor, boolean wholePoint, byte[] out, short outOffset);

  /** Checks a point (uncompressed or compressed) on the domain's curve and writes it uncompressed. */
  static native short ecDecodePoint(byte[] domain, short fieldLength, byte[] in, short inOffset, short inLength,
      byte[] out, short outOffset);
}
