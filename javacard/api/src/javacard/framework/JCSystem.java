package javacard.framework;

/**
 * System services: transactions, transient and global arrays, the applet's AID, object deletion,
 * memory and inter-applet object sharing. Implemented by the VM.
 */
public final class JCSystem {
  public static final byte NOT_A_TRANSIENT_OBJECT = 0;
  public static final byte CLEAR_ON_RESET = 1;
  public static final byte CLEAR_ON_DESELECT = 2;

  public static final byte MEMORY_TYPE_PERSISTENT = 0;
  public static final byte MEMORY_TYPE_TRANSIENT_RESET = 1;
  public static final byte MEMORY_TYPE_TRANSIENT_DESELECT = 2;

  public static final byte ARRAY_TYPE_BOOLEAN = 1;
  public static final byte ARRAY_TYPE_BYTE = 2;
  public static final byte ARRAY_TYPE_SHORT = 3;
  public static final byte ARRAY_TYPE_INT = 4;
  public static final byte ARRAY_TYPE_OBJECT = 5;

  private JCSystem() {}

  public static native byte isTransient(Object theObj);

  public static native boolean[] makeTransientBooleanArray(short length, byte event)
      throws NegativeArraySizeException, SystemException;

  public static native byte[] makeTransientByteArray(short length, byte event)
      throws NegativeArraySizeException, SystemException;

  public static native short[] makeTransientShortArray(short length, byte event)
      throws NegativeArraySizeException, SystemException;

  public static native Object[] makeTransientObjectArray(short length, byte event)
      throws NegativeArraySizeException, SystemException;

  public static native Object makeGlobalArray(byte type, short length) throws SystemException;

  /** The Java Card version the VM implements: 3.0.5 as 0x0305. */
  public static short getVersion() {
    return (short) 0x0305;
  }

  public static native AID getAID();

  public static native AID lookupAID(byte[] buffer, short offset, byte length);

  public static native void beginTransaction() throws TransactionException;

  public static native void abortTransaction() throws TransactionException;

  public static native void commitTransaction() throws TransactionException;

  public static native byte getTransactionDepth();

  public static native short getUnusedCommitCapacity();

  public static native short getMaxCommitCapacity();

  public static native AID getPreviousContextAID();

  public static native short getAvailableMemory(byte memoryType) throws SystemException;

  public static native void getAvailableMemory(short[] buffer, short offset, byte memoryType) throws SystemException;

  public static native Shareable getAppletShareableInterfaceObject(AID serverAID, byte parameter);

  public static boolean isObjectDeletionSupported() {
    return true;
  }

  public static native void requestObjectDeletion() throws SystemException;

  public static native byte getAssignedChannel();

  public static native boolean isAppletActive(AID theApplet);
}
