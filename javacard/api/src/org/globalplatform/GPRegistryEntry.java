package org.globalplatform;

import javacard.framework.AID;
import javacard.framework.ISOException;
import javacard.framework.Shareable;

/** The GlobalPlatform registry entry of an application: its AID, life cycle state and privileges. */
public interface GPRegistryEntry extends Shareable {
  /** Privilege number: Authorized Management. */
  byte PRIVILEGE_AUTHORIZED_MANAGEMENT = 9;
  /** Privilege number: Card Lock. */
  byte PRIVILEGE_CARD_LOCK = 3;
  /** Privilege number: Card Reset (default selected). */
  byte PRIVILEGE_CARD_RESET = 5;
  /** Privilege number: Card Terminate. */
  byte PRIVILEGE_CARD_TERMINATE = 4;
  /** Privilege number: CVM Management. */
  byte PRIVILEGE_CVM_MANAGEMENT = 6;
  /** Privilege number: DAP Verification. */
  byte PRIVILEGE_DAP_VERIFICATION = 1;
  /** Privilege number: Delegated Management. */
  byte PRIVILEGE_DELEGATED_MANAGEMENT = 2;
  /** Privilege number: Final Application. */
  byte PRIVILEGE_FINAL_APPLICATION = 14;
  /** Privilege number: Global Delete. */
  byte PRIVILEGE_GLOBAL_DELETE = 11;
  /** Privilege number: Global Lock. */
  byte PRIVILEGE_GLOBAL_LOCK = 12;
  /** Privilege number: Global Registry. */
  byte PRIVILEGE_GLOBAL_REGISTRY = 13;
  /** Privilege number: Global Service. */
  byte PRIVILEGE_GLOBAL_SERVICE = 15;
  /** Privilege number: Mandated DAP Verification. */
  byte PRIVILEGE_MANDATED_DAP = 7;
  /** Privilege number: Receipt Generation. */
  byte PRIVILEGE_RECEIPT_GENERATION = 16;
  /** Privilege number: Security Domain. */
  byte PRIVILEGE_SECURITY_DOMAIN = 0;
  /** Privilege number: Token Verification. */
  byte PRIVILEGE_TOKEN_VERIFICATION = 10;
  /** Privilege number: Trusted Path. */
  byte PRIVILEGE_TRUSTED_PATH = 8;
  /** Privilege number: Ciphered Load File Data Block. */
  byte PRIVILEGE_CIPHERED_LOAD_FILE_DATA_BLOCK = 17;

  /** Withdraws a global service this application registered. */
  void deregisterService(short sServiceName) throws ISOException;

  /** The application's AID. */
  AID getAID();

  /** Copies the privilege bytes into {@code baBuffer}; returns the number of bytes (3). */
  short getPrivileges(byte[] baBuffer, short sOffset) throws ArrayIndexOutOfBoundsException;

  /** The life cycle state of the application (or of the card, for the Issuer Security Domain). */
  byte getState();

  /** True when the application is associated with the Security Domain {@code sdAID}. */
  boolean isAssociated(AID sdAID);

  /** True when the application holds privilege number {@code privilege}. */
  boolean isPrivileged(byte privilege);

  /** Registers a global service offered by this application. */
  void registerService(short sServiceName) throws ISOException;

  /** Requests a life cycle state change; returns true when it was made. */
  boolean setState(byte bState);
}
