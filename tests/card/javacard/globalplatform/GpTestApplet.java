package sefleet.test.globalplatform;

import javacard.framework.AID;
import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;
import org.globalplatform.GPRegistryEntry;
import org.globalplatform.GPSystem;
import org.globalplatform.SecureChannel;

/**
 * Exercises org.globalplatform the way applets use it, for a host test that opens an SCP03 session
 * with the card's keys through this applet. Commands (CLA 80, or 84 under secure messaging):
 *
 * <pre>
 *   80 50 / 84 82  INITIALIZE UPDATE / EXTERNAL AUTHENTICATE: handed to SecureChannel.processSecurity
 *   80 20  STATUS, data = the ISD's AID. Answers: card state (1), own state (1), security level (1),
 *          own privileges (3), associated with the ISD (1), lockCard() (1: 01 true / 00 false),
 *          getCVM(global PIN) is null (1), getService() is null (1), ISD entry state (1)
 *   84 22  ECHO: the command is unwrapped, its plain data answered wrapped (R-MAC/R-ENC per level)
 *   84 24  SET STATE P1: setCardContentState(P1) (01/00), then the own state (1), wrapped
 *   84 26  DECRYPT DATA: SecureChannel.decryptData of the plain data, answered wrapped
 *   80 28  RESET SECURITY: resetSecurity(), answers the security level afterwards (1)
 *   80 2A  OWN AID: the AID of the own registry entry
 *   80 2C  KEPT: the security level through the SecureChannel kept in a field since install() (1),
 *          and whether it is the object getSecureChannel() returns now (1: 01 / 00)
 *   84 2E  ENCRYPT DATA: SecureChannel.encryptData of the plain data, answered wrapped
 *   80 30  AT INSTALL: the card state getCardState() gave in install() (1)
 * </pre>
 */
public final class GpTestApplet extends Applet {
  private final byte[] scratch = JCSystem.makeTransientByteArray((short) 16, JCSystem.CLEAR_ON_DESELECT);
  /** Kept as applets commonly do: the secure channel is a permanent entry point object. */
  private final SecureChannel kept;
  private final byte cardStateAtInstall;

  private GpTestApplet() {
    kept = GPSystem.getSecureChannel();
    cardStateAtInstall = GPSystem.getCardState();
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new GpTestApplet().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
  }

  /** The usual GlobalPlatform advice: end the session when deselected. */
  public void deselect() {
    GPSystem.getSecureChannel().resetSecurity();
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buffer = apdu.getBuffer();
    SecureChannel channel = GPSystem.getSecureChannel();
    switch (buffer[ISO7816.OFFSET_INS]) {
      case 0x50:
      case (byte) 0x82:
        short length = channel.processSecurity(apdu);
        apdu.setOutgoingAndSend(ISO7816.OFFSET_CDATA, length);
        return;
      case 0x20:
        status(apdu, buffer, channel);
        return;
      case 0x22:
        echo(apdu, buffer, channel, unwrap(apdu, buffer, channel));
        return;
      case 0x24:
        unwrap(apdu, buffer, channel);
        buffer[ISO7816.OFFSET_CDATA] = GPSystem.setCardContentState(buffer[ISO7816.OFFSET_P1]) ? (byte) 1 : 0;
        buffer[ISO7816.OFFSET_CDATA + 1] = GPSystem.getCardContentState();
        echo(apdu, buffer, channel, (short) 2);
        return;
      case 0x26:
        short plain = unwrap(apdu, buffer, channel);
        echo(apdu, buffer, channel, channel.decryptData(buffer, ISO7816.OFFSET_CDATA, plain));
        return;
      case 0x28:
        channel.resetSecurity();
        buffer[0] = channel.getSecurityLevel();
        apdu.setOutgoingAndSend((short) 0, (short) 1);
        return;
      case 0x2C:
        buffer[0] = kept.getSecurityLevel();
        buffer[1] = kept == GPSystem.getSecureChannel() ? (byte) 1 : 0;
        apdu.setOutgoingAndSend((short) 0, (short) 2);
        return;
      case 0x2E:
        short clear = unwrap(apdu, buffer, channel);
        echo(apdu, buffer, channel, channel.encryptData(buffer, ISO7816.OFFSET_CDATA, clear));
        return;
      case 0x30:
        buffer[0] = cardStateAtInstall;
        apdu.setOutgoingAndSend((short) 0, (short) 1);
        return;
      case 0x2A:
        AID own = GPSystem.getRegistryEntry(null).getAID();
        apdu.setOutgoingAndSend((short) 0, own.getBytes(buffer, (short) 0));
        return;
      default:
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
  }

  /** Receives and unwraps the command in place; returns the plain data length (at OFFSET_CDATA). */
  private static short unwrap(APDU apdu, byte[] buffer, SecureChannel channel) {
    short received = apdu.setIncomingAndReceive();
    channel.unwrap(buffer, (short) 0, (short) (ISO7816.OFFSET_CDATA + received));
    return (short) (buffer[ISO7816.OFFSET_LC] & 0xFF);
  }

  /** Answers {@code length} bytes at OFFSET_CDATA, wrapped with status 9000. */
  private static void echo(APDU apdu, byte[] buffer, SecureChannel channel, short length) {
    Util.setShort(buffer, (short) (ISO7816.OFFSET_CDATA + length), ISO7816.SW_NO_ERROR);
    short wrapped = channel.wrap(buffer, ISO7816.OFFSET_CDATA, (short) (length + 2));
    apdu.setOutgoingAndSend(ISO7816.OFFSET_CDATA, wrapped);
  }

  private void status(APDU apdu, byte[] buffer, SecureChannel channel) {
    short received = apdu.setIncomingAndReceive();
    Util.arrayCopyNonAtomic(buffer, ISO7816.OFFSET_CDATA, scratch, (short) 0, received);
    AID isd = JCSystem.lookupAID(scratch, (short) 0, (byte) received);
    GPRegistryEntry own = GPSystem.getRegistryEntry(null);
    short at = 0;
    buffer[at++] = GPSystem.getCardState();
    buffer[at++] = GPSystem.getCardContentState();
    buffer[at++] = channel.getSecurityLevel();
    at += own.getPrivileges(buffer, at);
    buffer[at++] = isd != null && own.isAssociated(isd) ? (byte) 1 : 0;
    buffer[at++] = GPSystem.lockCard() ? (byte) 1 : 0;
    buffer[at++] = GPSystem.getCVM(GPSystem.CVM_GLOBAL_PIN) == null ? (byte) 1 : 0;
    buffer[at++] = GPSystem.getService(isd, (short) 0x8100) == null ? (byte) 1 : 0;
    GPRegistryEntry isdEntry = isd == null ? null : GPSystem.getRegistryEntry(isd);
    buffer[at++] = isdEntry == null ? 0 : isdEntry.getState();
    apdu.setOutgoingAndSend((short) 0, at);
  }
}
