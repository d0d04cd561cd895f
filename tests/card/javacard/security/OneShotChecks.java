package sefleet.test.security;

import javacard.framework.SystemException;
import javacard.security.AESKey;
import javacard.security.CryptoException;
import javacard.security.KeyBuilder;
import javacard.security.MessageDigest;
import javacard.security.RandomData;
import javacard.security.Signature;
import javacardx.crypto.Cipher;

/** The OneShot classes of Signature, Cipher, RandomData and MessageDigest. */
final class OneShotChecks {
  private static final short OUT = 200;

  private final AESKey key = (AESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_AES_TRANSIENT_RESET,
      KeyBuilder.LENGTH_AES_128, false);

  void run(byte[] buf) {
    Inputs.sequence(buf, OUT, (short) 16, (byte) 1);
    key.setKey(buf, OUT);

    Signature.OneShot mac = Signature.OneShot.open(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_AES_CMAC128,
        Cipher.PAD_NULL);
    try {
      mac.init(key, Signature.MODE_SIGN);
      short end = Inputs.message(buf, (short) 0);
      short length = mac.sign(buf, (short) 0, end, buf, OUT);
      Check.bytes(Vectors.CMAC_AES128, buf, OUT, length, (byte) 1);
      Check.equal(Signature.ALG_AES_CMAC_128, mac.getAlgorithm(), (byte) 2);
      try {
        mac.update(buf, (short) 0, (short) 1);
        Check.fail((byte) 3);
      } catch (CryptoException e) {
        Check.reason(e, CryptoException.ILLEGAL_USE, (byte) 3);
      }
    } finally {
      mac.close();
    }

    // A second open of the same algorithm starts without a key.
    mac = Signature.OneShot.open(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_AES_CMAC128, Cipher.PAD_NULL);
    try {
      mac.sign(buf, (short) 0, (short) 1, buf, OUT);
      Check.fail((byte) 4);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.INVALID_INIT, (byte) 4);
    } finally {
      mac.close();
    }

    Cipher.OneShot cipher = Cipher.OneShot.open(Cipher.CIPHER_AES_CBC, Cipher.PAD_NOPAD);
    try {
      Inputs.sequence(buf, OUT, (short) 16, (byte) 9);
      cipher.init(key, Cipher.MODE_ENCRYPT, buf, OUT, (short) 16);
      Inputs.message32(buf, (short) 0);
      short length = cipher.doFinal(buf, (short) 0, (short) 32, buf, OUT);
      Check.bytes(Vectors.AES128_CBC_NOPAD, buf, OUT, length, (byte) 5);
    } finally {
      cipher.close();
    }

    RandomData.OneShot random = RandomData.OneShot.open(RandomData.ALG_TRNG);
    try {
      Check.equal((short) 48, random.nextBytes(buf, (short) 16, (short) 32), (byte) 6);
    } finally {
      random.close();
    }

    // Two one-shot digests open at once are independent.
    MessageDigest.OneShot first = MessageDigest.OneShot.open(MessageDigest.ALG_SHA_256);
    MessageDigest.OneShot second = MessageDigest.OneShot.open(MessageDigest.ALG_SHA_256);
    try {
      short end = Inputs.message(buf, (short) 0);
      first.update(buf, (short) 0, (short) 10);
      short length = second.doFinal(buf, (short) 0, end, buf, OUT);
      Check.bytes(Vectors.DIGEST_SHA256, buf, OUT, length, (byte) 7);
      length = first.doFinal(buf, (short) 10, (short) (end - 10), buf, OUT);
      Check.bytes(Vectors.DIGEST_SHA256, buf, OUT, length, (byte) 8);
      // The pool has two instances: a third is refused.
      try {
        MessageDigest.OneShot.open(MessageDigest.ALG_SHA_256).close();
        Check.fail((byte) 9);
      } catch (SystemException e) {
        Check.equal(SystemException.NO_RESOURCE, e.getReason(), (byte) 9);
      }
    } finally {
      first.close();
      second.close();
    }
    // A closed instance refuses to work.
    try {
      first.update(buf, (short) 0, (short) 1);
      Check.fail((byte) 10);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_USE, (byte) 10);
    }
    try {
      Signature.OneShot.open(MessageDigest.ALG_MD5, Signature.SIG_CIPHER_RSA, Cipher.PAD_PKCS1);
      Check.fail((byte) 11);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, (byte) 11);
    }
  }
}
