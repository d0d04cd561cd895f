package sefleet.test.security;

import javacard.framework.JCSystem;
import javacard.security.AESKey;
import javacard.security.CryptoException;
import javacard.security.DESKey;
import javacard.security.ECPrivateKey;
import javacard.security.HMACKey;
import javacard.security.Key;
import javacard.security.KeyAgreement;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.MessageDigest;
import javacard.security.RandomData;
import javacard.security.Signature;
import javacardx.crypto.Cipher;

/**
 * KeyBuilder and key objects (types, sizes, transient keys, clearKey), and the algorithms this card
 * refuses with NO_SUCH_ALGORITHM, the way a card without them does.
 */
final class KeyChecks {
  private final AESKey deselectKey =
      (AESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_AES_TRANSIENT_DESELECT, KeyBuilder.LENGTH_AES_128, false);
  private final Cipher cipher = Cipher.getInstance(Cipher.ALG_AES_BLOCK_128_ECB_NOPAD, false);

  private static void noSuchKey(byte type, short length, byte id) {
    try {
      KeyBuilder.buildKey(type, length, false);
      Check.fail(id);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, id);
    }
  }

  private static void noSuchSignature(byte algorithm, byte id) {
    try {
      Signature.getInstance(algorithm, false);
      Check.fail(id);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, id);
    }
  }

  private static void noSuchCipher(byte algorithm, byte id) {
    try {
      Cipher.getInstance(algorithm, false);
      Check.fail(id);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, id);
    }
  }

  /** Command 1: build and use keys; the transient key is set for the deselect check (command 2). */
  void run(byte[] buf) {
    Key key = KeyBuilder.buildKey(KeyBuilder.TYPE_DES_TRANSIENT_RESET, KeyBuilder.LENGTH_DES3_3KEY, false);
    Check.isTrue(key instanceof DESKey, (byte) 1);
    Check.equal(KeyBuilder.TYPE_DES_TRANSIENT_RESET, key.getType(), (byte) 2);
    Check.equal(KeyBuilder.LENGTH_DES3_3KEY, key.getSize(), (byte) 3);
    Check.isTrue(!key.isInitialized(), (byte) 4);
    Inputs.sequence(buf, (short) 0, (short) 24, (byte) 3);
    ((DESKey) key).setKey(buf, (short) 0);
    Check.isTrue(key.isInitialized(), (byte) 5);
    Check.equal((short) 24, ((DESKey) key).getKey(buf, (short) 100), (byte) 6);
    key.clearKey();
    Check.isTrue(!key.isInitialized(), (byte) 7);
    try {
      ((DESKey) key).getKey(buf, (short) 100);
      Check.fail((byte) 8);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.UNINITIALIZED_KEY, (byte) 8);
    }

    Key ec = KeyBuilder.buildKey(KeyBuilder.ALG_TYPE_EC_FP_PRIVATE, JCSystem.MEMORY_TYPE_TRANSIENT_DESELECT,
        KeyBuilder.LENGTH_EC_FP_256, false);
    Check.equal(KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_DESELECT, ec.getType(), (byte) 9);
    Check.isTrue(ec instanceof ECPrivateKey, (byte) 10);
    HMACKey hmac = (HMACKey) KeyBuilder.buildKey(KeyBuilder.TYPE_HMAC, (short) 64, false);
    Inputs.sequence(buf, (short) 0, (short) 64, (byte) 1);
    hmac.setKey(buf, (short) 0, (short) 64);
    Check.equal((short) 64, hmac.getKey(buf, (short) 100), (byte) 11);

    // Unsupported key types and sizes.
    noSuchKey(KeyBuilder.TYPE_DSA_PRIVATE, KeyBuilder.LENGTH_DSA_1024, (byte) 20);
    noSuchKey(KeyBuilder.TYPE_EC_F2M_PUBLIC, KeyBuilder.LENGTH_EC_F2M_163, (byte) 21);
    noSuchKey(KeyBuilder.TYPE_KOREAN_SEED, KeyBuilder.LENGTH_KOREAN_SEED_128, (byte) 22);
    noSuchKey(KeyBuilder.TYPE_DH_PUBLIC, KeyBuilder.LENGTH_DH_2048, (byte) 23);
    noSuchKey(KeyBuilder.TYPE_AES, (short) 64, (byte) 24);
    noSuchKey(KeyBuilder.TYPE_RSA_PUBLIC, (short) 8192, (byte) 25);
    noSuchKey(KeyBuilder.TYPE_EC_FP_PUBLIC, KeyBuilder.LENGTH_EC_FP_112, (byte) 26);
    try {
      KeyBuilder.buildKey(KeyBuilder.TYPE_AES, KeyBuilder.LENGTH_AES_128, true);
      Check.fail((byte) 27);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, (byte) 27);
    }
    try {
      new KeyPair(KeyPair.ALG_DSA, KeyBuilder.LENGTH_DSA_1024);
      Check.fail((byte) 28);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, (byte) 28);
    }

    // Unsupported algorithms.
    noSuchSignature(Signature.ALG_DSA_SHA, (byte) 30);
    noSuchSignature(Signature.ALG_RSA_MD5_PKCS1, (byte) 31);
    noSuchSignature(Signature.ALG_RSA_SHA_ISO9796, (byte) 32);
    noSuchSignature(Signature.ALG_AES_MAC_192_NOPAD, (byte) 33);
    noSuchSignature(Signature.ALG_HMAC_MD5, (byte) 34);
    noSuchSignature(Signature.ALG_KOREAN_SEED_MAC_NOPAD, (byte) 35);
    noSuchCipher(Cipher.ALG_RSA_ISO14888, (byte) 36);
    noSuchCipher(Cipher.ALG_AES_BLOCK_192_CBC_NOPAD, (byte) 37);
    noSuchCipher(Cipher.ALG_KOREAN_SEED_ECB_NOPAD, (byte) 38);
    try {
      KeyAgreement.getInstance(KeyAgreement.ALG_EC_PACE_GM, false);
      Check.fail((byte) 39);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, (byte) 39);
    }
    try {
      MessageDigest.getInstance(MessageDigest.ALG_SHA3_256, false);
      Check.fail((byte) 40);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, (byte) 40);
    }
    try {
      RandomData.getInstance((byte) 7);
      Check.fail((byte) 41);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, (byte) 41);
    }

    // Misuse: no init, wrong key type, wrong mode.
    Signature hmacSignature = Signature.getInstance(Signature.ALG_HMAC_SHA_256, false);
    try {
      hmacSignature.sign(buf, (short) 0, (short) 1, buf, (short) 100);
      Check.fail((byte) 50);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.INVALID_INIT, (byte) 50);
    }
    try {
      hmacSignature.init(deselectKey, Signature.MODE_SIGN);
      Check.fail((byte) 51);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_VALUE, (byte) 51);
    }
    try {
      hmacSignature.init(hmac, (byte) 3);
      Check.fail((byte) 52);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_VALUE, (byte) 52);
    }
    hmacSignature.init(hmac, Signature.MODE_VERIFY);
    try {
      hmacSignature.sign(buf, (short) 0, (short) 1, buf, (short) 100);
      Check.fail((byte) 53);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.INVALID_INIT, (byte) 53);
    }

    // The CLEAR_ON_DESELECT key: set now, checked after a reselection (command 2).
    Inputs.sequence(buf, (short) 0, (short) 16, (byte) 1);
    deselectKey.setKey(buf, (short) 0);
    cipher.init(deselectKey, Cipher.MODE_ENCRYPT);
    Check.isTrue(deselectKey.isInitialized(), (byte) 54);
  }

  /** Command 2, after the applet was deselected and selected again: the transient key is gone. */
  void afterReselect(byte[] buf) {
    Check.isTrue(!deselectKey.isInitialized(), (byte) 60);
    try {
      cipher.doFinal(buf, (short) 0, (short) 16, buf, (short) 100);
      Check.fail((byte) 61);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.UNINITIALIZED_KEY, (byte) 61);
    }
  }
}
