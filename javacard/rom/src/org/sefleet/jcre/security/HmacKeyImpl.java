package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.HMACKey;

/**
 * An HMAC key of any length from 1 byte up to the larger of 128 bytes (the largest hash block) and
 * the size given to buildKey. The size is taken in bits; applets that pass a byte count such as
 * LENGTH_HMAC_SHA_256_BLOCK_64 still get room for a full-block key.
 */
final class HmacKeyImpl extends SecretKeyImpl implements HMACKey {
  static final short MIN_CAPACITY = 128;

  HmacKeyImpl(byte type, short size, byte event) {
    super(type, size, event, capacityFor(size));
  }

  private static short capacityFor(short size) {
    short bytes = (short) ((short) (size + 7) / 8);
    return bytes > MIN_CAPACITY ? bytes : MIN_CAPACITY;
  }

  public void setKey(byte[] keyData, short kOff, short kLen) throws CryptoException {
    if (kLen < 1 || kLen > capacity) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    store(keyData, kOff, kLen);
  }

  public byte getKey(byte[] keyData, short kOff) {
    return load(keyData, kOff);
  }
}
