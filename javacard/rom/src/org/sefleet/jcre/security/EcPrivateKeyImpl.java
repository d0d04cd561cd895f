package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.ECPrivateKey;

/**
 * An EC private key over F(p): the domain parameters (persistent) and S, right-aligned in L + 1
 * bytes with its set flag, in transient memory for the TRANSIENT_* types.
 */
final class EcPrivateKeyImpl extends EcKeyImpl implements ECPrivateKey {
  final byte[] secret;

  EcPrivateKeyImpl(byte type, short size, byte event, byte[] sharedDomain) {
    super(type, size, event, sharedDomain);
    secret = Memory.bytes((short) (fieldLength + 2), event);
  }

  final short secretCapacity() {
    return (short) (fieldLength + 1);
  }

  public boolean isInitialized() {
    return domainComplete() && Component.isSet(secret, (short) 0, secretCapacity());
  }

  /** Erases S; the domain parameters stay (they are not secret and may be shared). */
  public void clearKey() {
    Component.clear(secret, (short) 0, secretCapacity());
  }

  public void setS(byte[] buffer, short offset, short length) throws CryptoException {
    Component.set(secret, (short) 0, secretCapacity(), buffer, offset, length);
  }

  /** S as many bytes as the order R has (leading zeros kept). */
  public short getS(byte[] buffer, short offset) throws CryptoException {
    short length = orderLength();
    short significant = Component.significantLength(secret, (short) 0, secretCapacity());
    if (significant > length) {
      length = significant;
    }
    return Component.getFixed(secret, (short) 0, secretCapacity(), length, buffer, offset);
  }
}
