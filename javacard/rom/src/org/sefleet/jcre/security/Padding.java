package org.sefleet.jcre.security;

import javacardx.crypto.Cipher;

/** The block paddings of ISO/IEC 9797-1 (methods 1 and 2) and PKCS#5, for ciphers and MACs. */
final class Padding {
  private Padding() {
  }

  /** True for the paddings that always add at least one byte (and can be removed). */
  static boolean removable(byte padding) {
    return padding == Cipher.PAD_ISO9797_M2 || padding == Cipher.PAD_PKCS5;
  }

  /** True when {@code padding} adds nothing (no padding at all). */
  static boolean none(byte padding) {
    return padding == Cipher.PAD_NOPAD || padding == Cipher.PAD_NULL;
  }

  /**
   * The length of a message of {@code length} bytes once padded to blocks of {@code block}
   * bytes; -1 when an unpadded message is not block aligned.
   */
  static int paddedLength(byte padding, int length, short block) {
    int rest = length % block;
    if (none(padding)) {
      return rest == 0 ? length : -1;
    }
    if (padding == Cipher.PAD_ISO9797_M1 || padding == Cipher.PAD_ISO9797_1_M1_ALG3) {
      if (length == 0) {
        return block;
      }
      return rest == 0 ? length : length + block - rest;
    }
    return length - rest + block;
  }

  /**
   * Pads the {@code filled} bytes at {@code buffer[offset]} to a whole block: method 1 appends
   * zeros, method 2 appends 80 then zeros, PKCS#5 appends N bytes of value N.
   */
  static void pad(byte padding, byte[] buffer, short offset, short filled, short block) {
    short at = (short) (offset + filled);
    short end = (short) (offset + block);
    if (padding == Cipher.PAD_PKCS5) {
      byte n = (byte) (block - filled);
      while (at < end) {
        buffer[at++] = n;
      }
      return;
    }
    if (padding == Cipher.PAD_ISO9797_M2 || padding == Cipher.PAD_ISO9797_1_M2_ALG3) {
      buffer[at++] = (byte) 0x80;
    }
    while (at < end) {
      buffer[at++] = 0;
    }
  }

  /**
   * The number of message bytes in the last block {@code buffer[offset..offset+block)} once the
   * padding is removed, or -1 when the padding is malformed.
   */
  static short unpaddedLength(byte padding, byte[] buffer, short offset, short block) {
    if (padding == Cipher.PAD_PKCS5) {
      short n = (short) (buffer[(short) (offset + block - 1)] & 0xFF);
      if (n < 1 || n > block) {
        return -1;
      }
      for (short i = (short) (block - n); i < block; i++) {
        if (buffer[(short) (offset + i)] != (byte) n) {
          return -1;
        }
      }
      return (short) (block - n);
    }
    short i = (short) (block - 1);
    while (i >= 0 && buffer[(short) (offset + i)] == 0) {
      i--;
    }
    if (i < 0 || buffer[(short) (offset + i)] != (byte) 0x80) {
      return -1;
    }
    return i;
  }
}
