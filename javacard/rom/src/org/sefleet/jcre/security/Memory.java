package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.framework.Util;

/**
 * Where key data and engine state live. Persistent arrays are written with the atomic (and
 * transactional) Util.arrayCopy; transient arrays never take part in transactions.
 */
final class Memory {
  /** No clear event: persistent memory. */
  static final byte PERSISTENT = 0;

  private Memory() {
  }

  /** A byte array in persistent memory ({@code event} 0) or transient memory cleared on {@code event}. */
  static byte[] bytes(short length, byte event) {
    if (event == PERSISTENT) {
      return new byte[length];
    }
    return JCSystem.makeTransientByteArray(length, event);
  }

  /** An array of one object reference, persistent or transient like {@link #bytes}. */
  static Object[] reference(byte event) {
    if (event == PERSISTENT) {
      return new Object[1];
    }
    return JCSystem.makeTransientObjectArray((short) 1, event);
  }

  /** Copies into {@code dst}, atomically when {@code dst} is persistent. */
  static void copy(byte[] src, short srcOff, byte[] dst, short dstOff, short length) {
    if (JCSystem.isTransient(dst) == JCSystem.NOT_A_TRANSIENT_OBJECT) {
      Util.arrayCopy(src, srcOff, dst, dstOff, length);
    } else {
      Util.arrayCopyNonAtomic(src, srcOff, dst, dstOff, length);
    }
  }

  /**
   * Copies into {@code dst} only when the bytes differ, so that an engine initialized again with
   * the same IV does not rewrite persistent memory.
   */
  static void copyIfChanged(byte[] src, short srcOff, byte[] dst, short dstOff, short length) {
    if (Util.arrayCompare(src, srcOff, dst, dstOff, length) != 0) {
      copy(src, srcOff, dst, dstOff, length);
    }
  }

  /** Writes one byte only when it changes. */
  static void setIfChanged(byte[] dst, short offset, byte value) {
    if (dst[offset] != value) {
      dst[offset] = value;
    }
  }

  /** Stores a reference only when it changes. */
  static void setIfChanged(Object[] dst, Object value) {
    if (dst[0] != value) {
      dst[0] = value;
    }
  }

  /** Zeroes a range (never part of a transaction: erased secrets stay erased). */
  static void zero(byte[] dst, short offset, short length) {
    Util.arrayFillNonAtomic(dst, offset, length, (byte) 0);
  }

  /** Compares two ranges in time independent of where they differ; true when equal. */
  static boolean equalsConstantTime(byte[] a, short aOff, byte[] b, short bOff, short length) {
    byte diff = 0;
    for (short i = 0; i < length; i++) {
      diff |= (byte) (a[(short) (aOff + i)] ^ b[(short) (bOff + i)]);
    }
    return diff == 0;
  }
}
