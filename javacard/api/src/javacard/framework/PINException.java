package javacard.framework;

/** A PIN object refused an operation. */
public class PINException extends CardRuntimeException {
  public static final short ILLEGAL_VALUE = 1;
  public static final short ILLEGAL_STATE = 2;

  public PINException(short reason) {
    super(reason);
  }

  /** Throws the Java Card runtime environment's instance of PINException with the reason. */
  public static native void throwIt(short reason) throws PINException;
}
