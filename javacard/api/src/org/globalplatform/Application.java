package org.globalplatform;

import javacard.framework.Shareable;

/** Implemented by an application that accepts data forwarded to it by its Security Domain. */
public interface Application extends Shareable {
  /** Receives data the Security Domain forwards (for example from STORE DATA). */
  void processData(byte[] baBuffer, short sOffset, short sLength);
}
