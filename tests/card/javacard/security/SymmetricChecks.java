package sefleet.test.security;

import javacard.framework.JCSystem;
import javacard.security.AESKey;
import javacard.security.CryptoException;
import javacard.security.DESKey;
import javacard.security.HMACKey;
import javacard.security.KeyBuilder;
import javacard.security.MessageDigest;
import javacard.security.Signature;
import javacardx.crypto.Cipher;

/**
 * AES and DES/3DES ciphers (ECB, CBC, CTR; no padding, ISO 9797 methods 1 and 2, PKCS#5), the
 * block-cipher MACs (CBC-MAC, retail MAC, CMAC) and HMAC, against known answers.
 */
final class SymmetricChecks {
  private static final short KEY = 400; // keys and IVs are built at buf[400..]
  private static final short OUT = 200;

  private final AESKey aes128 = (AESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_AES, KeyBuilder.LENGTH_AES_128, false);
  private final AESKey aes192 =
      (AESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_AES_TRANSIENT_RESET, KeyBuilder.LENGTH_AES_192, false);
  private final AESKey aes256 = (AESKey) KeyBuilder.buildKey(KeyBuilder.ALG_TYPE_AES,
      JCSystem.MEMORY_TYPE_TRANSIENT_DESELECT, KeyBuilder.LENGTH_AES_256, false);
  private final DESKey des = (DESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_DES, KeyBuilder.LENGTH_DES, false);
  private final DESKey des2 = (DESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_DES, KeyBuilder.LENGTH_DES3_2KEY, false);
  private final DESKey des3 =
      (DESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_DES_TRANSIENT_DESELECT, KeyBuilder.LENGTH_DES3_3KEY, false);
  private final HMACKey hmacShort =
      (HMACKey) KeyBuilder.buildKey(KeyBuilder.TYPE_HMAC, KeyBuilder.LENGTH_HMAC_SHA_256_BLOCK_64, false);
  private final HMACKey hmacLong = (HMACKey) KeyBuilder.buildKey(KeyBuilder.TYPE_HMAC_TRANSIENT_DESELECT,
      (short) (150 * 8), false);

  private final Cipher aesCbc = Cipher.getInstance(Cipher.ALG_AES_BLOCK_128_CBC_NOPAD, false);
  private final Cipher aesEcb = Cipher.getInstance(Cipher.ALG_AES_BLOCK_128_ECB_NOPAD, false);
  private final Cipher aesCbcPkcs5 = Cipher.getInstance(Cipher.ALG_AES_CBC_PKCS5, false);
  private final Cipher aesCbcM2 = Cipher.getInstance(Cipher.CIPHER_AES_CBC, Cipher.PAD_ISO9797_M2, false);
  private final Cipher aesEcbM1 = Cipher.getInstance(Cipher.ALG_AES_ECB_ISO9797_M1, false);
  private final Cipher aesCtr = Cipher.getInstance(Cipher.ALG_AES_CTR, false);
  private final Cipher desCbcM2 = Cipher.getInstance(Cipher.ALG_DES_CBC_ISO9797_M2, false);
  private final Cipher desEcbPkcs5 = Cipher.getInstance(Cipher.ALG_DES_ECB_PKCS5, false);
  private final Cipher desCbc = Cipher.getInstance(Cipher.ALG_DES_CBC_NOPAD, false);

  private final Signature cmac = Signature.getInstance(Signature.ALG_AES_CMAC_128, false);
  private final Signature aesMac = Signature.getInstance(Signature.ALG_AES_MAC_128_NOPAD, false);
  private final Signature desMac8M2 = Signature.getInstance(Signature.ALG_DES_MAC8_ISO9797_M2, false);
  private final Signature desMac4Pkcs5 = Signature.getInstance(Signature.ALG_DES_MAC4_PKCS5, false);
  private final Signature retailM2 = Signature.getInstance(Signature.ALG_DES_MAC8_ISO9797_1_M2_ALG3, false);
  private final Signature retailM1 =
      Signature.getInstance(MessageDigest.ALG_NULL, Signature.SIG_CIPHER_DES_MAC4, Cipher.PAD_ISO9797_1_M1_ALG3, false);
  private final Signature hmacSha1 = Signature.getInstance(Signature.ALG_HMAC_SHA1, false);
  private final Signature hmacSha256 = Signature.getInstance(Signature.ALG_HMAC_SHA_256, false);
  private final Signature hmacSha384 = Signature.getInstance(Signature.ALG_HMAC_SHA_384, false);
  private final Signature hmacSha512 =
      Signature.getInstance(MessageDigest.ALG_SHA_512, Signature.SIG_CIPHER_HMAC, Cipher.PAD_NULL, false);

