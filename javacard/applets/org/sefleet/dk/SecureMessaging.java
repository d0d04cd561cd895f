package org.sefleet.dk;

import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.AESKey;
import javacard.security.KeyBuilder;
import javacard.security.Signature;
import javacardx.crypto.Cipher;

/**
 * The vehicle's side of the secure channel AUTH1 opens (SCP03-like, as dk_protocol.hpp's
 * SecureChannel):
 * <pre>
 *   command:  cipher = AES-CBC(Kenc, ICV = AES(Kenc, 00..00 || command counter), data || 80 00..)
 *             C-MAC  = CMAC(Kmac, chain || CLA INS P1 P2 Lc || cipher), sent truncated to 8 bytes;
 *             chain  = the full C-MAC of the last verified command
 *   response: cipher = AES-CBC(Kenc, ICV = AES(Kenc, 80 00.. || response counter), data || 80 00..)
 *             R-MAC  = CMAC(Krmac, chain || cipher || SW), truncated to 8 bytes
 * </pre>
 * The keys and the state live in CLEAR_ON_DESELECT memory: a deselection ends the channel.
 */
final class SecureMessaging {
  private static final short CHAIN = 0;
  private static final short COMMAND_COUNTER = 16;
  private static final short RESPONSE_COUNTER = 20;
  private static final short ICV = 24;
  private static final short MAC = 40;
  private static final short HEADER = 56;
  private static final short STATE_SIZE = 61;

  private static final byte ICV_COMMAND = 0x00;
  private static final byte ICV_RESPONSE = (byte) 0x80;
  private static final byte[] SW_OK = {(byte) 0x90, 0x00};

  private final AESKey kenc;
  private final AESKey kmac;
  private final AESKey krmac;
  private final Cipher cbc;
  private final Cipher block;
  private final Signature cmac;
  /** Chain, counters, ICV, MAC and MAC header (offsets above). */
  private final byte[] state;

  SecureMessaging() {
    kenc = newKey();
    kmac = newKey();
    krmac = newKey();
    cbc = Cipher.getInstance(Cipher.ALG_AES_BLOCK_128_CBC_NOPAD, false);
    block = Cipher.getInstance(Cipher.ALG_AES_BLOCK_128_ECB_NOPAD, false);
    cmac = Signature.getInstance(Signature.ALG_AES_CMAC_128, false);
    state = JCSystem.makeTransientByteArray(STATE_SIZE, JCSystem.CLEAR_ON_DESELECT);
  }

  private static AESKey newKey() {
    return (AESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_AES_TRANSIENT_DESELECT, KeyBuilder.LENGTH_AES_128, false);
  }

  /** Opens the channel with Kenc || Kmac || Krmac (48 bytes): zero chain, counters at 0. */
  void open(byte[] keys, short offset) {
    kenc.setKey(keys, offset);
    kmac.setKey(keys, (short) (offset + Dk.BLOCK));
    krmac.setKey(keys, (short) (offset + 2 * Dk.BLOCK));
    Util.arrayFillNonAtomic(state, (short) 0, STATE_SIZE, (byte) 0);
  }

  void close() {
    kenc.clearKey();
    kmac.clearKey();
    krmac.clearKey();
    Util.arrayFillNonAtomic(state, (short) 0, STATE_SIZE, (byte) 0);
  }

