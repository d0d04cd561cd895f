package org.globalplatform;

import javacard.framework.Shareable;

/** A Security Domain service that starts an HTTP administration session (GP Amendment B). */
public interface HTTPAdministration extends Shareable {
  /** Requests an administration session with the parameters in the buffer. */
  void requestHTTPAdministrationSession(byte[] baBuffer, short sOffset, short sLength);
}
