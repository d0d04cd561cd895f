package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.RandomData;

/**
 * RandomData over the card's random source (OpenSSL's DRBG, or the deterministic generator a test
 * card is built with). The algorithm code only records what the applet asked for: every code draws
 * from the same cryptographic generator, which satisfies each algorithm's requirements.
 */
final class RandomImpl extends RandomData {
  private final byte algorithm;

  RandomImpl(byte algorithm) {
    this.algorithm = algorithm;
  }

  static boolean supports(byte algorithm) {
    return algorithm >= ALG_PSEUDO_RANDOM && algorithm <= ALG_KEYGENERATION;
  }

  /** @deprecated the API's old name of {@link #nextBytes} */
  @Deprecated
  public void generateData(byte[] buffer, short offset, short length) throws CryptoException {
    nextBytes(buffer, offset, length);
  }

  public short nextBytes(byte[] buffer, short offset, short length) throws CryptoException {
    Bounds.check(buffer, offset, length);
    Primitives.randomBytes(buffer, offset, length);
    return (short) (offset + length);
  }

  public void setSeed(byte[] buffer, short offset, short length) {
    Bounds.check(buffer, offset, length);
    Primitives.randomSeed(buffer, offset, length);
  }

  public byte getAlgorithm() {
    return algorithm;
  }
}
