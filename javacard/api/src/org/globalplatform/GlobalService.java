package org.globalplatform;

import javacard.framework.ISOException;
import javacard.framework.Shareable;

/** A service an application offers to others through the GlobalPlatform registry. */
public interface GlobalService extends Shareable {
  /** Key access: any entity. */
  byte KEY_ACCESS_ANY = 0;
  /** Key access: the Security Domain only. */
  byte KEY_ACCESS_SECURITY_DOMAIN = 1;
  /** Key access: the application only. */
  byte KEY_ACCESS_APPLICATION = 2;
  /** Key type: AES. */
  byte KEY_TYPE_AES = (byte) 0x88;
  /** Key type: Triple DES. */
  byte KEY_TYPE_3DES = (byte) 0x81;
  /** Key type: Triple DES in CBC mode. */
  byte KEY_TYPE_3DES_CBC = (byte) 0x82;
  /** Key type: DES. */
  byte KEY_TYPE_DES = (byte) 0x80;
  /** Key type: DES in CBC mode. */
  byte KEY_TYPE_DES_CBC = (byte) 0x84;
  /** Key type: DES in ECB mode. */
  byte KEY_TYPE_DES_ECB = (byte) 0x83;
  /** Key type: extended format. */
  byte KEY_TYPE_EXTENDED = (byte) 0xFF;
  /** Key type: HMAC-SHA1. */
  byte KEY_TYPE_HMAC_SHA1 = (byte) 0x90;
  /** Key type: HMAC-SHA1-160. */
  byte KEY_TYPE_HMAC_SHA1_160 = (byte) 0x91;
  /** Key type: RSA private CRT P. */
  byte KEY_TYPE_RSA_PRIVATE_CRT_P = (byte) 0xA4;
  /** Key type: RSA private CRT Q. */
  byte KEY_TYPE_RSA_PRIVATE_CRT_Q = (byte) 0xA5;
  /** Key type: RSA private CRT PQ. */
  byte KEY_TYPE_RSA_PRIVATE_CRT_PQ = (byte) 0xA6;
  /** Key type: RSA private CRT DP1. */
  byte KEY_TYPE_RSA_PRIVATE_CRT_DP1 = (byte) 0xA7;
  /** Key type: RSA private CRT DQ1. */
  byte KEY_TYPE_RSA_PRIVATE_CRT_DQ1 = (byte) 0xA8;
  /** Key type: RSA private exponent. */
  byte KEY_TYPE_RSA_PRIVATE_EXPONENT = (byte) 0xA3;
  /** Key type: RSA private modulus. */
  byte KEY_TYPE_RSA_PRIVATE_MODULUS = (byte) 0xA2;
  /** Key type: RSA public exponent. */
  byte KEY_TYPE_RSA_PUBLIC_EXPONENT = (byte) 0xA0;
  /** Key type: RSA public modulus. */
  byte KEY_TYPE_RSA_PUBLIC_MODULUS = (byte) 0xA1;
  /** Key usage: computation, decipherment. */
  byte KEY_USAGE_COMPUTATION_DECIPHERMENT = 0x40;
  /** Key usage: confidentiality. */
  byte KEY_USAGE_CONFIDENTIALITY = 0x08;
  /** Key usage: cryptographic authorization. */
  byte KEY_USAGE_CRYPTOGRAPHIC_AUTHORIZATION = 0x01;
  /** Key usage: cryptographic checksum. */
  byte KEY_USAGE_CRYPTOGRAPHIC_CHECKSUM = 0x04;
  /** Key usage: digital signature. */
  byte KEY_USAGE_DIGITAL_SIGNATURE = 0x02;
  /** Key usage: secure messaging of commands. */
  byte KEY_USAGE_SM_COMMAND = 0x10;
  /** Key usage: secure messaging of responses. */
  byte KEY_USAGE_SM_RESPONSE = 0x20;
  /** Key usage: verification, encipherment. */
  byte KEY_USAGE_VERIFICATION_ENCIPHERMENT = (byte) 0x80;

  /**
   * Returns the Shareable object of the service for the requesting application.
   *
   * @throws ISOException when the request is refused
   */
  Shareable getServiceInterface(GPRegistryEntry clientRegistryEntry, short sServiceName, byte[] baBuffer,
      short sOffset, short sLength) throws ISOException;
}
