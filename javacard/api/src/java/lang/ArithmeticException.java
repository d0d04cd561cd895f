package java.lang;

/** Thrown by the virtual machine for an exceptional arithmetic condition (division by zero). */
public class ArithmeticException extends RuntimeException {
  public ArithmeticException() {}
}
