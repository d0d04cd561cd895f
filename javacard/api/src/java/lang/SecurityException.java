package java.lang;

/** Thrown by the virtual machine on a security violation: an access the applet firewall forbids. */
public class SecurityException extends RuntimeException {
  public SecurityException() {}
}
