package org.sefleet.jcre.gp;

import javacard.framework.AID;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import org.globalplatform.GPRegistryEntry;

/** A GlobalPlatform registry entry, read from the card's registry at every call. */
public final class RegistryEntryImpl implements GPRegistryEntry {
  AID aid;
  private final byte[] aidBytes = new byte[16];
  private byte aidLength;
  private final byte[] scratch = new byte[16];

  RegistryEntryImpl() {
  }

  void bind(AID newAid) {
    aidLength = newAid.getBytes(aidBytes, (short) 0);
    aid = newAid;
  }

  boolean exists() {
    return CardManager.applicationState(aidBytes, (short) 0, aidLength) >= 0;
  }

  /** The card offers no global service registry: refused (6985 without the privilege, else 6A81). */
  public void deregisterService(short sServiceName) throws ISOException {
    refuseService();
  }

  public AID getAID() {
    return aid;
  }

  public short getPrivileges(byte[] baBuffer, short sOffset) throws ArrayIndexOutOfBoundsException {
    short length = CardManager.applicationPrivileges(aidBytes, (short) 0, aidLength, baBuffer, sOffset);
    if (length < 0) {
      ISOException.throwIt(ISO7816.SW_FILE_NOT_FOUND);
    }
    return length;
  }

  public byte getState() {
    return (byte) CardManager.applicationState(aidBytes, (short) 0, aidLength);
  }

  public boolean isAssociated(AID sdAID) {
    byte sdLength = sdAID.getBytes(scratch, (short) 0);
    return CardManager.associated(aidBytes, (short) 0, aidLength, scratch, (short) 0, sdLength);
  }

  public boolean isPrivileged(byte privilege) {
    if (privilege < 0 || privilege >= 24) {
      return false;
    }
    if (CardManager.applicationPrivileges(aidBytes, (short) 0, aidLength, scratch, (short) 0) < 0) {
      return false;
    }
    return (scratch[(short) (privilege / 8)] & (0x80 >> (privilege % 8))) != 0;
  }

  /** The card offers no global service registry: refused (6985 without the privilege, else 6A81). */
  public void registerService(short sServiceName) throws ISOException {
    refuseService();
  }

  private void refuseService() {
    if (!isPrivileged(PRIVILEGE_GLOBAL_SERVICE)) {
      ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);
    }
    ISOException.throwIt(ISO7816.SW_FUNC_NOT_SUPPORTED);
  }

  public boolean setState(byte bState) {
    return CardManager.setApplicationState(aidBytes, (short) 0, aidLength, bState);
  }
}
