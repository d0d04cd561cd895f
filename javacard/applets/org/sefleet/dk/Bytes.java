package org.sefleet.dk;

/** Byte-array helpers the Java Card API does not offer. */
final class Bytes {
  private Bytes() {
  }

  /**
   * Equality in constant time: every byte is compared whatever the first difference (for MACs and
   * identifiers, like the C++ applet's constant_time_equal).
   */
  static boolean equal(byte[] a, short aOffset, byte[] b, short bOffset, short length) {
    byte difference = 0;
    for (short i = 0; i < length; i++) {
      difference |= (byte) (a[(short) (aOffset + i)] ^ b[(short) (bOffset + i)]);
    }
    return difference == 0;
  }

  /** -1, 0 or 1 as the unsigned big-endian number {@code a[..length)} is below, equal to or above {@code b}. */
  static short compareUnsigned(byte[] a, short aOffset, byte[] b, short bOffset, short length) {
    for (short i = 0; i < length; i++) {
      short x = (short) (a[(short) (aOffset + i)] & 0xFF);
      short y = (short) (b[(short) (bOffset + i)] & 0xFF);
      if (x != y) {
        return x < y ? (short) -1 : (short) 1;
      }
    }
    return 0;
  }

  /** Adds one to the big-endian counter {@code counter[offset..offset + 4)} (wrapping at 2^32). */
  static void increment(byte[] counter, short offset) {
    for (short i = (short) (offset + Dk.COUNTER_SIZE - 1); i >= offset; i--) {
      counter[i]++;
      if (counter[i] != 0) {
        return;
      }
    }
  }
}
