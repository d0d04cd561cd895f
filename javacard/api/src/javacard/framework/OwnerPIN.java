package javacard.framework;

/**
 * The owner's PIN: value, try limit and try counter. The try counter and the validated flag do not
 * take part in transactions (the counter is written with arrayFillNonAtomic, so a failed presentation
 * counts even if the applet aborts its transaction); the validated flag lives in a CLEAR_ON_RESET
 * transient array.
 */
public class OwnerPIN implements PIN {
  byte tryLimit;
  final byte maxPINSize;
  final byte[] pinValue;
  byte pinLength;
  // triesLeft[0]: persistent, written non-atomically; validated[0]: CLEAR_ON_RESET.
  final byte[] triesLeft;
  private final boolean[] validated;

  public OwnerPIN(byte tryLimit, byte maxPINSize) throws PINException {
    if (tryLimit < 1 || maxPINSize < 1) {
      PINException.throwIt(PINException.ILLEGAL_VALUE);
    }
    this.tryLimit = tryLimit;
    this.maxPINSize = maxPINSize;
    pinValue = new byte[maxPINSize];
    triesLeft = new byte[1];
    triesLeft[0] = tryLimit;
    validated = JCSystem.makeTransientBooleanArray((short) 1, JCSystem.CLEAR_ON_RESET);
  }

  protected boolean getValidatedFlag() {
    return validated[0];
  }

  protected void setValidatedFlag(boolean value) {
    validated[0] = value;
  }

  public byte getTriesRemaining() {
    return triesLeft[0];
  }

  /**
   * Presents a PIN: false when blocked; otherwise the try counter is decremented first, then reset to
   * the limit (and the validated flag set) when the PIN matches.
   */
  public boolean check(byte[] pin, short offset, byte length)
      throws ArrayIndexOutOfBoundsException, NullPointerException {
    setValidatedFlag(false);
    if (triesLeft[0] == 0) {
      return false;
    }
    setTries((byte) (triesLeft[0] - 1));
    return compareAndValidate(pin, offset, length);
  }

  // The comparison after the try counter was decremented (by check() or decrementTriesRemaining()).
  boolean compareAndValidate(byte[] pin, short offset, byte length) {
    if (length != pinLength || Util.arrayCompare(pin, offset, pinValue, (short) 0, length) != 0) {
      return false;
    }
    setTries(tryLimit);
    setValidatedFlag(true);
    return true;
  }

  void setTries(byte tries) {
    Util.arrayFillNonAtomic(triesLeft, (short) 0, (short) 1, tries);
  }

  public boolean isValidated() {
    return getValidatedFlag();
  }

  /** When validated: clears the validated flag and resets the try counter to the limit. */
  public void reset() {
    if (getValidatedFlag()) {
      setValidatedFlag(false);
      setTries(tryLimit);
    }
  }

  /** Sets a new PIN value, resets the try counter and clears the validated flag. */
  public void update(byte[] pin, short offset, byte length) throws PINException {
    if (length < 0 || length > maxPINSize) {
      PINException.throwIt(PINException.ILLEGAL_VALUE);
    }
    Util.arrayCopy(pin, offset, pinValue, (short) 0, length);
    pinLength = length;
    setTries(tryLimit);
    setValidatedFlag(false);
  }

  /** Resets the try counter to the limit and clears the validated flag (unblocks the PIN). */
  public void resetAndUnblock() {
    setTries(tryLimit);
    setValidatedFlag(false);
  }
}
