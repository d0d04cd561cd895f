package classfiletest.refused;

/** Classes of the Java platform that Java Card does not have. */
public class PlatformClasses {
  static void spawn() {
    new Thread().start();
  }

  static void copy(byte[] from, byte[] to) {
    System.arraycopy(from, 0, to, 0, 4);
  }

  static int larger(int a, int b) {
    return Math.max(a, b);
  }

  static Object box(int value) {
    return value;
  }

  static Object method() throws Exception {
    return PlatformClasses.class.getMethod("spawn");
  }
}
