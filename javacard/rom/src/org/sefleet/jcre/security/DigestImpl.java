package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.MessageDigest;

/**
 * SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512. The running hash lives in the VM (a side table keyed
 * by this object, RAM only): a card reset drops it, which is exactly the reset-to-initial-state the
 * API asks for, and it never takes part in a transaction.
 */
final class DigestImpl extends MessageDigest {
  final byte algorithm;
  final byte length;

  DigestImpl(byte algorithm) {
    this.algorithm = algorithm;
    this.length = lengthOf(algorithm);
  }

  /** The digest length of a supported algorithm, 0 for any other. */
  static byte lengthOf(byte algorithm) {
    switch (algorithm) {
      case ALG_SHA:
        return LENGTH_SHA;
      case ALG_SHA_224:
        return LENGTH_SHA_224;
      case ALG_SHA_256:
        return LENGTH_SHA_256;
      case ALG_SHA_384:
        return LENGTH_SHA_384;
      case ALG_SHA_512:
        return LENGTH_SHA_512;
      default:
        return 0;
    }
  }

  /** The input block length of a supported algorithm (HMAC needs it). */
  static short blockOf(byte algorithm) {
    return algorithm == ALG_SHA_384 || algorithm == ALG_SHA_512 ? (short) 128 : (short) 64;
  }

  public byte getAlgorithm() {
    return algorithm;
  }

  public byte getLength() {
    return length;
  }

  public short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException {
    Bounds.check(inBuff, inOffset, inLength);
    Bounds.check(outBuff, outOffset, length);
    return finish(algorithm, inBuff, inOffset, inLength, outBuff, outOffset);
  }

  public void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException {
    Bounds.check(inBuff, inOffset, inLength);
    absorb(algorithm, inBuff, inOffset, inLength);
  }

  public void reset() {
    abandon();
  }

  /** Adds input to the running hash of this object (started empty when there is none). */
  private native void absorb(byte algorithm, byte[] in, short offset, short length);

  /** Adds input, writes the digest, and drops the running hash; returns the digest length. */
  private native short finish(byte algorithm, byte[] in, short offset, short length, byte[] out, short outOffset);

  /** Drops the running hash. */
  private native void abandon();
}
