package javacard.security;

/** A 16-byte Korean SEED key. */
public interface KoreanSEEDKey extends SecretKey {
  /** Copies the 16-byte key from {@code keyData}; the key becomes initialized. */
  void setKey(byte[] keyData, short kOff)
      throws CryptoException, NullPointerException, ArrayIndexOutOfBoundsException;

  /**
   * Copies the key into {@code keyData}.
   *
   * @return the key length in bytes
   */
  byte getKey(byte[] keyData, short kOff);
}
