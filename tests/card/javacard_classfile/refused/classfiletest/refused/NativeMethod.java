package classfiletest.refused;

/** A native method: refused in applet code, accepted for the card's own classes (VerifyOptions). */
public class NativeMethod {
  static native short poke(byte[] buffer, short offset);
}
