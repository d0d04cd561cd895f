package org.sefleet.jcre.gp;

import javacard.framework.APDU;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import org.globalplatform.SecureChannel;

/**
 * The SecureChannel of GPSystem.getSecureChannel(): the Issuer Security Domain's SCP03 session of
 * the logical channel the current command arrived on, with the calling applet's AID as the
 * invoking application. The natives act on that session (javacard/rom/NATIVES.md).
 */
final class SecureChannelImpl implements SecureChannel {
  private static final byte INITIALIZE_UPDATE = 0x50;
  private static final byte EXTERNAL_AUTHENTICATE = (byte) 0x82;

  SecureChannelImpl() {
  }

  public short processSecurity(APDU apdu) throws ISOException {
    byte[] buffer = apdu.getBuffer();
    if ((buffer[ISO7816.OFFSET_CLA] & 0x80) == 0) {
      ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
    }
    byte ins = buffer[ISO7816.OFFSET_INS];
    if (ins != INITIALIZE_UPDATE && ins != EXTERNAL_AUTHENTICATE) {
      ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
    short length;
    if (apdu.getCurrentState() == APDU.STATE_INITIAL) {
      length = apdu.setIncomingAndReceive();
    } else {
      length = apdu.getIncomingLength();
    }
    return process(buffer, apdu.getOffsetCdata(), length);
  }

  /**
   * Runs INITIALIZE UPDATE or EXTERNAL AUTHENTICATE: header in {@code buffer[0..4)}, data in
   * {@code buffer[dataOffset..dataOffset+dataLength)}; the response data goes to
   * {@code buffer[ISO7816.OFFSET_CDATA..]}. Returns its length, or throws the refusal's status word.
   */
  private native short process(byte[] buffer, short dataOffset, short dataLength);

  public native short wrap(byte[] baBuffer, short sOffset, short sLength) throws ISOException;

  public native short unwrap(byte[] baBuffer, short sOffset, short sLength) throws ISOException;

  public native short decryptData(byte[] baBuffer, short sOffset, short sLength) throws ISOException;

  public native short encryptData(byte[] baBuffer, short sOffset, short sLength) throws ISOException;

  public native void resetSecurity();

  public native byte getSecurityLevel();
}
