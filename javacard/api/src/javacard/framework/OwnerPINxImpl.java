package javacard.framework;

// OwnerPINBuilder.OWNER_PIN_X: an OwnerPIN whose try limit and remaining tries the owner may set.
class OwnerPINxImpl extends OwnerPIN implements OwnerPINx {
  OwnerPINxImpl(byte tryLimit, byte maxPINSize) {
    super(tryLimit, maxPINSize);
  }

  public byte getTryLimit() {
    return tryLimit;
  }

  public void setTryLimit(byte limit) {
    if (limit < 1) {
      PINException.throwIt(PINException.ILLEGAL_VALUE);
    }
    tryLimit = limit;
    if (triesLeft[0] > limit) {
      setTries(limit);
    }
  }

  public void setTriesRemaining(byte tries) {
    if (tries < 0 || tries > tryLimit) {
      PINException.throwIt(PINException.ILLEGAL_VALUE);
    }
    setTries(tries);
  }
}
