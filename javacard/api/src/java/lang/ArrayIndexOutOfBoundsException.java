package java.lang;

/** Thrown by the virtual machine for an array access with an index outside the array. */
public class ArrayIndexOutOfBoundsException extends IndexOutOfBoundsException {
  public ArrayIndexOutOfBoundsException() {}
}
