package javacard.framework;

/** Array and byte-order helpers. The copies and fills are implemented by the VM. */
public class Util {
  private Util() {}

  /** Copies length bytes atomically (one transaction when dest is persistent); returns destOff+length. */
  public static final native short arrayCopy(byte[] src, short srcOff, byte[] dest, short destOff, short length)
      throws ArrayIndexOutOfBoundsException, NullPointerException, TransactionException;

  /** Copies length bytes without the transaction facility; returns destOff+length. */
  public static final native short arrayCopyNonAtomic(byte[] src, short srcOff, byte[] dest, short destOff,
      short length) throws ArrayIndexOutOfBoundsException, NullPointerException;

  /** Fills bLen bytes with bValue without the transaction facility; returns bOff+bLen. */
  public static final native short arrayFillNonAtomic(byte[] bArray, short bOff, short bLen, byte bValue)
      throws ArrayIndexOutOfBoundsException, NullPointerException;

  /** Compares length bytes as unsigned values: 0 equal, -1 src smaller, 1 src greater. */
  public static final native byte arrayCompare(byte[] src, short srcOff, byte[] dest, short destOff, short length)
      throws ArrayIndexOutOfBoundsException, NullPointerException;

  /** b1 (high byte) and b2 (low byte) as a short. */
  public static final short makeShort(byte b1, byte b2) {
    return (short) (((b1 & 0xFF) << 8) | (b2 & 0xFF));
  }

  /** The big-endian short at bOff. */
  public static final short getShort(byte[] bArray, short bOff)
      throws NullPointerException, ArrayIndexOutOfBoundsException {
    return (short) (((bArray[bOff] & 0xFF) << 8) | (bArray[(short) (bOff + 1)] & 0xFF));
  }

  /** Stores sValue big-endian at bOff (both bytes atomically); returns bOff+2. */
  public static final native short setShort(byte[] bArray, short bOff, short sValue)
      throws TransactionException, NullPointerException, ArrayIndexOutOfBoundsException;
}
