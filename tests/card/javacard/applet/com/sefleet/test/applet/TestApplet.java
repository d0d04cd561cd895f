package com.sefleet.test.applet;

import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.OwnerPIN;
import javacard.framework.TransactionException;
import javacard.framework.Util;
import javacard.security.MessageDigest;
import org.globalplatform.GPSystem;
import org.globalplatform.SecureChannel;

/**
 * The applet of the VM's APDU-level tests: one instruction per behaviour (class 80).
 * The install parameters (C9) seed the persistent buffer's first bytes.
 */
public final class TestApplet extends Applet {
  static final byte INS_ECHO = 0x01;
  static final byte INS_THROW_SW = 0x02;
  static final byte INS_THROW_NPE = 0x03;
  static final byte INS_ENDLESS = 0x04;
  static final byte INS_COUNTER = 0x05;
  static final byte INS_TRANSACTION = 0x06;
  static final byte INS_TRANSIENT = 0x07;
  static final byte INS_LONG = 0x08;
  static final byte INS_AID = 0x0A;
  static final byte INS_CAPACITY = 0x0C;
  static final byte INS_PIN = 0x0D;
  static final byte INS_DATA_AND_SW = 0x0E;
  static final byte INS_GARBAGE = 0x10;
  static final byte INS_STATE = 0x11;
  static final byte INS_NON_ATOMIC = 0x12;
  static final byte INS_PARAMS = 0x13;
  static final byte INS_CHAINED = 0x14;
  static final byte INS_OPEN_TRANSACTION = 0x15;
  static final byte INS_PURE_TRANSACTION = 0x16;
  static final byte INS_ENTRY_POINTS = 0x17;
  static final byte INS_FULL_COMMIT = 0x18;
  static final byte INS_GRAPH = 0x19;
  static final byte INS_UNRECEIVED = 0x1A;

  private final byte[] persistent = new byte[300];
  private final byte[] resetData = JCSystem.makeTransientByteArray((short) 4, JCSystem.CLEAR_ON_RESET);
  private final byte[] deselectData = JCSystem.makeTransientByteArray((short) 4, JCSystem.CLEAR_ON_DESELECT);
  private final OwnerPIN pin = new OwnerPIN((byte) 3, (byte) 8);
  private short counter;
  private byte[] scratch;
  private short chainOffset;
  private SecureChannel channel;  // a permanent JCRE entry point object, kept as applets do
  private Object kept;
  private Object[] graph;

  private TestApplet(byte[] params, short offset, byte length) {
    Util.arrayCopy(params, offset, persistent, (short) 0, length);
    byte[] initial = {'1', '2', '3', '4'};
    pin.update(initial, (short) 0, (byte) 4);
    register();
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    short offset = (short) (bOffset + bArray[bOffset] + 1);  // skip the instance AID
    offset = (short) (offset + bArray[offset] + 1);          // skip the control information
    byte length = bArray[offset];
    if (length > 0 && bArray[(short) (offset + 1)] == (byte) 0xEE) {
      ISOException.throwIt((short) 0x6A80);
    }
    new TestApplet(bArray, (short) (offset + 1), length);
  }

  public boolean select() {
    return persistent[0] != (byte) 0xFF;
  }

  public void deselect() {
    pin.reset();
  }

