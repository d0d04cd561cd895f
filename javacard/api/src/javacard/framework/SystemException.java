package javacard.framework;

/** A failure of a JCSystem or Applet service. */
public class SystemException extends CardRuntimeException {
  public static final short ILLEGAL_VALUE = 1;
  public static final short NO_TRANSIENT_SPACE = 2;
  public static final short ILLEGAL_TRANSIENT = 3;
  public static final short ILLEGAL_AID = 4;
  public static final short NO_RESOURCE = 5;
  public static final short ILLEGAL_USE = 6;

  public SystemException(short reason) {
    super(reason);
  }

  /** Throws the Java Card runtime environment's instance of SystemException with the reason. */
  public static native void throwIt(short reason) throws SystemException;
}
