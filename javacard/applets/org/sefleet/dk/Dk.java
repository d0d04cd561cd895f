package org.sefleet.dk;

/**
 * The constants of the SFDK v1 digital-key protocol (docs/digital-key.md), the same values as the C++
 * vehicle applet's src/protocols/digital_key/dk_protocol.hpp.
 */
final class Dk {
  private Dk() {
  }

  static final byte CLA_ISO = 0x00;
  static final byte CLA_PROPRIETARY = (byte) 0x80;
  static final byte CLA_SECURE_MESSAGING = (byte) 0x84;

  static final byte INS_SELECT = (byte) 0xA4;
  static final byte P1_SELECT_BY_NAME = 0x04;
  static final byte INS_AUTH0 = (byte) 0x80;
  static final byte INS_AUTH1 = (byte) 0x81;
  static final byte INS_EXCHANGE = (byte) 0xC9;
  static final byte INS_CONTROL_FLOW = (byte) 0x3C;

  /** P2 of AUTH0: the transaction type (unlock). */
  static final byte AUTH0_TRANSACTION_UNLOCK = 0x01;
  /** P1 of CONTROL FLOW. */
  static final byte CONTROL_FLOW_FAILURE = 0x00;
  static final byte CONTROL_FLOW_SUCCESS = 0x01;

  static final byte TAG_VERSION = 0x5C;
  static final byte TAG_VEHICLE_EPK = (byte) 0x86;
  static final byte TAG_DEVICE_EPK = (byte) 0x87;
  static final byte TAG_TRANSACTION_ID = 0x4C;
  static final byte TAG_DEVICE_ID = 0x4D;
  static final byte TAG_VEHICLE_ID = 0x4F;
  static final byte TAG_SIGNATURE = (byte) 0x9E;
  static final byte TAG_KEY_SLOT = 0x4E;
  static final byte TAG_USAGE = (byte) 0x93;
  static final byte TAG_DOOR_COMMAND = (byte) 0xC1;
  static final byte TAG_DOOR_STATE = (byte) 0xC2;
  static final byte TAG_TRANSACTION_COUNTER = (byte) 0xC3;

  /** Protocol version 1.0, the only one this applet speaks. */
  static final byte VERSION_MAJOR = 0x01;
  static final byte VERSION_MINOR = 0x00;

  static final short ID_SIZE = 16;
  static final short TRANSACTION_ID_SIZE = 16;
  static final short POINT_SIZE = 65;
  static final short COORDINATE_SIZE = 32;
  static final short SCALAR_SIZE = 32;
  static final short SIGNATURE_SIZE = 64;
  static final short KEY_SIZE = 32;
  static final short MAC_SIZE = 8;
  static final short BLOCK = 16;
  static final short COUNTER_SIZE = 4;

  /** The interface byte bound into the key schedule (NFC). */
  static final byte INTERFACE_NFC = 0x5E;

  static final byte DOOR_COMMAND_UNLOCK = 0x01;
  static final byte DOOR_COMMAND_LOCK = 0x02;
  static final byte DOOR_LOCKED = 0x00;
  static final byte DOOR_UNLOCKED = 0x01;

  /** Status words that javacard.framework.ISO7816 does not name. */
  static final short SW_REFERENCED_DATA_NOT_FOUND = 0x6A88;
  static final short SW_SM_DATA_OBJECTS_INCORRECT = 0x6988;

  /** Domain separation of the two signatures: "SFD" + 'D'evice / 'V'ehicle. */
  static final byte[] DEVICE_USAGE = {'S', 'F', 'D', 'D'};
  static final byte[] VEHICLE_USAGE = {'S', 'F', 'D', 'V'};

  /** Labels of the key schedule. */
  static final byte[] LABEL_VOLATILE = {'V', 'o', 'l', 'a', 't', 'i', 'l', 'e'};
  static final byte[] LABEL_PERSISTENT = {'P', 'e', 'r', 's', 'i', 's', 't', 'e', 'n', 't'};
}