  public void process(APDU apdu) {
    byte[] buffer = apdu.getBuffer();
    if (selectingApplet()) {
      buffer[0] = 'S';
      buffer[1] = reSelectingApplet() ? (byte) 1 : (byte) 0;
      apdu.setOutgoingAndSend((short) 0, (short) 2);
      return;
    }
    switch (buffer[ISO7816.OFFSET_INS]) {
      case INS_ECHO: {
        short length = apdu.setIncomingAndReceive();
        apdu.setOutgoingAndSend(ISO7816.OFFSET_CDATA, length);
        return;
      }
      case INS_UNRECEIVED: {
        // Echoes the data field as the buffer holds it before any receive (Lc bytes at OFFSET_CDATA),
        // the way applets written for T=1 cards read their command data.
        short length = (short) (buffer[ISO7816.OFFSET_LC] & 0xFF);
        apdu.setOutgoingAndSend(ISO7816.OFFSET_CDATA, length);
        return;
      }
      case INS_THROW_SW:
        ISOException.throwIt(Util.getShort(buffer, ISO7816.OFFSET_P1));
        return;
      case INS_THROW_NPE: {
        byte[] nothing = null;
        nothing[0] = 1;
        return;
      }
      case INS_ENDLESS: {
        short i = 0;
        while (buffer[0] != 0x55) {
          i++;
        }
        return;
      }
      case INS_COUNTER:
        counter++;
        Util.setShort(buffer, (short) 0, counter);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
        return;
      case INS_TRANSACTION: {
        // P1: value, P2: 0 commit, 1 abort, 2 leave open (the entry end aborts it)
        JCSystem.beginTransaction();
        Util.arrayFillNonAtomic(persistent, (short) 200, (short) 4, buffer[ISO7816.OFFSET_P1]);
        for (short k = 0; k < 8; k++) {
          persistent[k] = buffer[ISO7816.OFFSET_P1];
        }
        counter = 1000;
        scratch = new byte[5];
        if (buffer[ISO7816.OFFSET_P2] == 1) {
          JCSystem.abortTransaction();
        } else if (buffer[ISO7816.OFFSET_P2] == 0) {
          JCSystem.commitTransaction();
        } else {
          ISOException.throwIt((short) 0x6301);
        }
        sendState(apdu);
        return;
      }
      case INS_STATE:
        sendState(apdu);
        return;
      case INS_TRANSIENT: {
        // P1 = 1 write P2 into both arrays; answers both arrays' first byte
        if (buffer[ISO7816.OFFSET_P1] == 1) {
          resetData[0] = buffer[ISO7816.OFFSET_P2];
          deselectData[0] = buffer[ISO7816.OFFSET_P2];
        }
        buffer[0] = resetData[0];
        buffer[1] = deselectData[0];
        buffer[2] = JCSystem.isTransient(resetData);
        buffer[3] = JCSystem.isTransient(deselectData);
        buffer[4] = JCSystem.isTransient(persistent);
        apdu.setOutgoingAndSend((short) 0, (short) 5);
        return;
      }
      case INS_LONG: {
        short length = Util.getShort(buffer, ISO7816.OFFSET_P1);
        for (short k = 0; k < persistent.length; k++) {
          persistent[k] = (byte) k;
        }
        apdu.setOutgoing();
        apdu.setOutgoingLength(length);
        apdu.sendBytesLong(persistent, (short) 0, length);
        return;
      }
      case INS_AID: {
        AID mine = JCSystem.getAID();
        byte length = mine.getBytes(buffer, (short) 1);
        buffer[0] = length;
        AID found = JCSystem.lookupAID(buffer, (short) 1, length);
        buffer[(short) (length + 1)] = (byte) (found == mine ? 1 : 0);
        buffer[(short) (length + 2)] = (byte) (mine.equals(buffer, (short) 1, length) ? 1 : 0);
        buffer[(short) (length + 3)] = (byte) (mine.RIDEquals(found) ? 1 : 0);
        apdu.setOutgoingAndSend((short) 0, (short) (length + 4));
        return;
      }
      case INS_CAPACITY: {
        // Journalled writes of 16 bytes until the commit buffer is full.
        short max = JCSystem.getMaxCommitCapacity();
        short writes = 0;
        JCSystem.beginTransaction();
        try {
          while (true) {
            Util.arrayCopy(persistent, (short) 100, persistent, (short) 0, (short) 16);
            writes++;
          }
        } catch (TransactionException e) {
          short unused = JCSystem.getUnusedCommitCapacity();
          JCSystem.abortTransaction();
          Util.setShort(buffer, (short) 0, max);
          Util.setShort(buffer, (short) 2, writes);
          Util.setShort(buffer, (short) 4, unused);
          Util.setShort(buffer, (short) 6, e.getReason());
          apdu.setOutgoingAndSend((short) 0, (short) 8);
        }
        return;
      }
      case INS_PIN: {
        short length = apdu.setIncomingAndReceive();
        boolean ok = pin.check(buffer, ISO7816.OFFSET_CDATA, (byte) length);
        buffer[0] = (byte) (ok ? 1 : 0);
        buffer[1] = pin.getTriesRemaining();
        buffer[2] = (byte) (pin.isValidated() ? 1 : 0);
        apdu.setOutgoingAndSend((short) 0, (short) 3);
        return;
      }
      case INS_DATA_AND_SW:
        buffer[0] = 0x11;
        buffer[1] = 0x22;
        apdu.setOutgoingAndSend((short) 0, (short) 2);
        ISOException.throwIt((short) 0x6310);
        return;
      case INS_GARBAGE: {
        short before = JCSystem.getAvailableMemory(JCSystem.MEMORY_TYPE_PERSISTENT);
        scratch = new byte[1000];
        scratch = null;
        JCSystem.requestObjectDeletion();
        Util.setShort(buffer, (short) 0, before);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
        return;
      }
      case INS_NON_ATOMIC: {
        // Non-atomic writes inside an aborted transaction stay.
        JCSystem.beginTransaction();
        Util.arrayFillNonAtomic(persistent, (short) 210, (short) 2, buffer[ISO7816.OFFSET_P1]);
        persistent[212] = buffer[ISO7816.OFFSET_P1];
        JCSystem.abortTransaction();
        Util.arrayCopyNonAtomic(persistent, (short) 210, buffer, (short) 0, (short) 3);
        apdu.setOutgoingAndSend((short) 0, (short) 3);
        return;
      }
      case INS_PARAMS:
        apdu.setOutgoing();
        apdu.setOutgoingLength((short) 4);
        apdu.sendBytesLong(persistent, (short) 0, (short) 4);
        return;
      case (byte) 0xC0:  // GET RESPONSE of the applet's own chaining (the runtime has nothing pending)
      case INS_CHAINED: {
        // The applet's own response chaining: 4 bytes per answer, 61xx while more is left; the host
        // sends INS_CHAINED again for the rest.
        short length = (short) 10;
        short count = (short) (length - chainOffset) > 4 ? 4 : (short) (length - chainOffset);
        for (short k = 0; k < count; k++) {
          buffer[k] = (byte) (chainOffset + k);
        }
        chainOffset += count;
        apdu.setOutgoingAndSend((short) 0, count);
        if (chainOffset < length) {
          ISOException.throwIt((short) (ISO7816.SW_BYTES_REMAINING_00 | (length - chainOffset)));
        }
        chainOffset = 0;
        return;
      }
      case INS_PURE_TRANSACTION: {
        // Journalled writes only (the tearing test: exactly before or after).
        JCSystem.beginTransaction();
        for (short k = 0; k < 8; k++) {
          persistent[k] = buffer[ISO7816.OFFSET_P1];
        }
        persistent[250] = buffer[ISO7816.OFFSET_P1];
        counter = 1000;
        scratch = new byte[5];
        JCSystem.commitTransaction();
        sendState(apdu);
        return;
      }
      case INS_ENTRY_POINTS: {
        // P1 = 1: keep the secure channel in a field. Answers: channel kept, the same object as
        // GPSystem returns now, its security level (a call that runs in the JCRE's context), a
        // OneShot could be stored (0) or the firewall refused it (1), then the first 4 bytes of
        // SHA-256 of nothing computed through that OneShot.
        if (buffer[ISO7816.OFFSET_P1] == 1) {
          channel = GPSystem.getSecureChannel();
        }
        buffer[0] = (byte) (channel == null ? 0 : 1);
        buffer[1] = (byte) (channel == GPSystem.getSecureChannel() ? 1 : 0);
        buffer[2] = channel == null ? (byte) 0x7F : channel.getSecurityLevel();
        MessageDigest.OneShot digest = MessageDigest.OneShot.open(MessageDigest.ALG_SHA_256);
        try {
          digest.doFinal(buffer, (short) 0, (short) 0, buffer, (short) 32);
          try {
            kept = digest;
            buffer[3] = 0;
          } catch (SecurityException e) {
            buffer[3] = 1;
          }
        } finally {
          digest.close();
        }
        Util.arrayCopyNonAtomic(buffer, (short) 32, buffer, (short) 4, (short) 4);
        apdu.setOutgoingAndSend((short) 0, (short) 8);
        return;
      }
      case INS_FULL_COMMIT: {
        // Journalled 16-byte copies of P1 over persistent[0..288) until the commit buffer is full,
        // then the commit of everything that fitted. Answers the number of copies.
        byte value = buffer[ISO7816.OFFSET_P1];
        Util.arrayFillNonAtomic(buffer, (short) 16, (short) 16, value);
        short copies = 0;
        JCSystem.beginTransaction();
        try {
          while (true) {
            Util.arrayCopy(buffer, (short) 16, persistent, (short) ((short) (copies % 18) * 16), (short) 16);
            copies++;
          }
        } catch (TransactionException e) {
          JCSystem.commitTransaction();
        }
        Util.setShort(buffer, (short) 0, copies);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
        return;
      }
      case INS_GRAPH: {
        // P1 = 1: build in one transaction an object graph with P2 in it: graph = {byte[4], graph
        // itself, short[2], a PIN}. Always answers what a walk of the graph finds: 00 (no graph) or
        // 01, the byte array, the self reference seen (01), the short array, the PIN's tries.
        if (buffer[ISO7816.OFFSET_P1] == 1) {
          byte value = buffer[ISO7816.OFFSET_P2];
          JCSystem.beginTransaction();
          Object[] nodes = new Object[4];
          byte[] bytes = new byte[4];
          Util.arrayFillNonAtomic(bytes, (short) 0, (short) 4, value);
          short[] shorts = new short[2];
          shorts[1] = (short) (value * 257);
          OwnerPIN graphPin = new OwnerPIN((byte) 5, (byte) 4);
          nodes[0] = bytes;
          nodes[1] = nodes;
          nodes[2] = shorts;
          nodes[3] = graphPin;
          graph = nodes;
          JCSystem.commitTransaction();
        }
        if (graph == null) {
          buffer[0] = 0;
          apdu.setOutgoingAndSend((short) 0, (short) 1);
          return;
        }
        buffer[0] = 1;
        Util.arrayCopyNonAtomic((byte[]) graph[0], (short) 0, buffer, (short) 1, (short) 4);
        buffer[5] = (byte) (graph[1] == graph ? 1 : 0);
        Util.setShort(buffer, (short) 6, ((short[]) graph[2])[1]);
        buffer[8] = ((OwnerPIN) graph[3]).getTriesRemaining();
        apdu.setOutgoingAndSend((short) 0, (short) 9);
        return;
      }
      case INS_OPEN_TRANSACTION:
        JCSystem.beginTransaction();
        counter = 4242;
        return;
      default:
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
  }

  private void sendState(APDU apdu) {
    byte[] buffer = apdu.getBuffer();
    Util.arrayCopyNonAtomic(persistent, (short) 0, buffer, (short) 0, (short) 8);
    Util.setShort(buffer, (short) 8, counter);
    buffer[10] = (byte) (scratch == null ? 0 : scratch.length);
    buffer[11] = persistent[200];
    buffer[12] = JCSystem.getTransactionDepth();
    apdu.setOutgoingAndSend((short) 0, (short) 13);
  }
}
