package javacardx.crypto;

/**
 * Implemented by keys whose key data arrives encrypted: the setters decrypt it with the cipher
 * given here before storing it.
 */
public interface KeyEncryption {
  /** Sets the cipher that decrypts key data passed to the setters ({@code null}: plain data). */
  void setKeyCipher(Cipher keyCipher);

  /** The cipher set by {@link #setKeyCipher(Cipher)}, or {@code null}. */
  Cipher getKeyCipher();
}
