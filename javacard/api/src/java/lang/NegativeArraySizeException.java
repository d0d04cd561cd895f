package java.lang;

/** Thrown by the virtual machine when an array is created with a negative size. */
public class NegativeArraySizeException extends RuntimeException {
  public NegativeArraySizeException() {}
}
