package classfiletest.refused;

/** float and double in fields, descriptors, arithmetic, arrays and constants. */
public class FloatValues {
  double ratio;

  static float half(float x) {
    return x / 2f;
  }

  static int circle(int radius) {
    return (int) (radius * 3.14159);
  }

  static int floats() {
    float[] values = new float[2];
    return values.length;
  }
}
