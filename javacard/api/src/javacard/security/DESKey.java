package javacard.security;

/** An 8, 16 or 24-byte DES or Triple-DES key (parity bits are not checked). */
public interface DESKey extends SecretKey {
  /** Copies the key (key size / 8 bytes) from {@code keyData}; the key becomes initialized. */
  void setKey(byte[] keyData, short kOff)
      throws CryptoException, NullPointerException, ArrayIndexOutOfBoundsException;

  /**
   * Copies the key into {@code keyData}.
   *
   * @return the key length in bytes
   * @throws CryptoException UNINITIALIZED_KEY when the key is not initialized
   */
  byte getKey(byte[] keyData, short kOff);
}
