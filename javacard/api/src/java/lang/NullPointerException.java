package java.lang;

/** Thrown by the virtual machine when null is used where an object is required. */
public class NullPointerException extends RuntimeException {
  public NullPointerException() {}
}
