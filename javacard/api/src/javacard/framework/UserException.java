package javacard.framework;

/** A checked exception an applet defines the reasons of. */
public class UserException extends CardException {
  public UserException() {
    super((short) 0);
  }

  public UserException(short reason) {
    super(reason);
  }

  /** Throws the Java Card runtime environment's instance of UserException with the reason. */
  public static native void throwIt(short reason) throws UserException;
}
