package com.sefleet.test.client;

import com.sefleet.test.server.Counter;
import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;

/** The client side of the firewall tests: one instruction per firewall rule. */
public final class ClientApplet extends Applet {
  private static final byte[] SERVER = {(byte) 0xF0, 0, 0, 0, 3, 1, 1};
  private Object kept;
  private byte[] mine = new byte[2];

  private ClientApplet() {
    register();
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new ClientApplet();
  }

  private Counter counter(byte parameter) {
    AID server = JCSystem.lookupAID(SERVER, (short) 0, (byte) SERVER.length);
    return (Counter) JCSystem.getAppletShareableInterfaceObject(server, parameter);
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buffer = apdu.getBuffer();
    short result = 0;
    switch (buffer[ISO7816.OFFSET_INS]) {
      case 0x01:  // a Shareable method: runs in the server's context
        result = counter((byte) 1).next();
        break;
      case 0x02:  // the server's array: holding it is fine, reading it is not
        try {
          byte[] secret = counter((byte) 1).secret();
          result = secret[0];
        } catch (SecurityException e) {
          result = 0x5EC;
        }
        break;
      case 0x03:  // the server refuses parameter 0
        result = (short) (counter((byte) 0) == null ? 1 : 0);
        break;
      case 0x04:  // a global array cannot be stored
        try {
          kept = buffer;
        } catch (SecurityException e) {
          result = 0x5EC;
        }
        break;
      case 0x05:  // nor a temporary entry point object
        try {
          kept = apdu;
        } catch (SecurityException e) {
          result = 0x5EC;
        }
        break;
      case 0x06:  // the server sees who called
        result = counter((byte) 1).caller();
        break;
      case 0x07:  // the client's own objects are fine
        mine[0] = 7;
        kept = mine;
        result = mine[0];
        break;
      case 0x08:  // an exception object of the JCRE can be caught and read
        try {
          ISOException.throwIt((short) 0x1234);
        } catch (ISOException e) {
          result = e.getReason();
        }
        break;
      default:
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
    Util.setShort(buffer, (short) 0, result);
    apdu.setOutgoingAndSend((short) 0, (short) 2);
  }
}
