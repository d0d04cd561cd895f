package org.globalplatform;

import javacard.framework.AID;
import org.sefleet.jcre.gp.CardManager;

/**
 * The GlobalPlatform services of the card: life cycle states, the secure channel, the registry.
 * What this card offers (no global CVM, no global services, no application privileges) is listed
 * in docs/javacard.md.
 */
public class GPSystem {
  /** Application life cycle state: INSTALLED. */
  public static final byte APPLICATION_INSTALLED = 3;
  /** Application life cycle state: SELECTABLE. */
  public static final byte APPLICATION_SELECTABLE = 7;
  /** Application life cycle state bit: LOCKED. */
  public static final byte APPLICATION_LOCKED = (byte) 0x80;
  /** Security Domain life cycle state: PERSONALIZED. */
  public static final byte SECURITY_DOMAIN_PERSONALIZED = 15;
  /** Card life cycle state: OP_READY. */
  public static final byte CARD_OP_READY = 1;
  /** Card life cycle state: INITIALIZED. */
  public static final byte CARD_INITIALIZED = 7;
  /** Card life cycle state: SECURED. */
  public static final byte CARD_SECURED = 15;
  /** Card life cycle state: CARD_LOCKED. */
  public static final byte CARD_LOCKED = 127;
  /** Card life cycle state: TERMINATED. */
  public static final byte CARD_TERMINATED = (byte) 0xFF;
  /** CVM identifier: the global PIN. */
  public static final byte CVM_GLOBAL_PIN = 0x11;
  /** CVM identifier: ETSI PIN application 1. */
  public static final byte CVM_ETSI_PIN_APP_1 = 1;
  /** CVM identifier: ETSI PIN application 2. */
  public static final byte CVM_ETSI_PIN_APP_2 = 2;
  /** CVM identifier: ETSI PIN application 3. */
  public static final byte CVM_ETSI_PIN_APP_3 = 3;
  /** CVM identifier: ETSI PIN application 4. */
  public static final byte CVM_ETSI_PIN_APP_4 = 4;
  /** CVM identifier: ETSI PIN application 5. */
  public static final byte CVM_ETSI_PIN_APP_5 = 5;
  /** CVM identifier: ETSI PIN application 6. */
  public static final byte CVM_ETSI_PIN_APP_6 = 6;
  /** CVM identifier: ETSI PIN application 7. */
  public static final byte CVM_ETSI_PIN_APP_7 = 7;
  /** CVM identifier: ETSI PIN application 8. */
  public static final byte CVM_ETSI_PIN_APP_8 = 8;
  /** Global service family: secure channel. */
  public static final byte FAMILY_SECURE_CHANNEL = (byte) 0x81;
  /** Global service family: CVM. */
  public static final byte FAMILY_CVM = (byte) 0x82;
  /** Global service family: authority (the misspelt name of the GlobalPlatform API). */
  public static final byte FAMILY_AUHTORITY = (byte) 0x83;
  /** Global service family: authority. */
  public static final byte FAMILY_AUTHORITY = (byte) 0x83;
  /** Global service family: HTTP administration. */
  public static final byte FAMILY_HTTP_ADMINISTRATION = (byte) 0x84;
  /** Global service family: HTTP report. */
  public static final byte FAMILY_HTTP_REPORT = (byte) 0x85;
  /** Global service family: USSM. */
  public static final byte FAMILY_USSM = (byte) 0xA0;
  /** Global service identifier: any service of a family. */
  public static final byte GLOBAL_SERVICE_IDENTIFIER = (byte) 0x80;

  /** The life cycle state of the calling application. */
  public static byte getCardContentState() {
    return CardManager.ownState();
  }

  /** The card life cycle state ({@code CARD_*}). */
  public static byte getCardState() {
    return CardManager.cardState();
  }

  /**
   * The CVM with identifier {@code bCVMIdentifier}, or {@code null} when the card has none (this
   * card has no global CVM).
   */
  public static CVM getCVM(byte bCVMIdentifier) {
    return null;
  }

  /** The secure channel of the caller's Security Domain on the current logical channel. */
  public static SecureChannel getSecureChannel() {
    return CardManager.secureChannel();
  }

  /** Locks the card; true when done (needs the Card Lock privilege). */
  public static boolean lockCard() {
    return CardManager.requestCardState(CARD_LOCKED);
  }

  /** Terminates the card; true when done (needs the Card Terminate privilege). */
  public static boolean terminateCard() {
    return CardManager.requestCardState(CARD_TERMINATED);
  }

  /** Sets the historical bytes of the ATR; true when done (needs the Card Reset privilege). */
  public static boolean setATRHistBytes(byte[] baBuffer, short sOffset, byte bLength) {
    return CardManager.setAtrHistoricalBytes(baBuffer, sOffset, bLength);
  }

  /**
   * Sets the calling application's life cycle state to an application-specific state (a value
   * with the low three bits set, between 07 and 7F); true when done.
   */
  public static boolean setCardContentState(byte bState) {
    return CardManager.setOwnState(bState);
  }

  /**
   * The registry entry of the application {@code aid}, or of the caller when {@code aid} is
   * {@code null}; {@code null} when no such application is registered.
   */
  public static GPRegistryEntry getRegistryEntry(AID aid) {
    return CardManager.registryEntry(aid);
  }

  /**
   * The global service {@code sServiceName} of {@code serverAID}, or {@code null} when there is
   * none (this card registers no global services).
   */
  public static GlobalService getService(AID serverAID, short sServiceName) {
    return null;
  }
}
