package org.sefleet.dk;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.HMACKey;
import javacard.security.KeyBuilder;
import javacard.security.MessageDigest;
import javacard.security.Signature;

/**
 * The key schedule of the protocol over the Java Card API (the same as dk_protocol.hpp's):
 * <pre>
 *   Kdh                 = X9.63-KDF-SHA256(Z, transaction id, 32)       (one SHA-256: Z || 00000001 || id)
 *   Kenc || Kmac || Krmac = HKDF-SHA256(Kdh, no salt, info("Volatile"), 48)
 *   Kpersistent         = HKDF-SHA256(Kdh, no salt, info("Persistent"), 32)
 *   info(label)         = vehicle ePK.x || device ePK.x || transaction id || interface || label || 5C 02 01 00
 * </pre>
 * HKDF is RFC 5869 over HMAC-SHA256 (Signature.ALG_HMAC_SHA_256); "no salt" is 32 zero bytes, which
 * is what HMAC makes of an empty key.
 */
final class KeySchedule {
  private static final short HASH_SIZE = 32;
  private static final byte[] X963_COUNTER = {0x00, 0x00, 0x00, 0x01};
  private static final byte[] HKDF_COUNTERS = {0x01, 0x02};

  private final MessageDigest sha256;
  private final Signature hmac;
  private final HMACKey hmacKey;
  /** [0, 32): the pseudo-random key; [32, 64): the block T(2) of the expansion. */
  private final byte[] work;

  KeySchedule() {
    sha256 = MessageDigest.getInstance(MessageDigest.ALG_SHA_256, false);
    hmac = Signature.getInstance(Signature.ALG_HMAC_SHA_256, false);
    hmacKey = (HMACKey) KeyBuilder.buildKey(KeyBuilder.TYPE_HMAC_TRANSIENT_RESET,
        KeyBuilder.LENGTH_HMAC_SHA_256_BLOCK_64, false);
    work = JCSystem.makeTransientByteArray((short) (2 * HASH_SIZE), JCSystem.CLEAR_ON_RESET);
  }

  /** Kdh from the shared secret Z (32 bytes) and the transaction id (16 bytes), into {@code out}. */
  void deriveKdh(byte[] z, short zOffset, byte[] transactionId, short idOffset, byte[] out, short outOffset) {
    sha256.reset();
    sha256.update(z, zOffset, Dk.COORDINATE_SIZE);
    sha256.update(X963_COUNTER, (short) 0, (short) X963_COUNTER.length);
    sha256.doFinal(transactionId, idOffset, Dk.TRANSACTION_ID_SIZE, out, outOffset);
  }

  /**
   * Writes info(label) into {@code out} from the context (vehicle ePK.x, device ePK.x, transaction
   * id) and returns its length.
   */
  static short info(byte[] vehicleX, short vehicleOffset, byte[] deviceX, short deviceOffset, byte[] transactionId,
      short idOffset, byte[] label, byte[] out, short outOffset) {
    short at = Util.arrayCopyNonAtomic(vehicleX, vehicleOffset, out, outOffset, Dk.COORDINATE_SIZE);
    at = Util.arrayCopyNonAtomic(deviceX, deviceOffset, out, at, Dk.COORDINATE_SIZE);
    at = Util.arrayCopyNonAtomic(transactionId, idOffset, out, at, Dk.TRANSACTION_ID_SIZE);
    out[at++] = Dk.INTERFACE_NFC;
    at = Util.arrayCopyNonAtomic(label, (short) 0, out, at, (short) label.length);
    out[at++] = Dk.TAG_VERSION;
    out[at++] = 2;
    out[at++] = Dk.VERSION_MAJOR;
    out[at++] = Dk.VERSION_MINOR;
    return (short) (at - outOffset);
  }

  /**
   * HKDF-SHA256 of the 32-byte {@code kdh} with no salt and {@code info}, {@code length} bytes (at
   * most 64) into {@code out}.
   */
  void hkdf(byte[] kdh, short kdhOffset, byte[] info, short infoOffset, short infoLength, byte[] out,
      short outOffset, short length) {
    // Extract: PRK = HMAC(salt = 32 zero bytes, Kdh).
    Util.arrayFillNonAtomic(work, (short) 0, HASH_SIZE, (byte) 0);
    hmacKey.setKey(work, (short) 0, HASH_SIZE);
    hmac.init(hmacKey, Signature.MODE_SIGN);
    hmac.sign(kdh, kdhOffset, HASH_SIZE, work, (short) 0);
    // Expand: T(1) = HMAC(PRK, info || 01), T(2) = HMAC(PRK, T(1) || info || 02).
    hmacKey.setKey(work, (short) 0, HASH_SIZE);
    hmac.init(hmacKey, Signature.MODE_SIGN);
    hmac.update(info, infoOffset, infoLength);
    hmac.sign(HKDF_COUNTERS, (short) 0, (short) 1, work, HASH_SIZE);
    short first = length < HASH_SIZE ? length : HASH_SIZE;
    Util.arrayCopyNonAtomic(work, HASH_SIZE, out, outOffset, first);
    if (length > HASH_SIZE) {
      hmac.update(work, HASH_SIZE, HASH_SIZE);
      hmac.update(info, infoOffset, infoLength);
      hmac.sign(HKDF_COUNTERS, (short) 1, (short) 1, work, HASH_SIZE);
      Util.arrayCopyNonAtomic(work, HASH_SIZE, out, (short) (outOffset + HASH_SIZE), (short) (length - HASH_SIZE));
    }
    Util.arrayFillNonAtomic(work, (short) 0, (short) (2 * HASH_SIZE), (byte) 0);
    hmacKey.clearKey();
  }
}
