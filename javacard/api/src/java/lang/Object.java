package java.lang;

/** The root of the class hierarchy (Java Card subset: no hashCode, toString, wait or notify). */
public class Object {
  public Object() {}

  /** Reference equality, as in Java Card. */
  public boolean equals(Object obj) {
    return this == obj;
  }
}
