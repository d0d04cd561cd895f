package javacard.framework;

/** Implemented by applets that may be selected on several logical channels at once. */
public interface MultiSelectable {
  /** Selection while this instance or another of its package is active on another channel. */
  boolean select(boolean appInstAlreadyActive);

  /** Deselection while this instance or another of its package stays active on another channel. */
  void deselect(boolean appInstStillActive);
}
