package javacard.security;

import javacard.framework.JCSystem;
import javacard.framework.SystemException;
import org.sefleet.jcre.security.Engines;

/**
 * Random number generation. Every algorithm draws from the card's random source (a cryptographic
 * generator); the algorithm code records what the applet asked for.
 */
public abstract class RandomData {
  /** Pseudo-random data (deprecated name kept for old applets). */
  public static final byte ALG_PSEUDO_RANDOM = 1;
  /** Cryptographically secure random data. */
  public static final byte ALG_SECURE_RANDOM = 2;
  /** Random data from a true random number generator. */
  public static final byte ALG_TRNG = 3;
  /** A deterministic random bit generator seeded by the platform. */
  public static final byte ALG_PRESEEDED_DRBG = 4;
  /** The fastest generator the platform offers. */
  public static final byte ALG_FAST = 5;
  /** A generator fit for key generation. */
  public static final byte ALG_KEYGENERATION = 6;

  /** For subclasses. */
  protected RandomData() {
  }

  /**
   * Creates a random data generator.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM for an unknown algorithm code
   */
  public static final RandomData getInstance(byte algorithm) throws CryptoException {
    return Engines.randomData(algorithm);
  }

  /**
   * Fills {@code buffer[offset..offset+length)} with random bytes.
   *
   * @deprecated replaced by {@link #nextBytes(byte[], short, short)} in Java Card 3.0.5
   */
  @Deprecated
  public abstract void generateData(byte[] buffer, short offset, short length) throws CryptoException;

  /**
   * Fills {@code buffer[offset..offset+length)} with random bytes.
   *
   * @return {@code offset + length}
   */
  public abstract short nextBytes(byte[] buffer, short offset, short length) throws CryptoException;

  /** Adds seed material to the generator (it never makes the output predictable). */
  public abstract void setSeed(byte[] buffer, short offset, short length);

  /** The algorithm code. */
  public abstract byte getAlgorithm();

  /** A generator for one-shot use, from a small pool shared by every applet. */
  public static final class OneShot extends RandomData {
    private static final byte POOL_SIZE = 2;
    private static final OneShot[] pool = new OneShot[POOL_SIZE];
    private static final boolean[] open = JCSystem.makeTransientBooleanArray(POOL_SIZE, JCSystem.CLEAR_ON_RESET);

    static {
      for (byte i = 0; i < POOL_SIZE; i++) {
        pool[i] = new OneShot(i);
      }
    }

    private final byte slot;
    private RandomData delegate;

    private OneShot(byte slot) {
      this.slot = slot;
    }

    /**
     * Takes an instance for {@code algorithm}.
     *
     * @throws CryptoException NO_SUCH_ALGORITHM for an unknown algorithm code
     * @throws SystemException NO_RESOURCE when every instance is in use
     */
    public static final OneShot open(byte algorithm) throws CryptoException {
      for (byte i = 0; i < POOL_SIZE; i++) {
        if (!open[i]) {
          pool[i].delegate = Engines.oneShotRandom(algorithm, i);
          open[i] = true;
          return pool[i];
        }
      }
      SystemException.throwIt(SystemException.NO_RESOURCE);
      return null;
    }

    /** Releases the instance. */
    public void close() {
      open[slot] = false;
      delegate = null;
    }

    private RandomData engine() {
      if (!open[slot] || delegate == null) {
        CryptoException.throwIt(CryptoException.ILLEGAL_USE);
      }
      return delegate;
    }

    public byte getAlgorithm() {
      return engine().getAlgorithm();
    }

    /** @deprecated replaced by {@link #nextBytes(byte[], short, short)} */
    @Deprecated
    public void generateData(byte[] buffer, short offset, short length) throws CryptoException {
      engine().nextBytes(buffer, offset, length);
    }

    public short nextBytes(byte[] buffer, short offset, short length) throws CryptoException {
      return engine().nextBytes(buffer, offset, length);
    }

    public void setSeed(byte[] buffer, short offset, short length) {
      engine().setSeed(buffer, offset, length);
    }
  }
}
