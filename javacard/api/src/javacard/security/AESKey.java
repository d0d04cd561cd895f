package javacard.security;

/** A 16, 24 or 32-byte AES key. */
public interface AESKey extends SecretKey {
  /**
   * Copies the key (as many bytes as the key size) from {@code keyData} at {@code kOff}; the key
   * becomes initialized.
   *
   * @throws CryptoException ILLEGAL_VALUE when decryption of encrypted key data fails
   */
  void setKey(byte[] keyData, short kOff)
      throws CryptoException, NullPointerException, ArrayIndexOutOfBoundsException;

  /**
   * Copies the key into {@code keyData} at {@code kOff}.
   *
   * @return the key length in bytes
   * @throws CryptoException UNINITIALIZED_KEY when the key is not initialized
   */
  byte getKey(byte[] keyData, short kOff) throws CryptoException;
}
