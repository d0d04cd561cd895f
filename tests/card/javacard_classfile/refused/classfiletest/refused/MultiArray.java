package classfiletest.refused;

/** A multi-dimensional array creation (multianewarray). */
public class MultiArray {
  static Object grid() {
    return new short[2][3];
  }
}
