package org.sefleet.jcre.security;

import javacard.security.AESKey;
import javacard.security.CryptoException;

/** An AES key of 128, 192 or 256 bits. */
final class AesKeyImpl extends SecretKeyImpl implements AESKey {
  AesKeyImpl(byte type, short size, byte event) {
    super(type, size, event, (short) (size / 8));
  }

  public void setKey(byte[] keyData, short kOff) throws CryptoException {
    store(keyData, kOff, capacity);
  }

  public byte getKey(byte[] keyData, short kOff) throws CryptoException {
    return load(keyData, kOff);
  }
}
