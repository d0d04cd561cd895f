package java.lang;

/** The superclass of every exception and error the virtual machine can throw. */
public class Throwable {
  public Throwable() {}
}
