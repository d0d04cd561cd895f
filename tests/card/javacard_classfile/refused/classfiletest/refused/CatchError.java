package classfiletest.refused;

/** A handler for java.lang.Error, which Java Card does not have. */
public class CatchError {
  static short attempt(byte[] data) {
    try {
      return data[0];
    } catch (Error e) {
      return -1;
    }
  }
}
