package org.globalplatform;

import javacard.framework.Shareable;

/** Implemented by an application that wants to learn how an HTTP administration session ended. */
public interface HTTPReportListener extends Shareable {
  /** Report: the session ended without error. */
  short HTTP_SESSION_NO_ERROR = 1;
  /** Report: the session failed. */
  short HTTP_SESSION_ERROR = (short) 0x8001;

  /** Receives the report (the method name is spelt as in the GlobalPlatform API). */
  void httpAdministationSessionReport(short status);
}
