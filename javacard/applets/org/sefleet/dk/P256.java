package org.sefleet.dk;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.ECKey;
import javacard.security.ECPublicKey;
import javacard.security.KeyBuilder;

/**
 * NIST P-256 (secp256r1): its domain parameters, set explicitly on every EC key the applet builds
 * (a card need not preload any curve), and the checks the C++ applet gets from OpenSSL when it
 * parses a point or a scalar.
 */
final class P256 {
  /** The field prime p. */
  private static final byte[] FIELD_P = {
      (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
      (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF
  };
  /** The coefficient a (p - 3). */
  private static final byte[] COEFFICIENT_A = {
      (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
      (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFC
  };
  /** The coefficient b. */
  private static final byte[] COEFFICIENT_B = {
      0x5A, (byte) 0xC6, 0x35, (byte) 0xD8, (byte) 0xAA, 0x3A, (byte) 0x93, (byte) 0xE7, (byte) 0xB3,
      (byte) 0xEB, (byte) 0xBD, 0x55, 0x76, (byte) 0x98, (byte) 0x86, (byte) 0xBC, 0x65, 0x1D, 0x06,
      (byte) 0xB0, (byte) 0xCC, 0x53, (byte) 0xB0, (byte) 0xF6, 0x3B, (byte) 0xCE, 0x3C, 0x3E, 0x27,
      (byte) 0xD2, 0x60, 0x4B
  };
  /** The generator G, uncompressed. */
  private static final byte[] GENERATOR = {
      0x04, 0x6B, 0x17, (byte) 0xD1, (byte) 0xF2, (byte) 0xE1, 0x2C, 0x42, 0x47, (byte) 0xF8, (byte) 0xBC,
      (byte) 0xE6, (byte) 0xE5, 0x63, (byte) 0xA4, 0x40, (byte) 0xF2, 0x77, 0x03, 0x7D, (byte) 0x81, 0x2D,
      (byte) 0xEB, 0x33, (byte) 0xA0, (byte) 0xF4, (byte) 0xA1, 0x39, 0x45, (byte) 0xD8, (byte) 0x98,
      (byte) 0xC2, (byte) 0x96, 0x4F, (byte) 0xE3, 0x42, (byte) 0xE2, (byte) 0xFE, 0x1A, 0x7F, (byte) 0x9B,
      (byte) 0x8E, (byte) 0xE7, (byte) 0xEB, 0x4A, 0x7C, 0x0F, (byte) 0x9E, 0x16, 0x2B, (byte) 0xCE, 0x33, 0x57,
      0x6B, 0x31, 0x5E, (byte) 0xCE, (byte) 0xCB, (byte) 0xB6, 0x40, 0x68, 0x37, (byte) 0xBF, 0x51, (byte) 0xF5
  };
  /** The order n of G. */
  private static final byte[] ORDER_N = {
      (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x00, 0x00, 0x00, 0x00, (byte) 0xFF, (byte) 0xFF,
      (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xBC, (byte) 0xE6,
      (byte) 0xFA, (byte) 0xAD, (byte) 0xA7, 0x17, (byte) 0x9E, (byte) 0x84, (byte) 0xF3, (byte) 0xB9,
      (byte) 0xCA, (byte) 0xC2, (byte) 0xFC, 0x63, 0x25, 0x51
  };

  /** A scratch public key for {@link #isOnCurve}. */
  private final ECPublicKey probe;
  /**
   * 02/03 || X, and the point the card decompresses from it. CLEAR_ON_RESET: install() checks the
   * enrolled keys, and CLEAR_ON_DESELECT memory is only for the selected applet.
   */
  private final byte[] work;

  P256() {
    probe = (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC, KeyBuilder.LENGTH_EC_FP_256, false);
    setDomain(probe);
    work = JCSystem.makeTransientByteArray((short) (1 + Dk.COORDINATE_SIZE + Dk.POINT_SIZE),
        JCSystem.CLEAR_ON_RESET);
  }

  /** Sets the P-256 domain parameters on {@code key}. */
  static void setDomain(ECKey key) {
    key.setFieldFP(FIELD_P, (short) 0, (short) FIELD_P.length);
    key.setA(COEFFICIENT_A, (short) 0, (short) COEFFICIENT_A.length);
    key.setB(COEFFICIENT_B, (short) 0, (short) COEFFICIENT_B.length);
    key.setG(GENERATOR, (short) 0, (short) GENERATOR.length);
    key.setR(ORDER_N, (short) 0, (short) ORDER_N.length);
    key.setK((short) 1);
  }

  /**
   * True when {@code buffer[offset..offset + 65)} is an uncompressed point of the curve (04 || X || Y
   * with X, Y below p and Y^2 = X^3 + aX + b). The Java Card API has no point check of its own, so
   * the point is given to the card compressed (02/03 || X, by the parity of Y): the card computes the
   * Y of X, refusing an X that is no coordinate of the curve, and that Y must be the one sent.
   */
  boolean isOnCurve(byte[] buffer, short offset) {
    if (buffer[offset] != 0x04) {
      return false;
    }
    short x = (short) (offset + 1);
    short y = (short) (x + Dk.COORDINATE_SIZE);
    work[0] = (byte) ((buffer[(short) (y + Dk.COORDINATE_SIZE - 1)] & 1) == 0 ? 0x02 : 0x03);
    Util.arrayCopyNonAtomic(buffer, x, work, (short) 1, Dk.COORDINATE_SIZE);
    try {
      probe.setW(work, (short) 0, (short) (1 + Dk.COORDINATE_SIZE));
    } catch (CryptoException e) {
      return false;
    }
    short decoded = (short) (1 + Dk.COORDINATE_SIZE);
    probe.getW(work, decoded);
    return Bytes.equal(work, (short) (decoded + 1 + Dk.COORDINATE_SIZE), buffer, y, Dk.COORDINATE_SIZE);
  }

  /** True when {@code buffer[offset..offset + 32)} is a private scalar: 1 <= s < n. */
  static boolean isScalar(byte[] buffer, short offset) {
    boolean zero = true;
    for (short i = 0; i < Dk.SCALAR_SIZE; i++) {
      if (buffer[(short) (offset + i)] != 0) {
        zero = false;
      }
    }
    return !zero && Bytes.compareUnsigned(buffer, offset, ORDER_N, (short) 0, Dk.SCALAR_SIZE) < 0;
  }
}
