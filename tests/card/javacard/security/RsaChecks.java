package sefleet.test.security;

import javacard.security.CryptoException;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.MessageDigest;
import javacard.security.RSAPrivateCrtKey;
import javacard.security.RSAPrivateKey;
import javacard.security.RSAPublicKey;
import javacard.security.Signature;
import javacardx.crypto.Cipher;

/**
 * RSA: a fixed 1024-bit key in all three forms, PKCS#1 v1.5 signatures (deterministic: compared
 * byte for byte), PSS, PKCS#1 v1.5 encryption with either key (block types 1 and 2), OAEP, raw RSA,
 * and key generation.
 */
final class RsaChecks {
  private static final short OUT = 200;
  private static final short OUT2 = 500;

  private final RSAPublicKey publicKey =
      (RSAPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_RSA_PUBLIC, KeyBuilder.LENGTH_RSA_1024, false);
  private final RSAPrivateCrtKey crtKey = (RSAPrivateCrtKey) KeyBuilder.buildKey(
      KeyBuilder.TYPE_RSA_CRT_PRIVATE_TRANSIENT_DESELECT, KeyBuilder.LENGTH_RSA_1024, false);
  private final RSAPrivateKey plainKey =
      (RSAPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_RSA_PRIVATE, KeyBuilder.LENGTH_RSA_1024, false);
  private final KeyPair generated = new KeyPair(KeyPair.ALG_RSA_CRT, KeyBuilder.LENGTH_RSA_2048);
  private final KeyPair small = new KeyPair(KeyPair.ALG_RSA, KeyBuilder.LENGTH_RSA_1024);

  private final Signature sha256Pkcs1 = Signature.getInstance(Signature.ALG_RSA_SHA_256_PKCS1, false);
  private final Signature sha1Pkcs1 = Signature.getInstance(Signature.ALG_RSA_SHA_PKCS1, false);
  private final Signature sha256Pss = Signature.getInstance(Signature.ALG_RSA_SHA_256_PKCS1_PSS, false);
  private final Signature rawPkcs1 =
      Signature.getInstance(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1, false);
  private final Cipher pkcs1 = Cipher.getInstance(Cipher.ALG_RSA_PKCS1, false);
  private final Cipher oaep = Cipher.getInstance(Cipher.ALG_RSA_PKCS1_OAEP, false);
  private final Cipher oaep256 = Cipher.getInstance(Cipher.CIPHER_RSA, Cipher.PAD_PKCS1_OAEP_SHA256, false);
  private final Cipher noPad = Cipher.getInstance(Cipher.ALG_RSA_NOPAD, false);

  private void setKeys() {
    publicKey.setModulus(Vectors.RSA_N, (short) 0, (short) 128);
    publicKey.setExponent(Vectors.RSA_E, (short) 0, (short) 3);
    crtKey.setP(Vectors.RSA_P, (short) 0, (short) 64);
    crtKey.setQ(Vectors.RSA_Q, (short) 0, (short) 64);
    crtKey.setDP1(Vectors.RSA_DP, (short) 0, (short) 64);
    crtKey.setDQ1(Vectors.RSA_DQ, (short) 0, (short) 64);
    crtKey.setPQ(Vectors.RSA_PQ, (short) 0, (short) 64);
    plainKey.setModulus(Vectors.RSA_N, (short) 0, (short) 128);
    plainKey.setExponent(Vectors.RSA_D, (short) 0, (short) 128);
  }

