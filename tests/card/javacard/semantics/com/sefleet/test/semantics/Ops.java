package com.sefleet.test.semantics;

import javacard.framework.ISOException;
import javacard.framework.Util;

/** Static methods the VM tests call one by one; each exercises one family of bytecodes. */
public final class Ops {
  // Filled by the static initialiser (javac emits newarray + bastore/sastore sequences).
  static final byte[] TABLE = {1, 2, 3, (byte) 0xFF, 0x7F, (byte) 0x80};
  static final short[] WORDS = {(short) 0x1234, -2, 32767, (short) 0x8000};
  static short counter;
  static Object sink;

  private Ops() {}

  public static int add(int a, int b) { return a + b; }
  public static int sub(int a, int b) { return a - b; }
  public static int mul(int a, int b) { return a * b; }
  public static int div(int a, int b) { return a / b; }
  public static int rem(int a, int b) { return a % b; }
  public static int neg(int a) { return -a; }
  public static int shl(int a, int b) { return a << b; }
  public static int shr(int a, int b) { return a >> b; }
  public static int ushr(int a, int b) { return a >>> b; }
  public static int and(int a, int b) { return a & b; }
  public static int or(int a, int b) { return a | b; }
  public static int xor(int a, int b) { return a ^ b; }

  // Java Card style: 16-bit arithmetic narrowed by javac (i2s / i2b).
  public static short addShort(short a, short b) { return (short) (a + b); }
  public static short mulShort(short a, short b) { return (short) (a * b); }
  public static byte addByte(byte a, byte b) { return (byte) (a + b); }
  public static short shiftShort(short a, byte n) { return (short) (a >> n); }
  public static short unsignedShiftShort(short a, byte n) { return (short) ((a & 0xFFFF) >>> n); }
  public static int narrowInt(int value) { return (short) value + (byte) value; }

  public static int incr(int a) { a += 100; a -= 3; a++; return a; }
  public static int bigIncrement(int a) { a += 1000; return a; }
  public static int constants() { return -1 + 0 + 1 + 2 + 3 + 4 + 5 + 100 + 30000 + 100000; }

  public static int compare(int a, int b) {
    int r = 0;
    if (a == b) r |= 1;
    if (a != b) r |= 2;
    if (a < b) r |= 4;
    if (a >= b) r |= 8;
    if (a > b) r |= 16;
    if (a <= b) r |= 32;
    if (a == 0) r |= 64;
    if (a != 0) r |= 128;
    if (a < 0) r |= 256;
    if (a >= 0) r |= 512;
    if (a > 0) r |= 1024;
    if (a <= 0) r |= 2048;
    return r;
  }

  public static int dense(int k) {
    switch (k) {
      case 0: return 10;
      case 1: return 11;
      case 2: return 12;
      case 3: return 13;
      case 5: return 15;
      default: return -1;
    }
  }

  public static int sparse(int k) {
    switch (k) {
      case -100000: return 1;
      case -5: return 2;
      case 7: return 3;
      case 1000: return 4;
      case 65536: return 5;
      default: return 0;
    }
  }

  public static int loop(int n) {
    int sum = 0;
    for (int i = 0; i < n; i++) {
      sum += i * 3 ^ (i >> 1);
    }
    return sum;
  }

  public static int endless() {
    int i = 0;
    while (i >= 0) {
      i = (i + 1) & 0x7FFF;
    }
    return i;
  }

  public static int recurse(int depth) {
    return depth == 0 ? 0 : 1 + recurse(depth - 1);
  }

  public static int table(short index) { return TABLE[index] + WORDS[index & 3]; }
  public static int tableLength() { return TABLE.length * 100 + WORDS.length; }

  public static int arrays(short n) {
    byte[] b = new byte[n];
    short[] s = new short[n];
    int[] i = new int[n];
    boolean[] z = new boolean[n];
    Object[] o = new Object[n];
    for (short k = 0; k < n; k++) {
      b[k] = (byte) (k * 70);
      s[k] = (short) (k * 3000);
      i[k] = k * 100000;
      z[k] = (k & 1) == 1;
      o[k] = (k & 1) == 1 ? null : b;
    }
    int sum = 0;
    for (short k = 0; k < n; k++) {
      sum += b[k] + s[k] + i[k] + (z[k] ? 1 : 0) + (o[k] == b ? 7 : 0);
    }
    return sum + b.length + s.length + i.length + z.length + o.length;
  }

  public static int arrayIndex(short index) {
    byte[] b = new byte[4];
    return b[index];
  }

