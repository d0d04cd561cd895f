package java.lang;

/** Compile-only: javac needs the type to exist (array types implement it). */
public interface Cloneable {}
