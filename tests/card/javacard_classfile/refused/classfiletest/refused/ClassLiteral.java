package classfiletest.refused;

/** A class literal and getClass(): reflection. */
public class ClassLiteral {
  static Object type() {
    return ClassLiteral.class;
  }

  static Object typeOf(Object object) {
    return object.getClass();
  }
}
