package javacard.security;

/**
 * A signature scheme with message recovery (ISO 9796-2): part of the message is recovered from the
 * signature when it is verified.
 */
public interface SignatureMessageRecovery {
  /** Initializes the object with the key for {@code Signature.MODE_SIGN} or {@code MODE_VERIFY}. */
  void init(Key theKey, byte theMode) throws CryptoException;

  /** Starts verification: recovers the message part contained in the signature. */
  short beginVerify(byte[] sigAndRecDataBuff, short buffOffset, short sigLength) throws CryptoException;

  /** Signs the message and returns the signature length; the recoverable length goes to {@code recMsgLen}. */
  short sign(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset, short[] recMsgLen,
      short recMsgLenOffset) throws CryptoException;

  /** Completes verification with the non-recoverable rest of the message. */
  boolean verify(byte[] inBuff, short inOffset, short inLength) throws CryptoException;

  /** The algorithm code. */
  byte getAlgorithm();

  /** The signature length in bytes. */
  short getLength() throws CryptoException;

  /** Feeds more message data. */
  void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException;
}
