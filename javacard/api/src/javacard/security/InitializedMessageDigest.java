package javacard.security;

import org.sefleet.jcre.security.Engines;

/**
 * A message digest whose intermediate state can be set (to continue a hash computed elsewhere over a
 * block-aligned prefix). Obtained from {@link MessageDigest#getInitializedMessageDigestInstance}.
 */
public abstract class InitializedMessageDigest extends MessageDigest {
  /**
   * Sets the intermediate hash state and the length of the message already hashed.
   *
   * @throws CryptoException ILLEGAL_VALUE when the state or the length is not acceptable
   */
  public abstract void setInitialDigest(byte[] initialDigestBuf, short initialDigestOffset,
      short initialDigestLength, byte[] digestedMsgLenBuf, short digestedMsgLenOffset,
      short digestedMsgLenLength) throws CryptoException;

  /** For subclasses. */
  protected InitializedMessageDigest() {
  }

  /** The one-shot form of {@link InitializedMessageDigest}. */
  public static final class OneShot extends InitializedMessageDigest {
    private InitializedMessageDigest delegate;

    private OneShot(InitializedMessageDigest delegate) {
      this.delegate = delegate;
    }

    /**
     * Takes an instance for {@code algorithm}.
     *
     * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement it (this card
     *     implements no resumable digest, so it always refuses)
     */
    public static final OneShot open(byte algorithm) throws CryptoException {
      return new OneShot(Engines.initializedMessageDigest(algorithm, false));
    }

    /** Releases the instance. */
    public void close() {
      delegate = null;
    }

    private InitializedMessageDigest engine() {
      if (delegate == null) {
        CryptoException.throwIt(CryptoException.ILLEGAL_USE);
      }
      return delegate;
    }

    public void setInitialDigest(byte[] initialDigestBuf, short initialDigestOffset, short initialDigestLength,
        byte[] digestedMsgLenBuf, short digestedMsgLenOffset, short digestedMsgLenLength)
        throws CryptoException {
      engine().setInitialDigest(initialDigestBuf, initialDigestOffset, initialDigestLength, digestedMsgLenBuf,
          digestedMsgLenOffset, digestedMsgLenLength);
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

    public void reset() {
      engine().reset();
    }

    public void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException {
      engine().update(inBuff, inOffset, inLength);
    }
  }
}
