package javacard.framework;

/** A failure of the transaction facility. */
public class TransactionException extends CardRuntimeException {
  public static final short IN_PROGRESS = 1;
  public static final short NOT_IN_PROGRESS = 2;
  public static final short BUFFER_FULL = 3;
  public static final short INTERNAL_FAILURE = 4;
  public static final short ILLEGAL_USE = 5;

  public TransactionException(short reason) {
    super(reason);
  }

  /** Throws the Java Card runtime environment's instance of TransactionException with the reason. */
  public static native void throwIt(short reason) throws TransactionException;
}
