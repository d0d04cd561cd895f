package javacard.framework;

/** Builds the owner PIN kinds of Java Card 3.0.5. */
public class OwnerPINBuilder {
  public static final byte OWNER_PIN = 1;
  public static final byte OWNER_PIN_X = 2;
  public static final byte OWNER_PIN_X_WITH_PREDECREMENT = 3;

  private OwnerPINBuilder() {}

  /** A new PIN of the kind ownerPINType, not validated; PINException.ILLEGAL_VALUE for an unknown kind. */
  public static PIN buildOwnerPIN(byte tryLimit, byte maxPINSize, byte ownerPINType) throws PINException {
    switch (ownerPINType) {
      case OWNER_PIN:
        return new OwnerPIN(tryLimit, maxPINSize);
      case OWNER_PIN_X:
        return new OwnerPINxImpl(tryLimit, maxPINSize);
      case OWNER_PIN_X_WITH_PREDECREMENT:
        return new OwnerPINxWithPredecrementImpl(tryLimit, maxPINSize);
      default:
        PINException.throwIt(PINException.ILLEGAL_VALUE);
        return null;
    }
  }
}