  void run(byte[] buf) {
    Check.isTrue(!crtKey.isInitialized(), (byte) 1);
    setKeys();
    Check.isTrue(publicKey.isInitialized() && crtKey.isInitialized() && plainKey.isInitialized(), (byte) 2);
    Check.equal((short) 3, publicKey.getExponent(buf, (short) 0), (byte) 3);
    Check.bytes(Vectors.RSA_N, buf, (short) 0, publicKey.getModulus(buf, (short) 0), (byte) 4);
    Check.bytes(Vectors.RSA_Q, buf, (short) 0, crtKey.getQ(buf, (short) 0), (byte) 5);

    // PKCS#1 v1.5 signatures are deterministic: same bytes as off-card, with either private form.
    short end = Inputs.message(buf, (short) 0);
    sha256Pkcs1.init(crtKey, Signature.MODE_SIGN);
    sha256Pkcs1.update(buf, (short) 0, (short) 10);
    short length = sha256Pkcs1.sign(buf, (short) 10, (short) (end - 10), buf, OUT);
    Check.bytes(Vectors.RSA_SIG_SHA256_PKCS1, buf, OUT, length, (byte) 6);
    sha256Pkcs1.init(plainKey, Signature.MODE_SIGN);
    length = sha256Pkcs1.sign(buf, (short) 0, end, buf, OUT);
    Check.bytes(Vectors.RSA_SIG_SHA256_PKCS1, buf, OUT, length, (byte) 7);
    sha1Pkcs1.init(crtKey, Signature.MODE_SIGN);
    length = sha1Pkcs1.sign(buf, (short) 0, end, buf, OUT);
    Check.bytes(Vectors.RSA_SIG_SHA1_PKCS1, buf, OUT, length, (byte) 8);
    sha256Pkcs1.init(publicKey, Signature.MODE_VERIFY);
    Check.isTrue(sha256Pkcs1.verify(buf, (short) 0, end, Vectors.RSA_SIG_SHA256_PKCS1, (short) 0, (short) 128),
        (byte) 9);
    Check.isTrue(!sha256Pkcs1.verify(buf, (short) 1, (short) (end - 1), Vectors.RSA_SIG_SHA256_PKCS1, (short) 0,
        (short) 128), (byte) 10);
    sha256Pkcs1.init(crtKey, Signature.MODE_SIGN);
    length = sha256Pkcs1.signPreComputedHash(Vectors.DIGEST_SHA256, (short) 0, (short) 32, buf, OUT);
    Check.bytes(Vectors.RSA_SIG_SHA256_PKCS1, buf, OUT, length, (byte) 11);
    // Without a digest: the applet's own DigestInfo is padded (block type 1).
    javacard.framework.Util.arrayCopyNonAtomic(Vectors.SHA256_DIGEST_INFO, (short) 0, buf, OUT2, (short) 19);
    javacard.framework.Util.arrayCopyNonAtomic(Vectors.DIGEST_SHA256, (short) 0, buf, (short) (OUT2 + 19), (short) 32);
    rawPkcs1.init(crtKey, Signature.MODE_SIGN);
    length = rawPkcs1.sign(buf, OUT2, (short) 51, buf, OUT);
    Check.bytes(Vectors.RSA_SIG_SHA256_PKCS1, buf, OUT, length, (byte) 12);

    // PSS: the off-card signature verifies; a card signature verifies.
    sha256Pss.init(publicKey, Signature.MODE_VERIFY);
    Check.isTrue(sha256Pss.verify(buf, (short) 0, end, Vectors.RSA_SIG_SHA256_PSS, (short) 0, (short) 128),
        (byte) 13);
    sha256Pss.init(crtKey, Signature.MODE_SIGN);
    length = sha256Pss.sign(buf, (short) 0, end, buf, OUT);
    sha256Pss.init(publicKey, Signature.MODE_VERIFY);
    Check.isTrue(sha256Pss.verify(buf, (short) 0, end, buf, OUT, length), (byte) 14);

    // PKCS#1 encryption: with the private key it is block type 1 (deterministic).
    pkcs1.init(crtKey, Cipher.MODE_ENCRYPT);
    length = pkcs1.doFinal(buf, (short) 0, end, buf, OUT);
    Check.bytes(Vectors.RSA_PRIVATE_ENCRYPT_PKCS1, buf, OUT, length, (byte) 15);
    pkcs1.init(publicKey, Cipher.MODE_DECRYPT);
    Check.equal(Inputs.MESSAGE_LENGTH, pkcs1.doFinal(buf, OUT, length, buf, OUT2), (byte) 16);
    pkcs1.init(plainKey, Cipher.MODE_DECRYPT);
    length = pkcs1.doFinal(Vectors.RSA_PKCS1_CIPHERTEXT, (short) 0, (short) 128, buf, OUT);
    Check.equal(Inputs.MESSAGE_LENGTH, length, (byte) 17);
    Check.isTrue(javacard.framework.Util.arrayCompare(buf, (short) 0, buf, OUT, length) == 0, (byte) 18);
    pkcs1.init(publicKey, Cipher.MODE_ENCRYPT);
    length = pkcs1.doFinal(buf, (short) 0, end, buf, OUT);
    pkcs1.init(crtKey, Cipher.MODE_DECRYPT);
    Check.equal(Inputs.MESSAGE_LENGTH, pkcs1.doFinal(buf, OUT, length, buf, OUT2), (byte) 19);

    // OAEP (SHA-1 and SHA-256) decrypts what was encrypted off-card.
    oaep.init(crtKey, Cipher.MODE_DECRYPT);
    length = oaep.doFinal(Vectors.RSA_OAEP_SHA1_CIPHERTEXT, (short) 0, (short) 128, buf, OUT);
    Check.isTrue(length == end && javacard.framework.Util.arrayCompare(buf, (short) 0, buf, OUT, length) == 0,
        (byte) 20);
    oaep256.init(crtKey, Cipher.MODE_DECRYPT);
    length = oaep256.doFinal(Vectors.RSA_OAEP_SHA256_CIPHERTEXT, (short) 0, (short) 128, buf, OUT);
    Check.isTrue(length == end && javacard.framework.Util.arrayCompare(buf, (short) 0, buf, OUT, length) == 0,
        (byte) 21);
    try {
      oaep.init(crtKey, Cipher.MODE_ENCRYPT);
      Check.fail((byte) 22);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_VALUE, (byte) 22);
    }

