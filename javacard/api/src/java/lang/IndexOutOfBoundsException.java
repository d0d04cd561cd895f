package java.lang;

/** An index of some sort (an array index) is out of range. */
public class IndexOutOfBoundsException extends RuntimeException {
  public IndexOutOfBoundsException() {}
}
