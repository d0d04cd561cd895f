package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.ECPublicKey;

/** An EC public key over F(p): the domain parameters and W, uncompressed, with its set flag. */
final class EcPublicKeyImpl extends EcKeyImpl implements ECPublicKey {
  /** W (2L + 1 bytes) then its set flag. */
  final byte[] point;

  EcPublicKeyImpl(byte type, short size, byte[] sharedDomain) {
    super(type, size, Memory.PERSISTENT, sharedDomain);
    point = new byte[(short) (pointLength() + 1)];
  }

  public boolean isInitialized() {
    return domainComplete() && Component.isSet(point, (short) 0, pointLength());
  }

  /** Erases W; the domain parameters stay (they are not secret and may be shared). */
  public void clearKey() {
    Component.clear(point, (short) 0, pointLength());
  }

  public void setW(byte[] buffer, short offset, short length) throws CryptoException {
    checkPoint(buffer, offset, length);
    point[pointLength()] = 0;
    writePoint(buffer, offset, length, point, (short) 0);
    point[pointLength()] = 1;
  }

  public short getW(byte[] buffer, short offset) throws CryptoException {
    return Component.getFixed(point, (short) 0, pointLength(), pointLength(), buffer, offset);
  }
}
