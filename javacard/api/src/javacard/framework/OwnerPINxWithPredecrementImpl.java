package javacard.framework;

// OwnerPINBuilder.OWNER_PIN_X_WITH_PREDECREMENT: the applet decrements the try counter with
// decrementTriesRemaining() before each check(); check() without it is ILLEGAL_STATE.
final class OwnerPINxWithPredecrementImpl extends OwnerPINxImpl implements OwnerPINxWithPredecrement {
  private final boolean[] decremented;

  OwnerPINxWithPredecrementImpl(byte tryLimit, byte maxPINSize) {
    super(tryLimit, maxPINSize);
    decremented = JCSystem.makeTransientBooleanArray((short) 1, JCSystem.CLEAR_ON_RESET);
  }

  public byte decrementTriesRemaining() {
    if (triesLeft[0] > 0) {
      setTries((byte) (triesLeft[0] - 1));
      decremented[0] = true;
    }
    return triesLeft[0];
  }

  public boolean check(byte[] pin, short offset, byte length)
      throws ArrayIndexOutOfBoundsException, NullPointerException {
    setValidatedFlag(false);
    if (!decremented[0]) {
      if (triesLeft[0] == 0) {
        return false;
      }
      PINException.throwIt(PINException.ILLEGAL_STATE);
    }
    decremented[0] = false;
    return compareAndValidate(pin, offset, length);
  }
}
