package javacard.framework;

/**
 * The command being processed and the response being built, over the APDU buffer (a global array).
 * The APDU object is a temporary entry point object of the Java Card runtime environment; its state
 * lives in the VM. Extended length fields are available to applets implementing
 * javacardx.apdu.ExtendedLength.
 */
public final class APDU {
  public static final byte STATE_INITIAL = 0;
  public static final byte STATE_PARTIAL_INCOMING = 1;
  public static final byte STATE_FULL_INCOMING = 2;
  public static final byte STATE_OUTGOING = 3;
  public static final byte STATE_OUTGOING_LENGTH_KNOWN = 4;
  public static final byte STATE_PARTIAL_OUTGOING = 5;
  public static final byte STATE_FULL_OUTGOING = 6;
  public static final byte STATE_ERROR_NO_T0_GETRESPONSE = -1;
  public static final byte STATE_ERROR_T1_IFD_ABORT = -2;
  public static final byte STATE_ERROR_IO = -3;
  public static final byte STATE_ERROR_NO_T0_REISSUE = -4;

  public static final byte PROTOCOL_MEDIA_MASK = (byte) 0xF0;
  public static final byte PROTOCOL_TYPE_MASK = 0x0F;
  public static final byte PROTOCOL_T0 = 0;
  public static final byte PROTOCOL_T1 = 1;
  public static final byte PROTOCOL_MEDIA_DEFAULT = 0;
  public static final byte PROTOCOL_MEDIA_CONTACTLESS_TYPE_A = (byte) 0x80;
  public static final byte PROTOCOL_MEDIA_CONTACTLESS_TYPE_B = (byte) 0x90;
  public static final byte PROTOCOL_MEDIA_CONTACTLESS_TYPE_F = (byte) 0xB0;
  public static final byte PROTOCOL_MEDIA_USB = (byte) 0xA0;
  public static final byte PROTOCOL_MEDIA_HCI_APDU_GATE = (byte) 0xB0;

  APDU() {}

  public native byte[] getBuffer();

  public static native short getInBlockSize();

  public static native short getOutBlockSize();

  public static native byte getProtocol();

  public native byte getNAD();

  public native short setOutgoing() throws APDUException;

  public native short setOutgoingNoChaining() throws APDUException;

  public native void setOutgoingLength(short len) throws APDUException;

  public native short receiveBytes(short bOff) throws APDUException;

  public native short setIncomingAndReceive() throws APDUException;

  public native void sendBytes(short bOff, short len) throws APDUException;

  public native void sendBytesLong(byte[] outData, short bOff, short len) throws APDUException, SecurityException;

  public native void setOutgoingAndSend(short bOff, short len) throws APDUException;

  public native byte getCurrentState();

  public static native APDU getCurrentAPDU() throws SecurityException;

  public static native byte[] getCurrentAPDUBuffer() throws SecurityException;

  public static native byte getCLAChannel();

  public static native void waitExtension() throws APDUException;

  public native boolean isCommandChainingCLA();

  public native boolean isSecureMessagingCLA();

  public native boolean isISOInterindustryCLA();

  public native boolean isValidCLA();

  public native short getIncomingLength();

  public native short getOffsetCdata();
}
