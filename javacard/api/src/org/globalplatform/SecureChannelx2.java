package org.globalplatform;

import javacard.framework.ISOException;

/** A secure channel whose security commands may be passed in any buffer. */
public interface SecureChannelx2 extends SecureChannel {
  /**
   * Processes a security command held in {@code baBuffer}; returns the length of the response.
   *
   * @throws ISOException with the status word of a refusal
   */
  short processSecurity(byte[] baBuffer, short sInOffset, short sInLength, short sOutOffset) throws ISOException;
}
