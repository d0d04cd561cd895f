package sefleet.test.security;

import javacard.security.AESKey;
import javacard.security.CryptoException;
import javacard.security.KeyBuilder;
import javacardx.crypto.AEADCipher;
import javacardx.crypto.Cipher;

/** AES-GCM and AES-CCM: encryption with associated data, tags, decryption and tag checks. */
final class AeadChecks {
  private static final short AAD = 100;
  private static final short NONCE = 140;
  private static final short OUT = 200;
  private static final short TAG = 300;

  private final AESKey aes128 =
      (AESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_AES_TRANSIENT_DESELECT, KeyBuilder.LENGTH_AES_128, false);
  private final AESKey aes256 = (AESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_AES, KeyBuilder.LENGTH_AES_256, false);
  private final AEADCipher gcm = (AEADCipher) Cipher.getInstance(AEADCipher.ALG_AES_GCM, false);
  private final AEADCipher ccm =
      (AEADCipher) Cipher.getInstance(AEADCipher.CIPHER_AES_CCM, Cipher.PAD_NULL, false);

  void run(byte[] buf) {
    Inputs.sequence(buf, OUT, (short) 16, (byte) 1);
    aes128.setKey(buf, OUT);
    Inputs.sequence(buf, OUT, (short) 32, (byte) 5);
    aes256.setKey(buf, OUT);

    // GCM, 12-byte nonce, 20 bytes of associated data in two calls, message in pieces.
    Inputs.sequence(buf, AAD, (short) 20, (byte) 57);
    Inputs.sequence(buf, NONCE, (short) 12, (byte) 51);
    gcm.init(aes128, Cipher.MODE_ENCRYPT, buf, NONCE, (short) 12);
    gcm.updateAAD(buf, AAD, (short) 7);
    gcm.updateAAD(buf, (short) (AAD + 7), (short) 13);
    Inputs.message(buf, (short) 0);
    short n = gcm.update(buf, (short) 0, (short) 20, buf, OUT);
    n += gcm.doFinal(buf, (short) 20, (short) 17, buf, (short) (OUT + n));
    Check.bytes(Vectors.GCM_CT, buf, OUT, n, (byte) 1);
    Check.equal((short) 16, gcm.retrieveTag(buf, TAG, (short) 16), (byte) 2);
    Check.bytes(Vectors.GCM_TAG, buf, TAG, (short) 16, (byte) 3);
    Check.equal(AEADCipher.ALG_AES_GCM, gcm.getAlgorithm(), (byte) 4);

    gcm.init(aes128, Cipher.MODE_DECRYPT, buf, NONCE, (short) 12);
    gcm.updateAAD(buf, AAD, (short) 20);
    n = gcm.doFinal(buf, OUT, n, buf, (short) 0);
    Check.equal(Inputs.MESSAGE_LENGTH, n, (byte) 5);
    Check.isTrue(gcm.verifyTag(Vectors.GCM_TAG, (short) 0, (short) 16, (short) 16), (byte) 6);
    Check.isTrue(!gcm.verifyTag(Vectors.GCM_CT, (short) 0, (short) 16, (short) 16), (byte) 7);
    Check.isTrue(buf[0] == 19 && buf[36] == (byte) (19 + 7 * 36), (byte) 8);

    // GCM with AES-256, an 8-byte nonce, no associated data.
    Inputs.sequence(buf, NONCE, (short) 8, (byte) 53);
    gcm.init(aes256, Cipher.MODE_ENCRYPT, buf, NONCE, (short) 8);
    Inputs.message32(buf, (short) 0);
    n = gcm.doFinal(buf, (short) 0, (short) 32, buf, OUT);
    Check.bytes(Vectors.GCM256_N8_CT, buf, OUT, n, (byte) 9);
    gcm.retrieveTag(buf, TAG, (short) 16);
    Check.bytes(Vectors.GCM256_N8_TAG, buf, TAG, (short) 16, (byte) 10);

    // Associated data after the message has started is refused.
    try {
      gcm.init(aes256, Cipher.MODE_ENCRYPT, buf, NONCE, (short) 8);
      gcm.update(buf, (short) 0, (short) 16, buf, OUT);
      gcm.updateAAD(buf, AAD, (short) 1);
      Check.fail((byte) 11);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_USE, (byte) 11);
    }

    // CCM, 13-byte nonce, 8-byte tag, lengths announced at init.
    Inputs.sequence(buf, NONCE, (short) 13, (byte) 61);
    Inputs.sequence(buf, AAD, (short) 20, (byte) 57);
    ccm.init(aes128, Cipher.MODE_ENCRYPT, buf, NONCE, (short) 13, (short) 20, Inputs.MESSAGE_LENGTH, (short) 8);
    ccm.updateAAD(buf, AAD, (short) 20);
    Inputs.message(buf, (short) 0);
    n = ccm.update(buf, (short) 0, (short) 5, buf, OUT);
    n += ccm.doFinal(buf, (short) 5, (short) 32, buf, (short) (OUT + n));
    Check.bytes(Vectors.CCM_CT, buf, OUT, n, (byte) 20);
    Check.equal((short) 8, ccm.retrieveTag(buf, TAG, (short) 8), (byte) 21);
    Check.bytes(Vectors.CCM_TAG, buf, TAG, (short) 8, (byte) 22);
    ccm.init(aes128, Cipher.MODE_DECRYPT, buf, NONCE, (short) 13, (short) 20, Inputs.MESSAGE_LENGTH, (short) 8);
    ccm.updateAAD(buf, AAD, (short) 20);
    n = ccm.doFinal(buf, OUT, n, buf, (short) 0);
    Check.equal(Inputs.MESSAGE_LENGTH, n, (byte) 23);
    Check.isTrue(ccm.verifyTag(Vectors.CCM_TAG, (short) 0, (short) 8, (short) 8), (byte) 24);

    // CCM needs the lengths: the five-argument init is refused; a wrong total is refused.
    try {
      ccm.init(aes128, Cipher.MODE_ENCRYPT, buf, NONCE, (short) 13);
      Check.fail((byte) 25);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_USE, (byte) 25);
    }
    try {
      ccm.init(aes128, Cipher.MODE_ENCRYPT, buf, NONCE, (short) 13, (short) 0, (short) 10, (short) 8);
      ccm.doFinal(buf, (short) 0, (short) 9, buf, OUT);
      Check.fail((byte) 26);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_USE, (byte) 26);
    }
    try {
      gcm.init(aes128, Cipher.MODE_ENCRYPT, buf, NONCE, (short) 0);
      Check.fail((byte) 27);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_VALUE, (byte) 27);
    }
  }
}
