package org.globalplatform;

import javacard.framework.APDU;
import javacard.framework.ISOException;
import javacard.framework.Shareable;

/**
 * The secure channel of the Security Domain an application is associated with, for the logical
 * channel of the current command. On this card it is the Issuer Security Domain's SCP03 session of
 * that channel: the application hands it INITIALIZE UPDATE and EXTERNAL AUTHENTICATE, then unwraps
 * commands and wraps responses.
 */
public interface SecureChannel extends Shareable {
  /** Security level bit: an off-card entity authenticated as the Application Provider. */
  byte AUTHENTICATED = (byte) 0x80;
  /** Security level bit: command data is encrypted. */
  byte C_DECRYPTION = 0x02;
  /** Security level bit: commands carry a MAC. */
  byte C_MAC = 0x01;
  /** Security level bit: response data is encrypted. */
  byte R_ENCRYPTION = 0x20;
  /** Security level bit: responses carry a MAC. */
  byte R_MAC = 0x10;
  /** No security level. */
  byte NO_SECURITY_LEVEL = 0x00;
  /** Security level bit: an off-card entity other than the Application Provider authenticated. */
  byte ANY_AUTHENTICATED = 0x40;

  /**
   * Processes a security command of the channel protocol (for SCP03: INITIALIZE UPDATE and
   * EXTERNAL AUTHENTICATE). Receives the command data itself; response data is written to the
   * APDU buffer at {@code ISO7816.OFFSET_CDATA}, and the applet sends it.
   *
   * @return the length of the response data
   * @throws ISOException SW_CLA_NOT_SUPPORTED / SW_INS_NOT_SUPPORTED for a command the protocol
   *     does not know, or the protocol's status word for a refused command
   */
  short processSecurity(APDU apdu) throws ISOException;

  /**
   * Protects a response: {@code baBuffer[sOffset..sOffset+sLength)} holds the response data
   * followed by the two status bytes; it is replaced by the protected response data (without the
   * status bytes).
   *
   * @return the length of the protected response data
   */
  short wrap(byte[] baBuffer, short sOffset, short sLength) throws ISOException;

  /**
   * Verifies and removes the secure messaging of a command held at {@code baBuffer[sOffset]}
   * (header, Lc and data), in place.
   *
   * @return the length of the plain command (header, Lc and data)
   * @throws ISOException SW_SECURITY_STATUS_NOT_SATISFIED when verification fails (the session
   *     is then closed)
   */
  short unwrap(byte[] baBuffer, short sOffset, short sLength) throws ISOException;

  /**
   * Decrypts sensitive data in place with the session's data encryption key.
   *
   * @return the length of the clear data
   * @throws ISOException SW_SECURITY_STATUS_NOT_SATISFIED without a session, SW_WRONG_LENGTH for
   *     a length that is not a multiple of the block size
   */
  short decryptData(byte[] baBuffer, short sOffset, short sLength) throws ISOException;

  /**
   * Encrypts sensitive data in place with the session's data encryption key.
   *
   * @return the length of the encrypted data
   * @throws ISOException SW_SECURITY_STATUS_NOT_SATISFIED without a session
   */
  short encryptData(byte[] baBuffer, short sOffset, short sLength) throws ISOException;

  /** Ends the session of this channel and erases its keys. */
  void resetSecurity();

  /** The current security level: {@code AUTHENTICATED} plus the level bits, or 0 without a session. */
  byte getSecurityLevel();
}
