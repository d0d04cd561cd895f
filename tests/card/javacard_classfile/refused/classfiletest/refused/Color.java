package classfiletest.refused;

/** An enum. */
public enum Color {
  RED,
  GREEN
}
