package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.KeyBuilder;
import javacard.security.RSAPublicKey;

/**
 * An RSA public key: modulus and exponent, each right-aligned in a slot of the modulus length with
 * its set flag ({@link Component}).
 */
final class RsaPublicKeyImpl extends KeyBase implements RSAPublicKey {
  final short modulusLength;
  final byte[] modulus;
  final byte[] exponent;

  RsaPublicKeyImpl(short size) {
    super(KeyBuilder.TYPE_RSA_PUBLIC, size, Memory.PERSISTENT);
    modulusLength = (short) (size / 8);
    modulus = new byte[(short) (modulusLength + 1)];
    exponent = new byte[(short) (modulusLength + 1)];
  }

  public boolean isInitialized() {
    return Component.isSet(modulus, (short) 0, modulusLength) && Component.isSet(exponent, (short) 0, modulusLength);
  }

  public void clearKey() {
    Component.clear(modulus, (short) 0, modulusLength);
    Component.clear(exponent, (short) 0, modulusLength);
  }

  public void setModulus(byte[] buffer, short offset, short length) throws CryptoException {
    Component.set(modulus, (short) 0, modulusLength, buffer, offset, length);
  }

  public void setExponent(byte[] buffer, short offset, short length) throws CryptoException {
    Component.set(exponent, (short) 0, modulusLength, buffer, offset, length);
  }

  /** The modulus in the key's full length. */
  public short getModulus(byte[] buffer, short offset) {
    return Component.getFixed(modulus, (short) 0, modulusLength, modulusLength, buffer, offset);
  }

  /** The exponent without leading zero bytes. */
  public short getExponent(byte[] buffer, short offset) {
    return Component.getStripped(exponent, (short) 0, modulusLength, buffer, offset);
  }
}
