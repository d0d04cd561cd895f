package classfiletest.accepted;

/** A final subclass whose constructor calls the superclass constructor with an argument; a constant. */
public final class ByTwo extends Base {
  public static final short STEP = 2;

  public ByTwo() {
    super((short) 0);
  }

  public short step() {
    return STEP;
  }

  public static short run(Counter counter) {
    return counter.next();
  }
}
