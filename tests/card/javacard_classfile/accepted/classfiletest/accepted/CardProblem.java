package classfiletest.accepted;

/** An exception of the applet's own, thrown and caught as Java Card code does. */
public class CardProblem extends RuntimeException {
  private final short reason;

  public CardProblem(short reason) {
    this.reason = reason;
  }

  public short reason() {
    return reason;
  }

  public static short attempt(short value) {
    try {
      if (value == 0) {
        throw new CardProblem((short) 0x6A80);
      }
      return value;
    } catch (CardProblem problem) {
      return problem.reason();
    }
  }
}
