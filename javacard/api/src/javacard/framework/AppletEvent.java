package javacard.framework;

/** Life cycle callbacks: uninstall() is called before the applet instance is deleted. */
public interface AppletEvent {
  void uninstall();
}
