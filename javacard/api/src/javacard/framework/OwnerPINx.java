package javacard.framework;

/** An owner PIN whose value, try limit and remaining tries the owner may change. */
public interface OwnerPINx extends PIN {
  void update(byte[] pin, short offset, byte length) throws PINException;

  byte getTryLimit();

  void setTryLimit(byte tryLimit);

  void setTriesRemaining(byte triesRemaining);

  void resetAndUnblock();
}
