package classfiletest.refused;

/** long in a field, a descriptor, arithmetic, locals, conversions and a constant. */
public class LongValues {
  static long total;

  static long add(long a, long b) {
    return a + b;
  }

  static int narrow(int x) {
    long y = x;
    return (int) y;
  }

  static int big(int x) {
    return (int) (x + 123456789012L);
  }
}
