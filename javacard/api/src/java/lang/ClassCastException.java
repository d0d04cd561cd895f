package java.lang;

/** Thrown by the virtual machine when checkcast finds an object that is not an instance of the class. */
public class ClassCastException extends RuntimeException {
  public ClassCastException() {}
}
