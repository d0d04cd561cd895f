package org.sefleet.test.gp;

/** A persistent counter object (an object the applet creates at install, kept in NVM). */
final class Counter {
  private short value;

  short next() {
    value++;
    return value;
  }
}
