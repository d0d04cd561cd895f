package sefleet.test.security;

import javacard.framework.ISOException;
import javacard.framework.Util;
import javacard.security.CryptoException;

/**
 * Assertions of the checks: a failed one ends the command with status word 64xx, xx the number of
 * the check within its group (the group is the command's INS), so a failing test names the check.
 */
final class Check {
  private Check() {
  }

  static void fail(byte id) {
    ISOException.throwIt((short) (0x6400 | (id & 0xFF)));
  }

  static void isTrue(boolean condition, byte id) {
    if (!condition) {
      fail(id);
    }
  }

  static void equal(short expected, short actual, byte id) {
    if (expected != actual) {
      fail(id);
    }
  }

  /** {@code actual[offset..offset+length)} must be exactly {@code expected}. */
  static void bytes(byte[] expected, byte[] actual, short offset, short length, byte id) {
    if (length != (short) expected.length
        || Util.arrayCompare(expected, (short) 0, actual, offset, length) != 0) {
      fail(id);
    }
  }

  /** The CryptoException a check expected: its reason must be {@code reason}. */
  static void reason(CryptoException e, short reason, byte id) {
    if (e.getReason() != reason) {
      fail(id);
    }
  }
}
