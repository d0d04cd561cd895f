package java.lang.annotation;

/** Compile-only: the supertype of annotation types (needed by java.lang.Deprecated). */
public interface Annotation {}
