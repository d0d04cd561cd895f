package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.Key;

/**
 * What every key implementation shares: its type and size, and the memory its secret parts live in
 * (persistent, or transient cleared on reset or on deselect).
 */
abstract class KeyBase implements Key {
  final byte type;
  final short size;
  /** Clear event of the secret parts: {@link Memory#PERSISTENT} or a JCSystem.CLEAR_ON_* value. */
  final byte event;

  KeyBase(byte type, short size, byte event) {
    this.type = type;
    this.size = size;
    this.event = event;
  }

  public final byte getType() {
    return type;
  }

  public final short getSize() {
    return size;
  }

  /** Throws CryptoException.UNINITIALIZED_KEY unless the key is initialized. */
  final void requireInitialized() {
    if (!isInitialized()) {
      CryptoException.throwIt(CryptoException.UNINITIALIZED_KEY);
    }
  }
}
