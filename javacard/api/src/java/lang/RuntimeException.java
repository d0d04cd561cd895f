package java.lang;

/** Exceptions that may be thrown during normal operation of the virtual machine. */
public class RuntimeException extends Exception {
  public RuntimeException() {}
}
