package sefleet.test.security;

/**
 * The inputs every check uses, computed rather than stored: sequence(n, start) is the bytes
 * start, start + 7, start + 14, ... (mod 256). The same function made the known answers of
 * {@link Vectors} off-card.
 */
final class Inputs {
  /** The message most checks hash, encrypt, MAC or sign: sequence(37, 19). */
  static final short MESSAGE_LENGTH = 37;

  private Inputs() {
  }

  /** Writes sequence(length, start) at {@code buffer[offset]}; returns {@code offset + length}. */
  static short sequence(byte[] buffer, short offset, short length, byte start) {
    for (short i = 0; i < length; i++) {
      buffer[(short) (offset + i)] = (byte) (start + 7 * i);
    }
    return (short) (offset + length);
  }

  /** The 37-byte message at {@code buffer[offset]}. */
  static short message(byte[] buffer, short offset) {
    return sequence(buffer, offset, MESSAGE_LENGTH, (byte) 19);
  }

  /** The 32-byte block-aligned message sequence(32, 23). */
  static short message32(byte[] buffer, short offset) {
    return sequence(buffer, offset, (short) 32, (byte) 23);
  }
}
