package org.sefleet.jcre.security;

import javacard.framework.Util;
import javacard.security.CryptoException;

/**
 * A symmetric key: {@code data} holds up to {@code capacity} key bytes, then a flag byte (1 when
 * set) and the key length (2 bytes). The array is transient for the TRANSIENT_* key types, so a
 * clear event erases key, flag and length at once.
 */
abstract class SecretKeyImpl extends KeyBase {
  final short capacity;
  final byte[] data;

  SecretKeyImpl(byte type, short size, byte event, short capacity) {
    super(type, size, event);
    this.capacity = capacity;
    this.data = Memory.bytes((short) (capacity + 3), event);
  }

  public final boolean isInitialized() {
    return data[capacity] != 0;
  }

  public final void clearKey() {
    Memory.zero(data, (short) 0, (short) (capacity + 3));
  }

  /** The key length in bytes (valid when initialized). */
  final short length() {
    return Util.getShort(data, (short) (capacity + 1));
  }

  /** Stores a key of {@code length} bytes: flag cleared first, set last. */
  final void store(byte[] keyData, short kOff, short length) {
    Bounds.check(keyData, kOff, length);
    data[capacity] = 0;
    Memory.copy(keyData, kOff, data, (short) 0, length);
    if (length < capacity) {
      Memory.zero(data, length, (short) (capacity - length));
    }
    if (length() != length) {
      Util.setShort(data, (short) (capacity + 1), length);
    }
    data[capacity] = 1;
  }

  /** Copies the key out; returns its length. */
  final byte load(byte[] keyData, short kOff) {
    requireInitialized();
    short length = length();
    Bounds.check(keyData, kOff, length);
    Util.arrayCopyNonAtomic(data, (short) 0, keyData, kOff, length);
    return (byte) length;
  }

  /** Throws CryptoException.ILLEGAL_VALUE for anything but {@code expected}. */
  static void requireLength(short length, short expected) {
    if (length != expected) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
  }
}
