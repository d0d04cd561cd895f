package classfiletest.accepted;

/** An interface called through invokeinterface. */
public interface Counter {
  short next();
}
