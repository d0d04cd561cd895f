package javacard.security;

import javacard.framework.JCSystem;
import javacard.framework.SystemException;
import org.sefleet.jcre.security.Engines;

/**
 * Message digests (hash functions). A card reset returns an object to its initial state; the
 * intermediate state never takes part in a transaction.
 */
public abstract class MessageDigest {
  /** No digest: a placeholder for {@code Signature.getInstance(byte, byte, byte, boolean)}. */
  public static final byte ALG_NULL = 0;
  /** SHA-1. */
  public static final byte ALG_SHA = 1;
  /** MD5. */
  public static final byte ALG_MD5 = 2;
  /** RIPEMD-160. */
  public static final byte ALG_RIPEMD160 = 3;
  /** SHA-256. */
  public static final byte ALG_SHA_256 = 4;
  /** SHA-384. */
  public static final byte ALG_SHA_384 = 5;
  /** SHA-512. */
  public static final byte ALG_SHA_512 = 6;
  /** SHA-224. */
  public static final byte ALG_SHA_224 = 7;
  /** SHA3-224. */
  public static final byte ALG_SHA3_224 = 8;
  /** SHA3-256. */
  public static final byte ALG_SHA3_256 = 9;
  /** SHA3-384. */
  public static final byte ALG_SHA3_384 = 10;
  /** SHA3-512. */
  public static final byte ALG_SHA3_512 = 11;

  /** Output length of MD5 in bytes. */
  public static final byte LENGTH_MD5 = 16;
  /** Output length of RIPEMD-160 in bytes. */
  public static final byte LENGTH_RIPEMD160 = 20;
  /** Output length of SHA-1 in bytes. */
  public static final byte LENGTH_SHA = 20;
  /** Output length of SHA-224 in bytes. */
  public static final byte LENGTH_SHA_224 = 28;
  /** Output length of SHA-256 in bytes. */
  public static final byte LENGTH_SHA_256 = 32;
  /** Output length of SHA-384 in bytes. */
  public static final byte LENGTH_SHA_384 = 48;
  /** Output length of SHA-512 in bytes. */
  public static final byte LENGTH_SHA_512 = 64;
  /** Output length of SHA3-224 in bytes. */
  public static final byte LENGTH_SHA3_224 = 28;
  /** Output length of SHA3-256 in bytes. */
  public static final byte LENGTH_SHA3_256 = 32;
  /** Output length of SHA3-384 in bytes. */
  public static final byte LENGTH_SHA3_384 = 48;
  /** Output length of SHA3-512 in bytes. */
  public static final byte LENGTH_SHA3_512 = 64;

  /** For subclasses. */
  protected MessageDigest() {
  }

  /**
   * Creates a digest object.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement {@code algorithm}
   */
  public static final MessageDigest getInstance(byte algorithm, boolean externalAccess) throws CryptoException {
    return Engines.messageDigest(algorithm, externalAccess);
  }

  /**
   * Creates a digest object whose intermediate state can be set.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement it (this card
   *     implements none: its digests cannot be resumed from an intermediate state)
   */
  public static final InitializedMessageDigest getInitializedMessageDigestInstance(byte algorithm,
      boolean externalAccess) throws CryptoException {
    return Engines.initializedMessageDigest(algorithm, externalAccess);
  }

  /** The algorithm code. */
  public abstract byte getAlgorithm();

  /** The digest length in bytes. */
  public abstract byte getLength();

  /**
   * Adds the input, writes the digest of the whole message to {@code outBuff} and resets the object.
   *
   * @return the digest length
   */
  public abstract short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException;

  /** Adds the input to the message. */
  public abstract void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException;

  /** Abandons the message in progress. */
  public abstract void reset();

  /**
   * A digest for one-shot use: opened, used and closed within one entry point call, so that the
   * card need not keep state for it. A small pool of instances is shared by every applet.
   */
  public static final class OneShot extends MessageDigest {
    private static final byte POOL_SIZE = 2;
    private static final OneShot[] pool = new OneShot[POOL_SIZE];
    // Which pool entries are open; cleared by a card reset (which releases every instance).
    private static final boolean[] open = JCSystem.makeTransientBooleanArray(POOL_SIZE, JCSystem.CLEAR_ON_RESET);

    static {
      for (byte i = 0; i < POOL_SIZE; i++) {
        pool[i] = new OneShot(i);
      }
    }

    private final byte slot;
    private MessageDigest delegate;

    private OneShot(byte slot) {
      this.slot = slot;
    }

    /**
     * Takes an instance for {@code algorithm}.
     *
     * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement it
     * @throws SystemException NO_RESOURCE when every instance is in use
     */
    public static final OneShot open(byte algorithm) throws CryptoException {
      for (byte i = 0; i < POOL_SIZE; i++) {
        if (!open[i]) {
          MessageDigest engine = Engines.oneShotDigest(algorithm, i);
          engine.reset();
          pool[i].delegate = engine;
          open[i] = true;
          return pool[i];
        }
      }
      SystemException.throwIt(SystemException.NO_RESOURCE);
      return null;
    }

    /** Releases the instance; it must not be used afterwards. */
    public void close() {
      if (open[slot] && delegate != null) {
        delegate.reset();
      }
      open[slot] = false;
      delegate = null;
    }

    private MessageDigest engine() {
      if (!open[slot] || delegate == null) {
        CryptoException.throwIt(CryptoException.ILLEGAL_USE);
      }
      return delegate;
    }

    public byte getAlgorithm() {
      return engine().getAlgorithm();
    }

    public byte getLength() {
      return engine().getLength();
    }

    public short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
        throws CryptoException {
      return engine().doFinal(inBuff, inOffset, inLength, outBuff, outOffset);
    }

    public void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException {
      engine().update(inBuff, inOffset, inLength);
    }

    public void reset() {
      engine().reset();
    }
  }
}
