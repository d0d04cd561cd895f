package javacard.framework;

/** The base class of every Java Card applet. */
public abstract class Applet {
  protected Applet() {}

  /**
   * Creates the applet instance at INSTALL [for install]: bArray holds the instance AID, the control
   * information and the applet data, each preceded by its length. The instance must call register().
   */
  public static void install(byte[] bArray, short bOffset, byte bLength) throws ISOException {
    ISOException.throwIt(ISO7816.SW_FUNC_NOT_SUPPORTED);
  }

  /** Processes one command APDU (SELECT of this applet included). */
  public abstract void process(APDU apdu) throws ISOException;

  /** Called before the applet is selected; false refuses the selection (6999). */
  public boolean select() {
    return true;
  }

  /** Called when the applet is deselected. */
  public void deselect() {}

  /** The object another applet gets from JCSystem.getAppletShareableInterfaceObject (null: none). */
  public Shareable getShareableInterfaceObject(AID clientAID, byte parameter) {
    return null;
  }

  /** Registers this instance with the instance AID of the INSTALL command. */
  protected final native void register() throws SystemException;

  /** Registers this instance with the given AID (it must be the instance AID of the INSTALL command). */
  protected final native void register(byte[] bArray, short bOffset, byte bLength) throws SystemException;

  /** True while process() handles the SELECT command that selected this applet. */
  protected final native boolean selectingApplet();

  /** True while the SELECT being handled re-selects this applet on the same channel. */
  protected final native boolean reSelectingApplet();
}
