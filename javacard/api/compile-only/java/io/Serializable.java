package java.io;

/** Compile-only: javac needs the type to exist (array types implement it). */
public interface Serializable {}
