package java.lang;

/** Compile-only: javac needs the type to exist; Java Card has no Error. */
public class Error extends Throwable {
  public Error() {}
}
