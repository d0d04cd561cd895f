package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.Key;

/**
 * What init() sets on a Signature, Cipher or KeyAgreement object: the key, the mode, an IV and a
 * few algorithm parameters. The API requires it to survive a card reset (a reset returns the object
 * to the state right after init()), so it is persistent for objects from getInstance; only changed
 * values are written, so repeated init() with the same key, mode and IV costs no persistent write.
 * One-shot objects keep it in CLEAR_ON_RESET memory (a reset releases them anyway).
 */
final class InitState {
  static final short MAX_IV = 16;
  private static final short MODE = 0;
  private static final short IV_LENGTH = 1;
  private static final short IV = 2;
  private static final short EXTRA = (short) (IV + MAX_IV);
  private static final short FIRST = (short) (EXTRA + 1);
  private static final short SECOND = (short) (EXTRA + 3);
  private static final short SIZE = (short) (EXTRA + 5);

  private final Object[] key;
  /**
   * [0] mode (0: not initialized), [1] IV length, [2..18) IV, [18] one more parameter (the AEAD
   * tag size), [19..23) two more shorts (the CCM lengths).
   */
  final byte[] config;

  InitState(boolean oneShot) {
    byte event = oneShot ? JCSystem.CLEAR_ON_RESET : Memory.PERSISTENT;
    key = Memory.reference(event);
    config = Memory.bytes(SIZE, event);
  }

  /** Records a successful init(); {@code iv} may be null (no IV: zeros). */
  void set(Key theKey, byte mode, byte[] iv, short ivOffset, short ivLength) {
    set(theKey, mode, iv, ivOffset, ivLength, (byte) 0, (short) 0, (short) 0);
  }

  /** {@link #set(Key, byte, byte[], short, short)} with one more parameter. */
  void set(Key theKey, byte mode, byte[] iv, short ivOffset, short ivLength, byte extra) {
    set(theKey, mode, iv, ivOffset, ivLength, extra, (short) 0, (short) 0);
  }

  /**
   * Records a successful init() with every parameter. Nothing is written when nothing changes;
   * otherwise the mode is cleared first and set last, so a power loss in between leaves the object
   * uninitialized rather than half-initialized.
   */
  void set(Key theKey, byte mode, byte[] iv, short ivOffset, short ivLength, byte extra, short first,
      short second) {
    if (iv == null) {
      ivLength = 0;
    }
    if (config[MODE] == mode && key[0] == theKey && config[IV_LENGTH] == ivLength && config[EXTRA] == extra
        && Util.getShort(config, FIRST) == first && Util.getShort(config, SECOND) == second
        && (ivLength == 0 || Util.arrayCompare(iv, ivOffset, config, IV, ivLength) == 0)) {
      return;
    }
    config[MODE] = 0;
    Memory.setIfChanged(key, theKey);
    if (ivLength > 0) {
      Memory.copyIfChanged(iv, ivOffset, config, IV, ivLength);
    }
    Memory.setIfChanged(config, IV_LENGTH, (byte) ivLength);
    Memory.setIfChanged(config, EXTRA, extra);
    if (Util.getShort(config, FIRST) != first) {
      Util.setShort(config, FIRST, first);
    }
    if (Util.getShort(config, SECOND) != second) {
      Util.setShort(config, SECOND, second);
    }
    config[MODE] = mode;
  }

  /** Forgets key and mode (a one-shot object being handed to another user). */
  void forget() {
    Memory.setIfChanged(config, MODE, (byte) 0);
    Memory.setIfChanged(key, null);
  }

  boolean initialized() {
    return config[MODE] != 0;
  }

  byte mode() {
    return config[MODE];
  }

  Key key() {
    return (Key) key[0];
  }

  short ivLength() {
    return config[IV_LENGTH];
  }

  /** The offset of the IV in {@link #config}. */
  static short ivOffset() {
    return IV;
  }

  byte extra() {
    return config[EXTRA];
  }

  short firstExtra() {
    return Util.getShort(config, FIRST);
  }

  short secondExtra() {
    return Util.getShort(config, SECOND);
  }

  /** Copies the IV (zeros when none was given) into {@code out[outOffset..outOffset+length)}. */
  void loadIv(byte[] out, short outOffset, short length) {
    short given = ivLength();
    if (given >= length) {
      Util.arrayCopyNonAtomic(config, IV, out, outOffset, length);
    } else {
      Memory.zero(out, outOffset, length);
    }
  }
}
