package javacard.framework;

/**
 * An application identifier (ISO 7816-5): 5 to 16 bytes, the first 5 the registered application
 * provider identifier (RID). The Java Card runtime environment's AID objects are permanent entry
 * point objects: any context may call their methods.
 */
public class AID {
  // The AID bytes; the VM fills it for the AIDs it creates (JCSystem.getAID, lookupAID).
  final byte[] aid;

  public AID(byte[] bArray, short offset, byte length)
      throws SystemException, NullPointerException, ArrayIndexOutOfBoundsException, SecurityException {
    if (length < 5 || length > 16) {
      SystemException.throwIt(SystemException.ILLEGAL_VALUE);
    }
    aid = new byte[length];
    Util.arrayCopy(bArray, offset, aid, (short) 0, length);
  }

  /** Copies the AID bytes to dest at offset; returns their number. */
  public final byte getBytes(byte[] dest, short offset) throws NullPointerException, ArrayIndexOutOfBoundsException {
    Util.arrayCopy(aid, (short) 0, dest, offset, (short) aid.length);
    return (byte) aid.length;
  }

  /** True when anObject is an AID with the same bytes. */
  public final native boolean equals(Object anObject) throws SecurityException;

  /** True when bArray is not null and its length bytes at offset are this AID's bytes. */
  public final boolean equals(byte[] bArray, short offset, byte length) throws ArrayIndexOutOfBoundsException {
    if (bArray == null || length != aid.length) {
      return false;
    }
    return Util.arrayCompare(aid, (short) 0, bArray, offset, length) == 0;
  }

  /** True when bArray is not null and this AID starts with its length bytes at offset. */
  public final boolean partialEquals(byte[] bArray, short offset, byte length) throws ArrayIndexOutOfBoundsException {
    if (bArray == null || length > aid.length) {
      return false;
    }
    return Util.arrayCompare(aid, (short) 0, bArray, offset, length) == 0;
  }

  /** True when otherAID is not null and has the same first 5 bytes (the RID). */
  public final native boolean RIDEquals(AID otherAID) throws SecurityException;

  /**
   * Copies oLength bytes of the AID starting at aidOffset (all the rest when oLength is 0) to dest at
   * oOffset; returns the number copied.
   */
  public final byte getPartialBytes(short aidOffset, byte[] dest, short oOffset, byte oLength)
      throws NullPointerException, ArrayIndexOutOfBoundsException {
    short count = oLength;
    if (oLength == 0) {
      count = (short) (aid.length - aidOffset);
    }
    Util.arrayCopy(aid, aidOffset, dest, oOffset, count);
    return (byte) count;
  }
}
