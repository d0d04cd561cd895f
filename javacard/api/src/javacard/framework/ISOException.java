package javacard.framework;

/** An ISO 7816-4 status word: uncaught, the card answers it as the command's status. */
public class ISOException extends CardRuntimeException {
  public ISOException(short sw) {
    super(sw);
  }

  /** Throws the Java Card runtime environment's instance of ISOException with the status word. */
  public static native void throwIt(short sw);
}
