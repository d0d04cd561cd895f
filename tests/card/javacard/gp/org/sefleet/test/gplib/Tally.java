package org.sefleet.test.gplib;

/** A library package (no applet) that another package links to: DELETE of it is refused while that one is loaded. */
public final class Tally {
  private Tally() {}

  public static short twice(short value) {
    return (short) (value * 2);
  }
}
