package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.RSAPrivateKey;

/** An RSA private key in modulus/exponent form, in transient memory for the TRANSIENT_* types. */
final class RsaPrivateKeyImpl extends KeyBase implements RSAPrivateKey {
  final short modulusLength;
  final byte[] modulus;
  final byte[] exponent;

  RsaPrivateKeyImpl(byte type, short size, byte event) {
    super(type, size, event);
    modulusLength = (short) (size / 8);
    modulus = Memory.bytes((short) (modulusLength + 1), event);
    exponent = Memory.bytes((short) (modulusLength + 1), event);
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

  /** The private exponent without leading zero bytes. */
  public short getExponent(byte[] buffer, short offset) {
    return Component.getStripped(exponent, (short) 0, modulusLength, buffer, offset);
  }
}
