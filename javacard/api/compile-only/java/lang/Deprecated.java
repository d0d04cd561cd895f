package java.lang;

/** Compile-only: javac looks the annotation type up while compiling any member. */
public @interface Deprecated {}
