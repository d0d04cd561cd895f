package com.sefleet.bench;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;

/** The interpreter benchmark's applet: a loop of simple bytecodes, and an echo command. */
public final class BenchApplet extends Applet {
  private BenchApplet() {
    register();
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new BenchApplet();
  }

  /** Integer arithmetic, local variables and a backward branch only (bench/card_javacard_interpreter.cpp). */
  public static int loop(int n) {
    int sum = 0;
    int x = 7;
    for (int i = 0; i < n; i++) {
      sum += i ^ x;
      x = (x << 1) + (sum >>> 3);
    }
    return sum;
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buffer = apdu.getBuffer();
    if (buffer[ISO7816.OFFSET_INS] != 0x01) {
      ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
    short length = apdu.setIncomingAndReceive();
    apdu.setOutgoingAndSend(ISO7816.OFFSET_CDATA, length);
  }
}
