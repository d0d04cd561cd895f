package org.sefleet.jcre.security;

import javacard.framework.Util;
import javacard.security.CryptoException;

/**
 * A big-endian number stored in a slot of {@code capacity} bytes, right-aligned, followed by one
 * flag byte that is 1 once the value is set. Setting clears the flag first and sets it last, so a
 * power loss in between leaves the component unset, never half-written and "set". Transient slots
 * lose value and flag together on their clear event.
 */
final class Component {
  private Component() {
  }

  /** True when the slot at {@code offset} holds a value. */
  static boolean isSet(byte[] array, short offset, short capacity) {
    return array[(short) (offset + capacity)] != 0;
  }

  /**
   * Stores {@code in[inOff..inOff+inLen)} without its leading zero bytes.
   *
   * @throws CryptoException ILLEGAL_VALUE when the value is empty or does not fit the slot
   */
  static void set(byte[] array, short offset, short capacity, byte[] in, short inOff, short inLen) {
    Bounds.check(in, inOff, inLen);
    short skip = 0;
    while (skip < inLen && in[(short) (inOff + skip)] == 0) {
      skip++;
    }
    short length = (short) (inLen - skip);
    if (inLen == 0 || length > capacity) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    short flag = (short) (offset + capacity);
    array[flag] = 0;
    short pad = (short) (capacity - length);
    if (pad > 0) {
      Memory.zero(array, offset, pad);
    }
    Memory.copy(in, (short) (inOff + skip), array, (short) (offset + pad), length);
    array[flag] = 1;
  }

  /**
   * Copies the value without leading zero bytes (at least one byte) into {@code out}.
   *
   * @return the number of bytes written
   * @throws CryptoException UNINITIALIZED_KEY when the slot is not set
   */
  static short getStripped(byte[] array, short offset, short capacity, byte[] out, short outOff) {
    requireSet(array, offset, capacity);
    short skip = 0;
    while (skip < (short) (capacity - 1) && array[(short) (offset + skip)] == 0) {
      skip++;
    }
    short length = (short) (capacity - skip);
    Bounds.check(out, outOff, length);
    Util.arrayCopyNonAtomic(array, (short) (offset + skip), out, outOff, length);
    return length;
  }

  /**
   * Copies the last {@code length} bytes of the slot (a fixed-length encoding) into {@code out}.
   *
   * @throws CryptoException UNINITIALIZED_KEY when the slot is not set
   */
  static short getFixed(byte[] array, short offset, short capacity, short length, byte[] out, short outOff) {
    requireSet(array, offset, capacity);
    Bounds.check(out, outOff, length);
    Util.arrayCopyNonAtomic(array, (short) (offset + capacity - length), out, outOff, length);
    return length;
  }

  /** The number of significant bytes of a set value (at least 1). */
  static short significantLength(byte[] array, short offset, short capacity) {
    short skip = 0;
    while (skip < (short) (capacity - 1) && array[(short) (offset + skip)] == 0) {
      skip++;
    }
    return (short) (capacity - skip);
  }

  /** Erases value and flag. */
  static void clear(byte[] array, short offset, short capacity) {
    Memory.zero(array, offset, (short) (capacity + 1));
  }

  private static void requireSet(byte[] array, short offset, short capacity) {
    if (!isSet(array, offset, capacity)) {
      CryptoException.throwIt(CryptoException.UNINITIALIZED_KEY);
    }
  }
}
