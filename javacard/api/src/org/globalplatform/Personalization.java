package org.globalplatform;

import javacard.framework.Shareable;

/** Implemented by an application that its Security Domain personalizes (INSTALL [for personalization]). */
public interface Personalization extends Shareable {
  /** Processes personalization data; returns the length of the response written to {@code outBuf}. */
  short processData(byte[] inBuf, short inOffset, short inLength, byte[] outBuf, short outOffset);
}
