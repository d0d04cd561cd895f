package org.globalplatform;

import javacard.framework.Shareable;
import javacard.security.CryptoException;

/** A service of a Security Domain with the Authorized Management privilege (signing, key recovery). */
public interface Authority extends Shareable {
  /** Mode for {@link #init(byte)}: sign. */
  byte MODE_SIGN = 1;
  /** Mode for {@link #init(byte)}: recover a key. */
  byte MODE_KEY_RECOVERY = 2;

  /** Starts an operation in the given mode. */
  void init(byte mode) throws CryptoException;

  /** Signs the data given to {@link #update} and this input; returns the signature length. */
  short sign(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset) throws CryptoException;

  /** Adds data to the operation. */
  void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException;

  /** Recovers a key from the input; returns its length. */
  short recoverKey(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException;
}