  /**
   * Verifies and decrypts a command's data {@code buffer[offset..offset + length)} in place; the
   * header is {@code cla ins p1 p2}. Only a command whose C-MAC verifies moves the channel on.
   *
   * @return the length of the plain data at {@code offset}, or -1 when the length, the C-MAC or
   *     the padding is wrong
   */
  short unwrapCommand(byte cla, byte ins, byte p1, byte p2, byte[] buffer, short offset, short length) {
    if (length < (short) (Dk.BLOCK + Dk.MAC_SIZE) || (short) ((short) (length - Dk.MAC_SIZE) % Dk.BLOCK) != 0) {
      return -1;
    }
    short cipherLength = (short) (length - Dk.MAC_SIZE);
    state[HEADER] = cla;
    state[(short) (HEADER + 1)] = ins;
    state[(short) (HEADER + 2)] = p1;
    state[(short) (HEADER + 3)] = p2;
    state[(short) (HEADER + 4)] = (byte) length;
    cmac.init(kmac, Signature.MODE_SIGN);
    cmac.update(state, CHAIN, Dk.BLOCK);
    cmac.update(state, HEADER, (short) 5);
    cmac.sign(buffer, offset, cipherLength, state, MAC);
    if (!Bytes.equal(state, MAC, buffer, (short) (offset + cipherLength), Dk.MAC_SIZE)) {
      return -1;
    }
    Util.arrayCopyNonAtomic(state, MAC, state, CHAIN, Dk.BLOCK);
    Bytes.increment(state, COMMAND_COUNTER);
    computeIcv(ICV_COMMAND, COMMAND_COUNTER);
    cbc.init(kenc, Cipher.MODE_DECRYPT, state, ICV, Dk.BLOCK);
    cbc.doFinal(buffer, offset, cipherLength, buffer, offset);
    return unpaddedLength(buffer, offset, cipherLength);
  }

  /**
   * Encrypts {@code plain[offset..offset + length)} for a 9000 response and appends the R-MAC; the
   * result goes to {@code out} (which must not overlap the input).
   *
   * @return the length of cipher text and MAC
   */
  short wrapResponse(byte[] plain, short offset, short length, byte[] out, short outOffset) {
    Bytes.increment(state, RESPONSE_COUNTER);
    computeIcv(ICV_RESPONSE, RESPONSE_COUNTER);
    Util.arrayCopyNonAtomic(plain, offset, out, outOffset, length);
    short padded = (short) (length + 1);
    out[(short) (outOffset + length)] = (byte) 0x80;
    while ((short) (padded % Dk.BLOCK) != 0) {
      out[(short) (outOffset + padded)] = 0;
      padded++;
    }
    cbc.init(kenc, Cipher.MODE_ENCRYPT, state, ICV, Dk.BLOCK);
    cbc.doFinal(out, outOffset, padded, out, outOffset);
    cmac.init(krmac, Signature.MODE_SIGN);
    cmac.update(state, CHAIN, Dk.BLOCK);
    cmac.update(out, outOffset, padded);
    cmac.sign(SW_OK, (short) 0, (short) SW_OK.length, state, MAC);
    Util.arrayCopyNonAtomic(state, MAC, out, (short) (outOffset + padded), Dk.MAC_SIZE);
    return (short) (padded + Dk.MAC_SIZE);
  }

  /** ICV = AES(Kenc, first || 00.. || counter) into the state. */
  private void computeIcv(byte first, short counterOffset) {
    Util.arrayFillNonAtomic(state, ICV, Dk.BLOCK, (byte) 0);
    state[ICV] = first;
    Util.arrayCopyNonAtomic(state, counterOffset, state, (short) (ICV + Dk.BLOCK - Dk.COUNTER_SIZE), Dk.COUNTER_SIZE);
    block.init(kenc, Cipher.MODE_ENCRYPT);
    block.doFinal(state, ICV, Dk.BLOCK, state, ICV);
  }

  /**
   * The length before ISO 9797-1 method 2 padding, strictly (an 80 marker after the data, then zeros,
   * within the last block), or -1.
   */
  private static short unpaddedLength(byte[] data, short offset, short length) {
    short i = length;
    while (i > 0 && data[(short) (offset + i - 1)] == 0) {
      i--;
    }
    if (i == 0 || data[(short) (offset + i - 1)] != (byte) 0x80 || (short) (length - (i - 1)) > Dk.BLOCK) {
      return -1;
    }
    return (short) (i - 1);
  }
}
