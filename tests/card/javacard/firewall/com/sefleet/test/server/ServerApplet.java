package com.sefleet.test.server;

import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Shareable;
import javacard.framework.Util;

/** The server side of the firewall tests: shares a Counter with clients that ask with parameter 1. */
public final class ServerApplet extends Applet implements Counter {
  private short value;
  private final byte[] secret = {0x5E, 0x5E};

  private ServerApplet() {
    register();
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new ServerApplet();
  }

  public Shareable getShareableInterfaceObject(AID clientAID, byte parameter) {
    return parameter == 1 ? this : null;
  }

  public short next() {
    value++;
    return value;
  }

  public byte[] secret() {
    return secret;
  }

  public byte caller() {
    AID previous = JCSystem.getPreviousContextAID();
    byte[] buffer = JCSystem.makeTransientByteArray((short) 16, JCSystem.CLEAR_ON_RESET);
    previous.getBytes(buffer, (short) 0);
    return buffer[6];
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buffer = apdu.getBuffer();
    if (buffer[ISO7816.OFFSET_INS] == 0x01) {
      Util.setShort(buffer, (short) 0, value);
      apdu.setOutgoingAndSend((short) 0, (short) 2);
      return;
    }
    ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
  }
}
