package java.lang;

/** Compile-only: javac needs the type to exist; Java Card has no String. */
public final class String {
  private String() {}
}
