package classfiletest.accepted;

/** An abstract class implementing an interface, with an abstract method called from a concrete one. */
public abstract class Base implements Counter {
  protected short value;

  protected Base(short start) {
    value = start;
  }

  public abstract short step();

  public short next() {
    value += step();
    return value;
  }
}