  private void setKeys(byte[] buf) {
    Inputs.sequence(buf, KEY, (short) 16, (byte) 1);
    aes128.setKey(buf, KEY);
    des2.setKey(buf, KEY);
    Inputs.sequence(buf, KEY, (short) 24, (byte) 3);
    aes192.setKey(buf, KEY);
    des3.setKey(buf, KEY);
    des.setKey(buf, KEY);
    Inputs.sequence(buf, KEY, (short) 32, (byte) 5);
    aes256.setKey(buf, KEY);
    Inputs.sequence(buf, KEY, (short) 20, (byte) 41);
    hmacShort.setKey(buf, KEY, (short) 20);
    Inputs.sequence(buf, KEY, (short) 150, (byte) 43);
    hmacLong.setKey(buf, KEY, (short) 150);
  }

  /** IV16 = sequence(16, 9) at buf[KEY], IV8 = sequence(8, 11) at buf[KEY + 16]. */
  private static void setIvs(byte[] buf) {
    Inputs.sequence(buf, KEY, (short) 16, (byte) 9);
    Inputs.sequence(buf, (short) (KEY + 16), (short) 8, (byte) 11);
  }

  /** Encrypts buf[0..length) in three calls (update 5, update 20, doFinal rest) into buf[OUT]. */
  private static short inPieces(Cipher cipher, byte[] buf, short length) {
    short n = cipher.update(buf, (short) 0, (short) 5, buf, OUT);
    n += cipher.update(buf, (short) 5, (short) 20, buf, (short) (OUT + n));
    n += cipher.doFinal(buf, (short) 25, (short) (length - 25), buf, (short) (OUT + n));
    return n;
  }

  /** Decrypts buf[OUT..OUT+length) into buf[0] and checks it equals the message of {@code messageLength}. */
  private static void decryptsBack(Cipher cipher, byte[] buf, short length, short messageLength, byte id) {
    short n = cipher.doFinal(buf, OUT, length, buf, (short) 0);
    Check.equal(messageLength, n, id);
    for (short i = 0; i < n; i++) {
      Check.isTrue(buf[i] == (byte) ((messageLength == 32 ? 23 : 19) + 7 * i), id);
    }
  }

