package classfiletest.refused;

/** A string literal, a String parameter and a call on it, and string concatenation. */
public class StringUse {
  static Object name() {
    return "applet";
  }

  static int length(String text) {
    return text.length();
  }

  static Object concat(int value) {
    return "value " + value;
  }
}
