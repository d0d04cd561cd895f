package javacard.security;

/**
 * A key for HMAC. Any length is accepted; keys longer than the hash block are hashed first, as HMAC
 * defines.
 */
public interface HMACKey extends SecretKey {
  /** Copies {@code kLen} bytes of key from {@code keyData}; the key becomes initialized. */
  void setKey(byte[] keyData, short kOff, short kLen)
      throws CryptoException, NullPointerException, ArrayIndexOutOfBoundsException;

  /**
   * Copies the key into {@code keyData}.
   *
   * @return the key length in bytes
   * @throws CryptoException UNINITIALIZED_KEY when the key is not initialized
   */
  byte getKey(byte[] keyData, short kOff);
}
