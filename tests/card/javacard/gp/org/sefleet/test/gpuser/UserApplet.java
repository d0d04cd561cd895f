package org.sefleet.test.gpuser;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;
import org.sefleet.test.gplib.Tally;

/** An applet using the library package org.sefleet.test.gplib. Command 80 30: returns Tally.twice(21). */
public final class UserApplet extends Applet {
  private UserApplet() {}

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new UserApplet().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buffer = apdu.getBuffer();
    if (buffer[ISO7816.OFFSET_INS] != 0x30) {
      ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
    Util.setShort(buffer, (short) 0, Tally.twice((short) 21));
    apdu.setOutgoingAndSend((short) 0, (short) 2);
  }
}
