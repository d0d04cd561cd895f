package com.sefleet.test.server;

import javacard.framework.Shareable;

/** What the server applet shares through the firewall. */
public interface Counter extends Shareable {
  /** The next value of the server's persistent counter. */
  short next();

  /** The server's own array (the client may hold it but not read it). */
  byte[] secret();

  /** The first byte of the AID of the applet that called (JCSystem.getPreviousContextAID). */
  byte caller();
}
