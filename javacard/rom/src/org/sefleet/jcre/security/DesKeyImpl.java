package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.DESKey;

/** A DES (64-bit) or Triple-DES (128-bit two-key, 192-bit three-key) key. */
final class DesKeyImpl extends SecretKeyImpl implements DESKey {
  DesKeyImpl(byte type, short size, byte event) {
    super(type, size, event, (short) (size / 8));
  }

  public void setKey(byte[] keyData, short kOff) throws CryptoException {
    store(keyData, kOff, capacity);
  }

  public byte getKey(byte[] keyData, short kOff) {
    return load(keyData, kOff);
  }
}
