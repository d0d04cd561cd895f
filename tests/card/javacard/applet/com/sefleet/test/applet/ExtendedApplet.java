package com.sefleet.test.applet;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;
import javacardx.apdu.ExtendedLength;

/** The extended length tests: long data in (receiveBytes) and long data out (sendBytesLong). */
public final class ExtendedApplet extends Applet implements ExtendedLength {
  private final byte[] data = new byte[1000];

  private ExtendedApplet() {
    for (short k = 0; k < data.length; k++) {
      data[k] = (byte) (k * 7);
    }
    register();
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new ExtendedApplet();
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buffer = apdu.getBuffer();
    switch (buffer[ISO7816.OFFSET_INS]) {
      case 0x01: {
        // Receive everything, chunk by chunk; answer: Lc, the bytes received, their sum, the offset
        // of the data and the buffer length.
        short received = apdu.setIncomingAndReceive();
        short total = received;
        short sum = 0;
        short offset = apdu.getOffsetCdata();
        while (received > 0) {
          for (short k = 0; k < received; k++) {
            sum += (short) (buffer[(short) (offset + k)] & 0xFF);
          }
          received = apdu.receiveBytes(offset);
          total += received;
        }
        short lc = apdu.getIncomingLength();
        Util.setShort(buffer, (short) 0, lc);
        Util.setShort(buffer, (short) 2, total);
        Util.setShort(buffer, (short) 4, sum);
        Util.setShort(buffer, (short) 6, offset);
        Util.setShort(buffer, (short) 8, (short) buffer.length);
        apdu.setOutgoingAndSend((short) 0, (short) 10);
        return;
      }
      case 0x02: {
        // Send P1P2 bytes of the pattern in pieces of 100.
        short length = Util.getShort(buffer, ISO7816.OFFSET_P1);
        short le = apdu.setOutgoing();
        apdu.setOutgoingLength(length);
        for (short sent = 0; sent < length; sent += 100) {
          short piece = (short) (length - sent) > 100 ? 100 : (short) (length - sent);
          apdu.sendBytesLong(data, sent, piece);
        }
        return;
      }
      default:
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
  }
}