  public static int negativeSize(short n) {
    byte[] b = new byte[n];
    return b.length;
  }

  public static int nullField() {
    Shape shape = null;
    return shape.sides;
  }

  public static int nullArray() {
    byte[] b = null;
    return b.length;
  }

  public static int arrayStore() {
    Object[] squares = new Square[2];
    squares[0] = new Square((short) 2);
    squares[1] = new Triangle();
    return 0;
  }

  public static int cast(short kind) {
    Object o = kind == 0 ? (Object) new Square((short) 3) : (kind == 1 ? (Object) new Triangle() : (Object) new byte[1]);
    Shape s = (Shape) o;
    return s.sides;
  }

  public static int instanceOf(short kind) {
    Object o = kind == 0 ? (Object) new Square((short) 3) : (kind == 1 ? (Object) new Triangle() : (Object) new byte[1]);
    int r = 0;
    if (o instanceof Shape) r |= 1;
    if (o instanceof Square) r |= 2;
    if (o instanceof Named) r |= 4;
    if (o instanceof byte[]) r |= 8;
    if (o instanceof Object) r |= 16;
    return r;
  }

  public static int virtualCalls() {
    Shape[] shapes = {new Square((short) 4), new Triangle(), new Shape((short) 7)};
    int sum = 0;
    for (short k = 0; k < shapes.length; k++) {
      sum = sum * 100 + shapes[k].area();
    }
    return sum;
  }

  public static int interfaceCalls() {
    Named a = new Square((short) 5);
    Named b = new Triangle();
    return a.code() * 10 + b.code();
  }

  public static int superCall() {
    return new Square((short) 6).describe();
  }

  public static int caught(short kind) {
    try {
      return thrower(kind);
    } catch (ArithmeticException e) {
      return 1;
    } catch (ArrayIndexOutOfBoundsException e) {
      return 2;
    } catch (NullPointerException e) {
      return 3;
    } catch (ISOException e) {
      return e.getReason();
    } catch (RuntimeException e) {
      return 5;
    }
  }

  private static int thrower(short kind) {
    byte[] b = new byte[1];
    switch (kind) {
      case 0: return 1 / (kind - kind);
      case 1: return b[(short) (kind + 1)];
      case 2: b = null; return b[0];
      case 3: ISOException.throwIt((short) 0x6A88); return 0;
      case 4: throw new MyException();
      default: return 100;
    }
  }

  public static int finallyOrder() {
    counter = 0;
    try {
      try {
        counter = (short) (counter * 10 + 1);
        ISOException.throwIt((short) 0x6985);
      } finally {
        counter = (short) (counter * 10 + 2);
      }
    } catch (ISOException e) {
      counter = (short) (counter * 10 + 3);
    } finally {
      counter = (short) (counter * 10 + 4);
    }
    return counter;
  }

  public static int catchAll() {
    try {
      Object o = new Triangle();
      Square s = (Square) o;
      return s.sides;
    } catch (Exception e) {
      return e instanceof ClassCastException ? 77 : 78;
    }
  }

  public static int uncaught() {
    ISOException.throwIt((short) 0x6A82);
    return 0;
  }

  public static int storeStatic(short value) {
    counter = value;
    sink = new byte[3];
    return counter;
  }

  public static int readStatic() { return counter; }

  public static int stack(int a, int b) {
    int[] cell = new int[1];
    cell[0] = a;
    int x = cell[0] += b;      // dup_x2
    int y = a++ + ++a;         // iinc
    Square s = new Square((short) 1);
    int z = s.sides += 2;      // dup_x1
    return x * 1000000 + y * 1000 + z;
  }

  public static int util() {
    byte[] a = {1, 2, 3, 4, 5};
    byte[] c = new byte[8];
    short end = Util.arrayCopy(a, (short) 1, c, (short) 2, (short) 3);
    Util.arrayFillNonAtomic(c, (short) 5, (short) 3, (byte) 9);
    short s = Util.setShort(c, (short) 0, (short) 0x0102);
    int r = Util.arrayCompare(a, (short) 0, c, (short) 0, (short) 2);
    return end * 1000000 + s * 10000 + (r + 1) * 1000 + c[7] * 10 + Util.getShort(c, (short) 2) + Util.makeShort((byte) 0, (byte) 5);
  }

  public static int objectEquals() {
    Square a = new Square((short) 1);
    Object b = a;
    byte[] arr = new byte[1];
    Object c = arr;
    return (a.equals(b) ? 1 : 0) + (a.equals(new Square((short) 1)) ? 2 : 0) + (c.equals(arr) ? 4 : 0);
  }
}
