package javacard.security;

import org.sefleet.jcre.security.Engines;

/** Checksums (CRCs) over byte strings. */
public abstract class Checksum {
  /** ISO/IEC 3309 16-bit CRC (polynomial x^16 + x^12 + x^5 + 1). */
  public static final byte ALG_ISO3309_CRC16 = 1;
  /** ISO/IEC 3309 32-bit CRC (polynomial 04C11DB7). */
  public static final byte ALG_ISO3309_CRC32 = 2;

  /**
   * Creates a checksum object.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM for an unknown algorithm
   */
  public static final Checksum getInstance(byte algorithm, boolean externalAccess) throws CryptoException {
    return Engines.checksum(algorithm, externalAccess);
  }

  /** For subclasses. */
  protected Checksum() {
  }

  /**
   * Sets the initial value of the checksum register (2 bytes for CRC-16, 4 bytes for CRC-32,
   * big-endian).
   *
   * @throws CryptoException ILLEGAL_VALUE when {@code bLen} is not the register size
   */
  public abstract void init(byte[] bArray, short bOff, short bLen) throws CryptoException;

  /** The algorithm code. */
  public abstract byte getAlgorithm();

  /**
   * Adds the input and writes the checksum of everything since the last final call to
   * {@code outBuff}; the register then starts again from the initial value.
   *
   * @return the number of bytes written (2 or 4)
   */
  public abstract short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset);

  /** Adds the input to the checksum. */
  public abstract void update(byte[] inBuff, short inOffset, short inLength);
}
