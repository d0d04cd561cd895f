package javacard.framework;

/** The checked exception of the Java Card API, carrying a reason code. */
public class CardException extends Exception {
  private short reason;

  public CardException(short reason) {
    this.reason = reason;
  }

  public short getReason() {
    return reason;
  }

  public void setReason(short reason) {
    this.reason = reason;
  }

  /** Throws the Java Card runtime environment's instance of CardException with the reason. */
  public static native void throwIt(short reason) throws CardException;
}
