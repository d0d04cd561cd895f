package org.sefleet.test.gp;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;

/**
 * The applet of the ISD's Java Card content tests (LOAD, INSTALL, DELETE, GET STATUS).
 * Its application data (the C9 value of INSTALL) steers install() and select():
 *   E1 SW1 SW2   install() throws ISOException(SW1 SW2)
 *   E2           install() returns without register()
 *   E3           select() returns false
 * Commands (class 80): 10 returns the application data; 20 increments a persistent counter and returns it.
 */
public final class GpApplet extends Applet {
  static final byte INS_PARAMETERS = 0x10;
  static final byte INS_COUNT = 0x20;

  private final byte[] parameters;
  private final Counter counter = new Counter();

  private GpApplet(byte[] bArray, short dataOffset, byte dataLength) {
    parameters = new byte[dataLength];
    Util.arrayCopy(bArray, dataOffset, parameters, (short) 0, dataLength);
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    byte aidLength = bArray[bOffset];
    short offset = (short) (bOffset + 1 + aidLength);  // control information
    offset = (short) (offset + 1 + bArray[offset]);     // application data
    byte dataLength = bArray[offset];
    short data = (short) (offset + 1);
    if (dataLength >= 3 && bArray[data] == (byte) 0xE1) {
      ISOException.throwIt(Util.getShort(bArray, (short) (data + 1)));
    }
    GpApplet applet = new GpApplet(bArray, data, dataLength);
    if (dataLength >= 1 && bArray[data] == (byte) 0xE2) {
      return;
    }
    applet.register(bArray, (short) (bOffset + 1), aidLength);
  }

  public boolean select() {
    return !(parameters.length >= 1 && parameters[0] == (byte) 0xE3);
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buffer = apdu.getBuffer();
    switch (buffer[ISO7816.OFFSET_INS]) {
      case INS_PARAMETERS:
        Util.arrayCopyNonAtomic(parameters, (short) 0, buffer, (short) 0, (short) parameters.length);
        apdu.setOutgoingAndSend((short) 0, (short) parameters.length);
        return;
      case INS_COUNT:
        Util.setShort(buffer, (short) 0, counter.next());
        apdu.setOutgoingAndSend((short) 0, (short) 2);
        return;
      default:
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
  }
}
