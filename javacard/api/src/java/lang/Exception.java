package java.lang;

/** Conditions an applet might want to catch. */
public class Exception extends Throwable {
  public Exception() {}
}