  void run(byte[] buf) {
    setKeys(buf);

    // AES-128 CBC and ECB without padding (32-byte message), in pieces.
    setIvs(buf);
    aesCbc.init(aes128, Cipher.MODE_ENCRYPT, buf, KEY, (short) 16);
    short end = Inputs.message32(buf, (short) 0);
    short n = inPieces(aesCbc, buf, end);
    Check.bytes(Vectors.AES128_CBC_NOPAD, buf, OUT, n, (byte) 1);
    // A second message restarts from the IV of init().
    n = inPieces(aesCbc, buf, end);
    Check.bytes(Vectors.AES128_CBC_NOPAD, buf, OUT, n, (byte) 2);
    aesCbc.init(aes128, Cipher.MODE_DECRYPT, buf, KEY, (short) 16);
    decryptsBack(aesCbc, buf, n, (short) 32, (byte) 3);
    aesEcb.init(aes128, Cipher.MODE_ENCRYPT);
    Inputs.message32(buf, (short) 0);
    n = aesEcb.doFinal(buf, (short) 0, (short) 32, buf, OUT);
    Check.bytes(Vectors.AES128_ECB_NOPAD, buf, OUT, n, (byte) 4);
    Check.equal(Cipher.ALG_AES_BLOCK_128_ECB_NOPAD, aesEcb.getAlgorithm(), (byte) 5);

    // AES-192 CBC PKCS#5, AES-256 CBC method 2, AES-256 ECB method 1 (37-byte message).
    setIvs(buf);
    aesCbcPkcs5.init(aes192, Cipher.MODE_ENCRYPT, buf, KEY, (short) 16);
    end = Inputs.message(buf, (short) 0);
    n = inPieces(aesCbcPkcs5, buf, end);
    Check.bytes(Vectors.AES192_CBC_PKCS5, buf, OUT, n, (byte) 6);
    aesCbcPkcs5.init(aes192, Cipher.MODE_DECRYPT, buf, KEY, (short) 16);
    decryptsBack(aesCbcPkcs5, buf, n, Inputs.MESSAGE_LENGTH, (byte) 7);
    aesCbcM2.init(aes256, Cipher.MODE_ENCRYPT, buf, KEY, (short) 16);
    end = Inputs.message(buf, (short) 0);
    n = inPieces(aesCbcM2, buf, end);
    Check.bytes(Vectors.AES256_CBC_M2, buf, OUT, n, (byte) 8);
    Check.equal((short) 0x0103, (short) ((aesCbcM2.getCipherAlgorithm() << 8) | aesCbcM2.getPaddingAlgorithm()),
        (byte) 9);
    Check.equal(Cipher.ALG_AES_CBC_ISO9797_M2, aesCbcM2.getAlgorithm(), (byte) 10);
    aesCbcM2.init(aes256, Cipher.MODE_DECRYPT, buf, KEY, (short) 16);
    decryptsBack(aesCbcM2, buf, n, Inputs.MESSAGE_LENGTH, (byte) 11);
    aesEcbM1.init(aes256, Cipher.MODE_ENCRYPT);
    end = Inputs.message(buf, (short) 0);
    n = inPieces(aesEcbM1, buf, end);
    Check.bytes(Vectors.AES256_ECB_M1, buf, OUT, n, (byte) 12);

    // PKCS#5 on an aligned message adds a whole block.
    setIvs(buf);
    aesCbcPkcs5.init(aes128, Cipher.MODE_ENCRYPT, buf, KEY, (short) 16);
    end = Inputs.message32(buf, (short) 0);
    n = aesCbcPkcs5.doFinal(buf, (short) 0, end, buf, OUT);
    Check.bytes(Vectors.AES128_CBC_PKCS5_ALIGNED, buf, OUT, n, (byte) 13);

    // AES-CTR: any length, streaming.
    setIvs(buf);
    aesCtr.init(aes128, Cipher.MODE_ENCRYPT, buf, KEY, (short) 16);
    end = Inputs.message(buf, (short) 0);
    n = inPieces(aesCtr, buf, end);
    Check.bytes(Vectors.AES128_CTR, buf, OUT, n, (byte) 14);
    aesCtr.init(aes128, Cipher.MODE_DECRYPT, buf, KEY, (short) 16);
    decryptsBack(aesCtr, buf, n, Inputs.MESSAGE_LENGTH, (byte) 15);

    // DES: two-key 3DES CBC method 2, three-key 3DES ECB PKCS#5, single DES CBC.
    setIvs(buf);
    desCbcM2.init(des2, Cipher.MODE_ENCRYPT, buf, (short) (KEY + 16), (short) 8);
    end = Inputs.message(buf, (short) 0);
    n = inPieces(desCbcM2, buf, end);
    Check.bytes(Vectors.DES3_2KEY_CBC_M2, buf, OUT, n, (byte) 16);
    desCbcM2.init(des2, Cipher.MODE_DECRYPT, buf, (short) (KEY + 16), (short) 8);
    decryptsBack(desCbcM2, buf, n, Inputs.MESSAGE_LENGTH, (byte) 17);
    desEcbPkcs5.init(des3, Cipher.MODE_ENCRYPT);
    end = Inputs.message(buf, (short) 0);
    n = inPieces(desEcbPkcs5, buf, end);
    Check.bytes(Vectors.DES3_3KEY_ECB_PKCS5, buf, OUT, n, (byte) 18);
    setIvs(buf);
    desCbc.init(des, Cipher.MODE_ENCRYPT, buf, (short) (KEY + 16), (short) 8);
    end = Inputs.message32(buf, (short) 0);
    n = desCbc.doFinal(buf, (short) 0, end, buf, OUT);
    Check.bytes(Vectors.DES_CBC_NOPAD, buf, OUT, n, (byte) 19);

    // In place: the ciphertext replaces the plaintext.
    setIvs(buf);
    aesCbc.init(aes128, Cipher.MODE_ENCRYPT, buf, KEY, (short) 16);
    Inputs.message32(buf, OUT);
    n = aesCbc.doFinal(buf, OUT, (short) 32, buf, OUT);
    Check.bytes(Vectors.AES128_CBC_NOPAD, buf, OUT, n, (byte) 20);

    runMacs(buf);
  }

