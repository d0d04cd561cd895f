package classfiletest.refused;

/** An assert statement (Class.desiredAssertionStatus and AssertionError). */
public class Assertion {
  static void check(int x) {
    assert x > 0;
  }
}
