package org.sefleet.jcre.gp;

import javacard.framework.AID;
import javacard.framework.JCSystem;
import org.globalplatform.SecureChannel;

/**
 * The GlobalPlatform services of GPSystem over the card's registry and Issuer Security Domain. The
 * natives read and change the card's registry (src/card/runtime) and apply the GlobalPlatform rules
 * (javacard/rom/NATIVES.md); the Java side only shapes the calls.
 */
public final class CardManager {
  private static final byte ENTRY_POOL = 8;

  private static final SecureChannelImpl secureChannel = new SecureChannelImpl();
  // Created with the ROM (owned by the runtime), rebound to an AID on demand.
  private static final RegistryEntryImpl[] entries = new RegistryEntryImpl[ENTRY_POOL];
  private static byte nextEntry;

  static {
    for (byte i = 0; i < ENTRY_POOL; i++) {
      entries[i] = new RegistryEntryImpl();
    }
  }

  private CardManager() {
  }

  /** The card life cycle state (GPSystem.CARD_*). */
  public static native byte cardState();

  /**
   * Asks for the card life cycle state {@code state} (CARD_LOCKED or CARD_TERMINATED) on behalf of
   * the calling application; true when made (the application needs the Card Lock or Card
   * Terminate privilege).
   */
  public static native boolean requestCardState(byte state);

  /** Sets the ATR historical bytes for the calling application; true when done (Card Reset privilege). */
  public static native boolean setAtrHistoricalBytes(byte[] buffer, short offset, byte length);

  /**
   * The life cycle state of the application {@code aid[offset..offset+length)}, or -1 (as a short)
   * when no such application is registered.
   */
  static native short applicationState(byte[] aid, short offset, byte length);

  /**
   * Copies the privileges (3 bytes) of the application into {@code out}; returns 3, or -1 when no
   * such application is registered.
   */
  static native short applicationPrivileges(byte[] aid, short offset, byte length, byte[] out, short outOffset);

  /**
   * Asks for the life cycle state {@code state} of the application {@code aid} on behalf of the
   * calling application; true when made.
   */
  static native boolean setApplicationState(byte[] aid, short offset, byte length, byte state);

  /** True when application {@code aid} is associated with the Security Domain {@code sd}. */
  static native boolean associated(byte[] aid, short offset, byte length, byte[] sd, short sdOffset, byte sdLength);

  /** The life cycle state of the calling application. */
  public static byte ownState() {
    RegistryEntryImpl entry = registryEntry(null);
    if (entry == null) {
      return 0;
    }
    return entry.getState();
  }

  /** Sets the calling application's own life cycle state to an application-specific value. */
  public static boolean setOwnState(byte state) {
    RegistryEntryImpl entry = registryEntry(null);
    return entry != null && entry.setState(state);
  }

  /** The secure channel object (it acts on the logical channel of the current command). */
  public static SecureChannel secureChannel() {
    return secureChannel;
  }

  /**
   * The registry entry object of {@code aid} (the caller when null), or null when the card has no
   * such application. Entry objects come from a pool of eight runtime-owned objects, one per AID
   * object: asking again for the same application returns the same object while no more than
   * eight applications are asked for.
   */
  public static RegistryEntryImpl registryEntry(AID aid) {
    if (aid == null) {
      aid = JCSystem.getAID();
      if (aid == null) {
        return null;
      }
    }
    RegistryEntryImpl entry = null;
    for (byte i = 0; i < ENTRY_POOL; i++) {
      if (entries[i].aid == aid) {
        entry = entries[i];
        break;
      }
    }
    if (entry == null) {
      entry = entries[nextEntry];
      nextEntry = (byte) ((nextEntry + 1) % ENTRY_POOL);
      entry.bind(aid);
    }
    if (!entry.exists()) {
      return null;
    }
    return entry;
  }
}
