package java.lang;

/** Compile-only: javac needs the type to exist; Java Card has no Class. */
public final class Class {
  private Class() {}
}
