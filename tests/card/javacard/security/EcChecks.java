package sefleet.test.security;

import javacard.framework.JCSystem;
import javacard.security.CryptoException;
import javacard.security.ECPrivateKey;
import javacard.security.ECPublicKey;
import javacard.security.KeyAgreement;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.MessageDigest;
import javacard.security.Signature;
import javacardx.crypto.Cipher;

/**
 * Elliptic curves over F(p): the preloaded P-256/384/521 parameters, explicit brainpoolP256r1
 * parameters, shared domains, key pair generation, ECDSA (DER and plain, with a digest computed
 * elsewhere) against signatures made off-card, and ECDH against shared secrets computed off-card.
 */
final class EcChecks {
  private static final short OUT = 200;

  private final ECPrivateKey p256Private =
      (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PRIVATE, KeyBuilder.LENGTH_EC_FP_256, false);
  private final ECPublicKey p256Public =
      (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC, KeyBuilder.LENGTH_EC_FP_256, false);
  private final ECPrivateKey p384Private = (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.ALG_TYPE_EC_FP_PRIVATE,
      JCSystem.MEMORY_TYPE_TRANSIENT_RESET, KeyBuilder.LENGTH_EC_FP_384, false);
  private final ECPublicKey p384Public =
      (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC, KeyBuilder.LENGTH_EC_FP_384, false);
  private final ECPrivateKey p521Private =
      (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PRIVATE, KeyBuilder.LENGTH_EC_FP_521, false);
  private final ECPublicKey p521Public =
      (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC, KeyBuilder.LENGTH_EC_FP_521, false);
  private final ECPrivateKey brainpoolPrivate = (ECPrivateKey) KeyBuilder.buildKey(
      KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_DESELECT, KeyBuilder.LENGTH_EC_FP_256, false);
  private final ECPublicKey brainpoolPublic = (ECPublicKey) KeyBuilder.buildKeyWithSharedDomain(
      KeyBuilder.ALG_TYPE_EC_FP_PUBLIC, JCSystem.MEMORY_TYPE_PERSISTENT, brainpoolPrivate, false);
  private final KeyPair generated = new KeyPair(KeyPair.ALG_EC_FP, KeyBuilder.LENGTH_EC_FP_256);

  private final Signature ecdsa256 = Signature.getInstance(Signature.ALG_ECDSA_SHA_256, false);
  private final Signature ecdsa384 = Signature.getInstance(Signature.ALG_ECDSA_SHA_384, false);
  private final Signature ecdsa512 = Signature.getInstance(Signature.ALG_ECDSA_SHA_512, false);
  private final Signature ecdsaPlain =
      Signature.getInstance(MessageDigest.ALG_SHA_256, Signature.SIG_CIPHER_ECDSA_PLAIN, Cipher.PAD_NULL, false);
  private final KeyAgreement dhPlain = KeyAgreement.getInstance(KeyAgreement.ALG_EC_SVDP_DH_PLAIN, false);
  private final KeyAgreement dhSha1 = KeyAgreement.getInstance(KeyAgreement.ALG_EC_SVDP_DH, false);
  private final KeyAgreement dhXy = KeyAgreement.getInstance(KeyAgreement.ALG_EC_SVDP_DH_PLAIN_XY, false);
  private final KeyAgreement dhCofactor = KeyAgreement.getInstance(KeyAgreement.ALG_EC_SVDP_DHC_PLAIN, false);

  /** Verifies the off-card signature of the message. */
  private static void verifiesKnown(Signature signature, ECPublicKey key, byte[] sig, byte[] buf, byte id) {
    signature.init(key, Signature.MODE_VERIFY);
    short end = Inputs.message(buf, (short) 0);
    Check.isTrue(signature.verify(buf, (short) 0, end, sig, (short) 0, (short) sig.length), id);
    buf[3] ^= 1;
    signature.init(key, Signature.MODE_VERIFY);
    Check.isTrue(!signature.verify(buf, (short) 0, end, sig, (short) 0, (short) sig.length), (byte) (id + 1));
  }

