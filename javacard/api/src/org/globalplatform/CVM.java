package org.globalplatform;

import javacard.framework.Shareable;

/** A cardholder verification method (a global PIN) offered by the card. */
public interface CVM extends Shareable {
  /** {@link #verify} result: the value matched. */
  short CVM_SUCCESS = 0;
  /** {@link #verify} result: the value did not match. */
  short CVM_FAILURE = -1;
  /** Value format: ASCII digits. */
  byte FORMAT_ASCII = 1;
  /** Value format: BCD digits. */
  byte FORMAT_BCD = 2;
  /** Value format: hexadecimal. */
  byte FORMAT_HEX = 3;

  /** True when the CVM has a value and can be used. */
  boolean isActive();

  /** True when a verification was attempted in the current session. */
  boolean isSubmitted();

  /** True when the last verification succeeded. */
  boolean isVerified();

  /** True when no tries are left. */
  boolean isBlocked();

  /** The number of tries left. */
  byte getTriesRemaining();

  /** Changes the value. */
  boolean update(byte[] baBuffer, short sOffset, byte bLength, byte bFormat);

  /** Clears the verified state. */
  boolean resetState();

  /** Blocks the CVM. */
  boolean blockState();

  /** Resets the try counter and unblocks the CVM. */
  boolean resetAndUnblockState();

  /** Sets the maximum number of tries. */
  boolean setTryLimit(byte bTryLimit);

  /** Compares a value; returns {@link #CVM_SUCCESS} or {@link #CVM_FAILURE}. */
  short verify(byte[] baBuffer, short sOffset, byte bLength, byte bFormat);
}