    // Raw RSA.
    noPad.init(publicKey, Cipher.MODE_ENCRYPT);
    length = noPad.doFinal(Vectors.RSA_NOPAD_IN, (short) 0, (short) 128, buf, OUT);
    Check.bytes(Vectors.RSA_NOPAD_OUT, buf, OUT, length, (byte) 23);
    noPad.init(crtKey, Cipher.MODE_DECRYPT);
    length = noPad.doFinal(buf, OUT, (short) 128, buf, OUT);
    Check.bytes(Vectors.RSA_NOPAD_IN, buf, OUT, length, (byte) 24);

    // Generation: a 2048-bit CRT pair; a 1024-bit pair with a chosen exponent (3).
    generated.genKeyPair();
    RSAPublicKey generatedPublic = (RSAPublicKey) generated.getPublic();
    Check.equal((short) 256, generatedPublic.getModulus(buf, OUT), (byte) 25);
    Check.isTrue((buf[OUT] & 0x80) != 0, (byte) 26);
    sha256Pkcs1.init(generated.getPrivate(), Signature.MODE_SIGN);
    length = sha256Pkcs1.sign(buf, (short) 0, end, buf, OUT);
    sha256Pkcs1.init(generatedPublic, Signature.MODE_VERIFY);
    Check.isTrue(sha256Pkcs1.verify(buf, (short) 0, end, buf, OUT, length), (byte) 27);
    buf[OUT2] = 3;
    ((RSAPublicKey) small.getPublic()).setExponent(buf, OUT2, (short) 1);
    small.genKeyPair();
    Check.equal((short) 1, ((RSAPublicKey) small.getPublic()).getExponent(buf, OUT2), (byte) 28);
    Check.isTrue(buf[OUT2] == 3, (byte) 29);
    sha1Pkcs1.init(small.getPrivate(), Signature.MODE_SIGN);
    length = sha1Pkcs1.sign(buf, (short) 0, end, buf, OUT);
    sha1Pkcs1.init(small.getPublic(), Signature.MODE_VERIFY);
    Check.isTrue(sha1Pkcs1.verify(buf, (short) 0, end, buf, OUT, length), (byte) 30);

    // Refusals: a private key to verify, too long a message for block type 1.
    try {
      sha256Pkcs1.init(crtKey, Signature.MODE_VERIFY);
      Check.fail((byte) 31);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_VALUE, (byte) 31);
    }
    try {
      pkcs1.init(crtKey, Cipher.MODE_ENCRYPT);
      pkcs1.doFinal(buf, (short) 0, (short) 118, buf, OUT);
      Check.fail((byte) 32);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_USE, (byte) 32);
    }
  }
}
