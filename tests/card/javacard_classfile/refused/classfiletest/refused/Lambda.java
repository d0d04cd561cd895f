package classfiletest.refused;

/** A lambda: invokedynamic. */
public class Lambda {
  interface Operation {
    int apply(int x);
  }

  static Operation twice() {
    return x -> 2 * x;
  }
}
