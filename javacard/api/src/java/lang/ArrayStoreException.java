package java.lang;

/** Thrown by the virtual machine when a reference of the wrong type is stored into an array of references. */
public class ArrayStoreException extends RuntimeException {
  public ArrayStoreException() {}
}
