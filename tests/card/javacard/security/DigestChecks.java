package sefleet.test.security;

import javacard.security.Checksum;
import javacard.security.CryptoException;
import javacard.security.MessageDigest;
import javacard.security.RandomData;

/** MessageDigest (every SHA, streaming, reset, OneShot), RandomData and Checksum. */
final class DigestChecks {
  private final MessageDigest sha1 = MessageDigest.getInstance(MessageDigest.ALG_SHA, false);
  private final MessageDigest sha224 = MessageDigest.getInstance(MessageDigest.ALG_SHA_224, false);
  private final MessageDigest sha256 = MessageDigest.getInstance(MessageDigest.ALG_SHA_256, false);
  private final MessageDigest sha384 = MessageDigest.getInstance(MessageDigest.ALG_SHA_384, false);
  private final MessageDigest sha512 = MessageDigest.getInstance(MessageDigest.ALG_SHA_512, true);
  private final RandomData secure = RandomData.getInstance(RandomData.ALG_SECURE_RANDOM);
  private final RandomData keyGeneration = RandomData.getInstance(RandomData.ALG_KEYGENERATION);
  private final Checksum crc16 = Checksum.getInstance(Checksum.ALG_ISO3309_CRC16, false);
  private final Checksum crc32 = Checksum.getInstance(Checksum.ALG_ISO3309_CRC32, false);

  /** Hashes the message in one doFinal and checks the result. */
  private static void oneCall(MessageDigest md, byte[] expected, byte[] buf, byte id) {
    short end = Inputs.message(buf, (short) 0);
    short length = md.doFinal(buf, (short) 0, end, buf, (short) 64);
    Check.bytes(expected, buf, (short) 64, length, id);
    Check.equal(md.getLength(), length, (byte) (id + 1));
  }

  void run(byte[] buf) {
    oneCall(sha1, Vectors.DIGEST_SHA1, buf, (byte) 1);
    oneCall(sha224, Vectors.DIGEST_SHA224, buf, (byte) 3);
    oneCall(sha256, Vectors.DIGEST_SHA256, buf, (byte) 5);
    oneCall(sha384, Vectors.DIGEST_SHA384, buf, (byte) 7);
    oneCall(sha512, Vectors.DIGEST_SHA512, buf, (byte) 9);
    Check.equal(MessageDigest.ALG_SHA_384, sha384.getAlgorithm(), (byte) 11);

    // Streaming in pieces of 1, 20 and 16 bytes gives the same digest.
    Inputs.message(buf, (short) 0);
    sha256.update(buf, (short) 0, (short) 1);
    sha256.update(buf, (short) 1, (short) 20);
    short length = sha256.doFinal(buf, (short) 21, (short) 16, buf, (short) 64);
    Check.bytes(Vectors.DIGEST_SHA256, buf, (short) 64, length, (byte) 12);

    // reset() abandons the message: what follows is hashed from the start.
    sha256.update(buf, (short) 0, (short) 30);
    sha256.reset();
    length = sha256.doFinal(buf, (short) 0, (short) 0, buf, (short) 64);
    Check.bytes(Vectors.SHA256_EMPTY, buf, (short) 64, length, (byte) 13);

    // In place: the digest overwrites its own input.
    Inputs.message(buf, (short) 0);
    length = sha1.doFinal(buf, (short) 0, Inputs.MESSAGE_LENGTH, buf, (short) 0);
    Check.bytes(Vectors.DIGEST_SHA1, buf, (short) 0, length, (byte) 14);

    // OneShot.
    MessageDigest.OneShot shot = MessageDigest.OneShot.open(MessageDigest.ALG_SHA_512);
    try {
      Inputs.message(buf, (short) 0);
      length = shot.doFinal(buf, (short) 0, Inputs.MESSAGE_LENGTH, buf, (short) 64);
      Check.bytes(Vectors.DIGEST_SHA512, buf, (short) 64, length, (byte) 15);
    } finally {
      shot.close();
    }

    // No resumable digests on this card, and no MD5, RIPEMD-160 or SHA-3.
    try {
      MessageDigest.getInitializedMessageDigestInstance(MessageDigest.ALG_SHA_256, false);
      Check.fail((byte) 16);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, (byte) 16);
    }
    try {
      MessageDigest.getInstance(MessageDigest.ALG_MD5, false);
      Check.fail((byte) 17);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.NO_SUCH_ALGORITHM, (byte) 17);
    }

    // RandomData: nextBytes returns offset + length, fills the range, leaves the rest alone.
    for (short i = 0; i < 80; i++) {
      buf[i] = 0;
    }
    Check.equal((short) 72, secure.nextBytes(buf, (short) 8, (short) 64), (byte) 20);
    short nonZero = 0;
    for (short i = 8; i < 72; i++) {
      if (buf[i] != 0) {
        nonZero++;
      }
    }
    Check.isTrue(nonZero > 32, (byte) 21);
    Check.isTrue(buf[0] == 0 && buf[7] == 0 && buf[72] == 0, (byte) 22);
    keyGeneration.setSeed(buf, (short) 8, (short) 16);
    keyGeneration.generateData(buf, (short) 100, (short) 32);
    keyGeneration.nextBytes(buf, (short) 132, (short) 32);
    Check.isTrue(javacard.framework.Util.arrayCompare(buf, (short) 100, buf, (short) 132, (short) 32) != 0,
        (byte) 23);
    Check.equal(RandomData.ALG_KEYGENERATION, keyGeneration.getAlgorithm(), (byte) 24);

    // Checksums: the CRC catalogue's check values (input "123456789").
    for (short i = 0; i < 9; i++) {
      buf[i] = (byte) ('1' + i);
    }
    length = crc16.doFinal(buf, (short) 0, (short) 9, buf, (short) 64);
    Check.bytes(Vectors.CRC16_CHECK, buf, (short) 64, length, (byte) 30);
    crc32.update(buf, (short) 0, (short) 4);
    length = crc32.doFinal(buf, (short) 4, (short) 5, buf, (short) 64);
    Check.bytes(Vectors.CRC32_CHECK, buf, (short) 64, length, (byte) 31);
    // An initial value of FFFF, over the message.
    buf[60] = (byte) 0xFF;
    buf[61] = (byte) 0xFF;
    crc16.init(buf, (short) 60, (short) 2);
    Inputs.message(buf, (short) 0);
    length = crc16.doFinal(buf, (short) 0, Inputs.MESSAGE_LENGTH, buf, (short) 64);
    Check.bytes(Vectors.CRC16_INIT_FFFF, buf, (short) 64, length, (byte) 32);
    // ... and the next checksum starts from the initial value again.
    length = crc16.doFinal(buf, (short) 0, Inputs.MESSAGE_LENGTH, buf, (short) 64);
    Check.bytes(Vectors.CRC16_INIT_FFFF, buf, (short) 64, length, (byte) 33);
    try {
      crc32.init(buf, (short) 0, (short) 2);
      Check.fail((byte) 34);
    } catch (CryptoException e) {
      Check.reason(e, CryptoException.ILLEGAL_VALUE, (byte) 34);
    }
  }
}
