package org.sefleet.jcre.security;

/**
 * Argument checks shared by the implementation classes, done before any state changes or any native
 * call so that a bad call leaves the object untouched.
 */
final class Bounds {
  private Bounds() {
  }

  /**
   * Throws NullPointerException when {@code buffer} is null and ArrayIndexOutOfBoundsException
   * when {@code [offset, offset + length)} is not inside it.
   */
  static void check(byte[] buffer, short offset, short length) {
    int size = buffer.length; // NullPointerException for a null buffer
    if (offset < 0 || length < 0 || offset + length > size) {
      outOfBounds(buffer);
    }
  }

  /**
   * Throws the runtime's ArrayIndexOutOfBoundsException: a store at index {@code length} is
   * refused by the VM before anything is written.
   */
  static void outOfBounds(byte[] buffer) {
    buffer[buffer.length] = 0;
  }
}
