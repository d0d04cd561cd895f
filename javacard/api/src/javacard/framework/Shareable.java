package javacard.framework;

/** Marks interfaces whose methods may be invoked through the applet firewall. */
public interface Shareable {}
