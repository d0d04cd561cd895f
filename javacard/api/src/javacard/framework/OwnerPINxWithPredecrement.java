package javacard.framework;

/** An owner PIN whose try counter the applet decrements before presenting a PIN with check(). */
public interface OwnerPINxWithPredecrement extends OwnerPINx {
  byte decrementTriesRemaining();

  boolean check(byte[] pin, short offset, byte length) throws ArrayIndexOutOfBoundsException, NullPointerException;
}
