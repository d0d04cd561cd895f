package javacard.security;

import javacard.framework.CardRuntimeException;

/**
 * A cryptography-related exception. The API throws a single instance owned by the runtime (a
 * temporary entry point object: any context may catch it, no one may store it).
 */
public class CryptoException extends CardRuntimeException {
  /** An input parameter is out of its allowed range. */
  public static final short ILLEGAL_VALUE = 1;
  /** The key is not initialized. */
  public static final short UNINITIALIZED_KEY = 2;
  /** The algorithm or key type is not supported. */
  public static final short NO_SUCH_ALGORITHM = 3;
  /** The engine is not initialized for the requested operation. */
  public static final short INVALID_INIT = 4;
  /** The algorithm does not pad and the input is not block aligned, or the operation is not allowed. */
  public static final short ILLEGAL_USE = 5;

  /** Creates an exception with the given reason. Applets should use {@link #throwIt(short)}. */
  public CryptoException(short reason) {
    super(reason);
  }

  /** Throws the runtime's instance of CryptoException with {@code reason}. */
  public static native void throwIt(short reason);
}