  /** Signs the message on card and verifies it on card. */
  private static void signsAndVerifies(Signature signature, ECPrivateKey privateKey, ECPublicKey publicKey,
      byte[] buf, byte id) {
    signature.init(privateKey, Signature.MODE_SIGN);
    short end = Inputs.message(buf, (short) 0);
    short length = signature.sign(buf, (short) 0, end, buf, OUT);
    Check.isTrue(length > 0 && length <= signature.getLength(), id);
    signature.init(publicKey, Signature.MODE_VERIFY);
    Check.isTrue(signature.verify(buf, (short) 0, end, buf, OUT, length), (byte) (id + 1));
  }

  /** ECDH of the private key with a public point, compared with the off-card shared secret. */
  private static void agrees(KeyAgreement agreement, ECPrivateKey key, byte[] point, byte[] secret, byte[] buf,
      byte id) {
    agreement.init(key);
    short length = agreement.generateSecret(point, (short) 0, (short) point.length, buf, OUT);
    Check.bytes(secret, buf, OUT, length, id);
  }

  void run(byte[] buf) {
    // P-256 comes with its parameters: only S or W is needed.
    Check.isTrue(!p256Private.isInitialized(), (byte) 1);
    short length = p256Public.getField(buf, (short) 0);
    Check.bytes(Vectors.P256_P, buf, (short) 0, length, (byte) 2);
    Check.equal((short) 1, p256Public.getK(), (byte) 3);
    p256Private.setS(Vectors.P256_D_A, (short) 0, (short) Vectors.P256_D_A.length);
    p256Public.setW(Vectors.P256_W_A, (short) 0, (short) Vectors.P256_W_A.length);
    Check.isTrue(p256Private.isInitialized() && p256Public.isInitialized(), (byte) 4);
    length = p256Private.getS(buf, (short) 0);
    Check.bytes(Vectors.P256_D_A, buf, (short) 0, length, (byte) 5);
    verifiesKnown(ecdsa256, p256Public, Vectors.P256_SIG_DER, buf, (byte) 6);
    signsAndVerifies(ecdsa256, p256Private, p256Public, buf, (byte) 8);
    Check.equal((short) 72, ecdsa256.getLength(), (byte) 10);
    agrees(dhPlain, p256Private, Vectors.P256_W_B, Vectors.P256_DH, buf, (byte) 11);
    agrees(dhSha1, p256Private, Vectors.P256_W_B, Vectors.P256_DH_SHA1, buf, (byte) 12);
    agrees(dhCofactor, p256Private, Vectors.P256_W_B, Vectors.P256_DH, buf, (byte) 13);
    dhXy.init(p256Private);
    length = dhXy.generateSecret(Vectors.P256_W_B, (short) 0, (short) 65, buf, OUT);
    Check.isTrue(length == 65 && buf[OUT] == 4, (byte) 14);
    Check.bytes(Vectors.P256_DH, buf, (short) (OUT + 1), (short) 32, (byte) 15);

    // A compressed W is decompressed.
    p256Public.setW(Vectors.P256_W_A_COMPRESSED, (short) 0, (short) Vectors.P256_W_A_COMPRESSED.length);
    length = p256Public.getW(buf, (short) 0);
    Check.bytes(Vectors.P256_W_A, buf, (short) 0, length, (byte) 16);

    // Plain r || s, and a digest computed elsewhere.
    ecdsaPlain.init(p256Private, Signature.MODE_SIGN);
    Inputs.message(buf, (short) 0);
    length = ecdsaPlain.sign(buf, (short) 0, Inputs.MESSAGE_LENGTH, buf, OUT);
    Check.equal((short) 64, length, (byte) 17);
    ecdsaPlain.init(p256Public, Signature.MODE_VERIFY);
    Check.isTrue(ecdsaPlain.verify(buf, (short) 0, Inputs.MESSAGE_LENGTH, buf, OUT, length), (byte) 18);
    Check.equal((short) 0, ecdsaPlain.getAlgorithm(), (byte) 19);
    ecdsa256.init(p256Private, Signature.MODE_SIGN);
    length = ecdsa256.signPreComputedHash(Vectors.DIGEST_SHA256, (short) 0, (short) 32, buf, OUT);
    ecdsa256.init(p256Public, Signature.MODE_VERIFY);
    Check.isTrue(ecdsa256.verify(buf, (short) 0, Inputs.MESSAGE_LENGTH, buf, OUT, length), (byte) 20);

    // P-384 and P-521.
    p384Private.setS(Vectors.P384_D_A, (short) 0, (short) Vectors.P384_D_A.length);
    p384Public.setW(Vectors.P384_W_A, (short) 0, (short) Vectors.P384_W_A.length);
    verifiesKnown(ecdsa384, p384Public, Vectors.P384_SIG_DER, buf, (byte) 21);
    signsAndVerifies(ecdsa384, p384Private, p384Public, buf, (byte) 23);
    agrees(dhPlain, p384Private, Vectors.P384_W_B, Vectors.P384_DH, buf, (byte) 25);
    p521Private.setS(Vectors.P521_D_A, (short) 0, (short) Vectors.P521_D_A.length);
    p521Public.setW(Vectors.P521_W_A_COMPRESSED, (short) 0, (short) Vectors.P521_W_A_COMPRESSED.length);
    length = p521Public.getW(buf, (short) 0);
    Check.bytes(Vectors.P521_W_A, buf, (short) 0, length, (byte) 26);
    verifiesKnown(ecdsa512, p521Public, Vectors.P521_SIG_DER, buf, (byte) 27);
    signsAndVerifies(ecdsa512, p521Private, p521Public, buf, (byte) 29);
    agrees(dhPlain, p521Private, Vectors.P521_W_B, Vectors.P521_DH, buf, (byte) 31);

    // brainpoolP256r1 given explicitly; the public key shares the private key's domain.
    brainpoolPrivate.setFieldFP(Vectors.BP256_P, (short) 0, (short) 32);
    brainpoolPrivate.setA(Vectors.BP256_A, (short) 0, (short) 32);
    brainpoolPrivate.setB(Vectors.BP256_B, (short) 0, (short) 32);
    brainpoolPrivate.setG(Vectors.BP256_G, (short) 0, (short) 65);
    brainpoolPrivate.setR(Vectors.BP256_R, (short) 0, (short) 32);
    brainpoolPrivate.setK((short) 1);
    brainpoolPrivate.setS(Vectors.BP256_D_A, (short) 0, (short) 32);
    agrees(dhPlain, brainpoolPrivate, Vectors.BP256_W_B, Vectors.BP256_DH, buf, (byte) 32);
    length = brainpoolPublic.getA(buf, (short) 0);
    Check.bytes(Vectors.BP256_A, buf, (short) 0, length, (byte) 33);
    brainpoolPublic.setW(Vectors.BP256_W_A, (short) 0, (short) 65);
    verifiesKnown(ecdsa256, brainpoolPublic, Vectors.BP256_SIG_DER, buf, (byte) 34);

    // A generated pair; a transient private key in a pair over existing keys.
    generated.genKeyPair();
    ECPrivateKey generatedPrivate = (ECPrivateKey) generated.getPrivate();
    ECPublicKey generatedPublic = (ECPublicKey) generated.getPublic();
    Check.equal((short) 32, generatedPrivate.getS(buf, (short) 0), (byte) 36);
    Check.equal((short) 65, generatedPublic.getW(buf, (short) 0), (byte) 37);
    signsAndVerifies(ecdsa256, generatedPrivate, generatedPublic, buf, (byte) 38);
    KeyPair pair = new KeyPair(p384Public, p384Private);
    pair.genKeyPair();
    signsAndVerifies(ecdsa384, p384Private, p384Public, buf, (byte) 40);

    // A point that is not on the curve is refused by ECDH.
    Inputs.sequence(buf, (short) 0, (short) 65, (byte) 4);
    buf[0] = 4;
    try {
      dhPlain.init(p256Private);
      dhPlain.generateSecret(buf, (short) 0, (short) 65, buf, OUT);
      Check.fail((byte) 42);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_VALUE, (byte) 42);
    }
    // A cleared key is uninitialized; its parameters stay.
    p256Private.clearKey();
    Check.isTrue(!p256Private.isInitialized(), (byte) 43);
    Check.equal((short) 32, p256Private.getField(buf, (short) 0), (byte) 44);
    try {
      ecdsa256.init(p256Private, Signature.MODE_SIGN);
      Check.fail((byte) 45);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.UNINITIALIZED_KEY, (byte) 45);
    }
  }
}
