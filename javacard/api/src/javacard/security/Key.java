package javacard.security;

/**
 * The base interface of every key object. A key is initialized once all of its components have been
 * set since it was created or last cleared; transient key types lose their data (and become
 * uninitialized) on the clear event of their memory type.
 */
public interface Key {
  /** True when every component of the key has been set since creation or the last clear. */
  boolean isInitialized();

  /** Erases the key data and marks the key uninitialized. */
  void clearKey();

  /** The key type, one of the {@code KeyBuilder.TYPE_*} values. */
  byte getType();

  /** The key size in bits, as given to {@code KeyBuilder.buildKey}. */
  short getSize();
}
