package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.Signature;

/** What every Signature implementation shares: its algorithm codes and its init() state. */
abstract class SignatureBase extends Signature implements Forgettable {
  final byte algorithm;
  final byte digestAlgorithm;
  final byte cipherAlgorithm;
  final byte paddingAlgorithm;
  final InitState state;

  SignatureBase(byte algorithm, byte digestAlgorithm, byte cipherAlgorithm, byte paddingAlgorithm, boolean oneShot) {
    this.algorithm = algorithm;
    this.digestAlgorithm = digestAlgorithm;
    this.cipherAlgorithm = cipherAlgorithm;
    this.paddingAlgorithm = paddingAlgorithm;
    state = new InitState(oneShot);
  }

  public final byte getAlgorithm() {
    return algorithm;
  }

  public final byte getMessageDigestAlgorithm() {
    return digestAlgorithm;
  }

  public final byte getCipherAlgorithm() {
    return cipherAlgorithm;
  }

  public final byte getPaddingAlgorithm() {
    return paddingAlgorithm;
  }

  public void forget() {
    state.forget();
    restart();
  }

  /** Drops the message in progress (the state right after init()). */
  abstract void restart();

  static void requireMode(byte theMode) {
    if (theMode != MODE_SIGN && theMode != MODE_VERIFY) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
  }

  /** The key of an initialized object, checked initialized (CLEAR events may have erased it). */
  final KeyBase key() {
    if (!state.initialized()) {
      CryptoException.throwIt(CryptoException.INVALID_INIT);
    }
    KeyBase key = (KeyBase) state.key();
    key.requireInitialized();
    return key;
  }

  /** {@link #key()}, and the object must be initialized for {@code mode}. */
  final KeyBase key(byte mode) {
    KeyBase key = key();
    if (state.mode() != mode) {
      CryptoException.throwIt(CryptoException.INVALID_INIT);
    }
    return key;
  }

  /** Resuming a digest from an intermediate state is not supported by this card. */
  public final void setInitialDigest(byte[] state, short stateOffset, short stateLength, byte[] digestedMsgLenBuf,
      short digestedMsgLenOffset, short digestedMsgLenLength) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_USE);
  }
}