  /** Signs buf[0..length) in pieces (update 5, update 20, sign rest) into buf[OUT]. */
  private static short signInPieces(Signature signature, byte[] buf, short length) {
    signature.update(buf, (short) 0, (short) 5);
    signature.update(buf, (short) 5, (short) 20);
    return signature.sign(buf, (short) 25, (short) (length - 25), buf, OUT);
  }

  private void runMacs(byte[] buf) {
    cmac.init(aes128, Signature.MODE_SIGN);
    short n = cmac.sign(buf, (short) 0, (short) 0, buf, OUT);
    Check.bytes(Vectors.CMAC_AES128_EMPTY, buf, OUT, n, (byte) 40);
    short end = Inputs.message(buf, (short) 0);
    n = signInPieces(cmac, buf, end);
    Check.bytes(Vectors.CMAC_AES128, buf, OUT, n, (byte) 41);
    cmac.init(aes256, Signature.MODE_VERIFY);
    end = Inputs.message32(buf, (short) 0);
    Check.isTrue(cmac.verify(buf, (short) 0, end, Vectors.CMAC_AES256_32, (short) 0, (short) 16), (byte) 42);
    Check.isTrue(!cmac.verify(buf, (short) 0, (short) 31, Vectors.CMAC_AES256_32, (short) 0, (short) 16),
        (byte) 43);
    Check.equal((short) 16, cmac.getLength(), (byte) 44);

    aesMac.init(aes128, Signature.MODE_SIGN);
    end = Inputs.message32(buf, (short) 0);
    n = aesMac.sign(buf, (short) 0, end, buf, OUT);
    Check.bytes(Vectors.AES_MAC128_NOPAD, buf, OUT, n, (byte) 45);

    desMac8M2.init(des2, Signature.MODE_SIGN);
    end = Inputs.message(buf, (short) 0);
    n = signInPieces(desMac8M2, buf, end);
    Check.bytes(Vectors.DES3_MAC8_M2, buf, OUT, n, (byte) 46);
    desMac4Pkcs5.init(des, Signature.MODE_SIGN);
    n = desMac4Pkcs5.sign(buf, (short) 0, end, buf, OUT);
    Check.bytes(Vectors.DES_MAC4_PKCS5, buf, OUT, n, (byte) 47);
    retailM2.init(des2, Signature.MODE_SIGN);
    n = signInPieces(retailM2, buf, end);
    Check.bytes(Vectors.RETAIL_MAC8_M2, buf, OUT, n, (byte) 48);
    retailM1.init(des3, Signature.MODE_VERIFY);
    Check.isTrue(retailM1.verify(buf, (short) 0, end, Vectors.RETAIL_MAC4_M1_3KEY, (short) 0, (short) 4), (byte) 49);
    Check.equal(Signature.ALG_DES_MAC4_ISO9797_1_M1_ALG3, retailM1.getAlgorithm(), (byte) 50);

    hmacSha1.init(hmacShort, Signature.MODE_SIGN);
    n = signInPieces(hmacSha1, buf, end);
    Check.bytes(Vectors.HMAC_SHA1, buf, OUT, n, (byte) 51);
    hmacSha256.init(hmacShort, Signature.MODE_SIGN);
    n = hmacSha256.sign(buf, (short) 0, end, buf, OUT);
    Check.bytes(Vectors.HMAC_SHA256, buf, OUT, n, (byte) 52);
    hmacSha384.init(hmacLong, Signature.MODE_VERIFY);
    Check.isTrue(hmacSha384.verify(buf, (short) 0, end, Vectors.HMAC_SHA384_LONGKEY, (short) 0, (short) 48),
        (byte) 53);
    hmacSha512.init(hmacShort, Signature.MODE_SIGN);
    n = signInPieces(hmacSha512, buf, end);
    Check.bytes(Vectors.HMAC_SHA512, buf, OUT, n, (byte) 54);
    Check.equal(Signature.ALG_HMAC_SHA_512, hmacSha512.getAlgorithm(), (byte) 55);
    Check.equal((short) 64, hmacSha512.getLength(), (byte) 56);

    // A MAC without padding refuses a message that is not block aligned.
    aesMac.init(aes128, Signature.MODE_SIGN);
    try {
      aesMac.sign(buf, (short) 0, (short) 17, buf, OUT);
      Check.fail((byte) 57);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_USE, (byte) 57);
    }
  }
}
