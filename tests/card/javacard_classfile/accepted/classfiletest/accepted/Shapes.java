package classfiletest.accepted;

/**
 * Bytecode shapes javac writes for Java Card-style code: loops, both switch forms, try/catch/finally,
 * nested handlers, an inner class (which stores its outer instance before calling super()), a
 * conditional expression inside constructor arguments (a branch while the new object is on the
 * stack), every array kind Java Card has, the dup forms of compound assignments, and a static
 * initialiser that fills an array. Verified by tests/card/unit/javacard_classfile_subset_test.cpp.
 */
public class Shapes {
  private static final byte[] TABLE = {1, 2, 3, 4, 5, 6, 7, 8};
  private static final short[] SHORTS = new short[4];
  private static short counter;
  private final byte[] buffer;
  private int total;
  private Object last;

  public Shapes(short size) {
    buffer = new byte[size];
  }

  public static Shapes create(boolean big) {
    return new Shapes(big ? (short) 64 : (short) 8);
  }

  public short sum(byte[] data, short offset, short length) {
    short result = 0;
    for (short i = 0; i < length; i++) {
      result = (short) (result + (data[(short) (offset + i)] & 0xFF));
    }
    return result;
  }

  public int dense(int selector) {
    switch (selector) {
      case 0: return 10;
      case 1: return 11;
      case 2: return 12;
      case 3: return 13;
      default: return -1;
    }
  }

  public int sparse(short selector) {
    switch (selector) {
      case -1000: return 1;
      case 7: return 2;
      case 30000: return 3;
      default: return 0;
    }
  }

  public static int arithmetic(int a, int b) {
    int x = a * b + (a >> 3) - (b >>> 2) ^ (a | b) & ~a;
    x = x << (b & 31);
    x %= 7 + (b == 0 ? 1 : b);
    byte y = (byte) x;
    short z = (short) (y + x);
    char c = (char) z;
    return x / (b | 1) + z + c - (-a);
  }

  public boolean flags(boolean a, boolean b) {
    return a && !b || (a ^ b);
  }

  public short guarded(short value) {
    try {
      if (value < 0) {
        throw new ArithmeticException();
      }
      return (short) (100 / value);
    } catch (ArithmeticException e) {
      return -1;
    } finally {
      counter++;
    }
  }

  public int nestedTry(short value) {
    int result = 0;
    try {
      try {
        result = 10 / value;
      } finally {
        result++;
      }
    } catch (RuntimeException e) {
      result = -result;
    }
    return result;
  }

  public Object pick(Object a, Object b, boolean first) {
    Object chosen = first ? a : b;
    if (chosen instanceof Shapes) {
      last = chosen;
      return (Shapes) chosen;
    }
    return chosen == null ? this : chosen;
  }

  public void fill(short value) {
    for (short i = 0; i < SHORTS.length; i++) {
      SHORTS[i] = value;
    }
    boolean[] bits = new boolean[3];
    bits[1] = true;
    int[] ints = {1, 2};
    ints[0] += ints[1];
    Object[] objects = new Object[2];
    objects[0] = this;
    total += objects.length + ints[0] + (bits[1] ? 1 : 0) + TABLE[2];
  }

  public void loops(byte[] data) {
    outer:
    for (short i = 0; i < data.length; i++) {
      for (short j = 0; j < 3; j++) {
        if (data[i] == j) {
          continue outer;
        }
        if (data[i] < 0) {
          break outer;
        }
      }
      data[i] = 0;
    }
  }

  public void dupForms() {
    int[] a = new int[2];
    a[0]++;
    short s = SHORTS[0]++;
    total += s;
    buffer[0] += 3;
    int q = total++ + ++total;
    last = buffer;
    total = q;
  }

  public void rethrow(Exception e) throws Exception {
    throw e;
  }

  private class Inner {
    int get() {
      return total;
    }
  }

  public int inner() {
    return new Inner().get();
  }
}
