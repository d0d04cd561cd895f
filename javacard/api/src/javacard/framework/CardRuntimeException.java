package javacard.framework;

/** The unchecked exception of the Java Card API, carrying a reason code. */
public class CardRuntimeException extends RuntimeException {
  private short reason;

  public CardRuntimeException(short reason) {
    this.reason = reason;
  }

  public short getReason() {
    return reason;
  }

  public void setReason(short reason) {
    this.reason = reason;
  }

  /** Throws the Java Card runtime environment's instance of CardRuntimeException with the reason. */
  public static native void throwIt(short reason) throws CardRuntimeException;
}
