package org.sefleet.dk;

import javacard.framework.JCSystem;

/**
 * Reads the data field of a command as the strict set of TLV fields the protocol defines: every
 * expected tag exactly once (any order), each with its exact length, and nothing else. The C++
 * applet parses BER-TLV in general and then refuses unknown tags, repeated tags, missing fields and
 * wrong sizes; since every field of the protocol is shorter than 128 bytes, what it accepts is
 * exactly what this reader accepts (a one-byte tag from the expected set, a one-byte length, the
 * value), and both answer 6A80 to everything else.
 */
final class Fields {
  private static final short MAX_FIELDS = 4;

  /** Where each expected field's value starts in the buffer, after a successful {@link #read}. */
  private final short[] offsets;

  Fields() {
    offsets = JCSystem.makeTransientShortArray(MAX_FIELDS, JCSystem.CLEAR_ON_DESELECT);
  }

  /**
   * Reads {@code buffer[offset, offset + length)} as the fields {@code tags[i]} of {@code sizes[i]}
   * bytes.
   *
   * @return true when the data is exactly those fields; then {@link #valueOffset} gives each value
   */
  boolean read(byte[] buffer, short offset, short length, byte[] tags, byte[] sizes) {
    short count = (short) tags.length;
    for (short i = 0; i < count; i++) {
      offsets[i] = -1;
    }
    short position = offset;
    short end = (short) (offset + length);
    while (position < end) {
      short index = indexOf(tags, buffer[position]);
      if (index < 0 || offsets[index] >= 0 || (short) (end - position) < 2) {
        return false;
      }
      short size = (short) (buffer[(short) (position + 1)] & 0xFF);
      if (size != (short) (sizes[index] & 0xFF) || size > (short) (end - position - 2)) {
        return false;
      }
      offsets[index] = (short) (position + 2);
      position = (short) (position + 2 + size);
    }
    for (short i = 0; i < count; i++) {
      if (offsets[i] < 0) {
        return false;
      }
    }
    return true;
  }

  /** The offset of the value of field {@code index} (the index into the tags given to read). */
  short valueOffset(short index) {
    return offsets[index];
  }

  private static short indexOf(byte[] tags, byte tag) {
    for (short i = 0; i < (short) tags.length; i++) {
      if (tags[i] == tag) {
        return i;
      }
    }
    return -1;
  }
}
