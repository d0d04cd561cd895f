package org.sefleet.deferred;

/**
 * A deferred task: a named piece of work of one applet that it schedules for "after this response"
 * with {@link DeferredExecutor#schedule}. Tasks are created with {@link DeferredExecutor#createTask}
 * (in {@code install()} or while processing a command) and are persistent objects like any other:
 * keep them in fields and schedule them again as often as needed, once each time they have run.
 *
 * <p>Each task has a last result, kept by the card across power cycles:
 *
 * <ul>
 *   <li>{@link #IDLE}: never scheduled (or nothing durable was scheduled before power was lost);
 *   <li>{@link #PENDING}: scheduled, not run yet;
 *   <li>{@link #DONE}: ran and committed;
 *   <li>{@link #FAILED}: threw; its writes were rolled back and the reason is kept;
 *   <li>{@link #INTERRUPTED}: power was lost before its transaction committed; its writes were rolled
 *       back. A resumable task is then scheduled again automatically when the card powers up, before
 *       the first command is dispatched.
 * </ul>
 *
 * <p>The states are the values of {@link #getState()}; names are 1 to 32 bytes of ASCII
 * {@code a-z 0-9 _ -}, unique among the applet's tasks.
 */
public final class DeferredTask {
  /** Result: never scheduled. */
  public static final byte IDLE = 0;
  /** Result: scheduled for after the response and not run yet. */
  public static final byte PENDING = 1;
  /** Result: ran and committed its writes. */
  public static final byte DONE = 2;
  /** Result: threw; its writes were rolled back ({@link #getReason} tells why). */
  public static final byte FAILED = 3;
  /** Result: power was lost before it committed; its writes were rolled back. */
  public static final byte INTERRUPTED = 4;

  /** The longest task name, in bytes. */
  public static final byte MAX_NAME_LENGTH = 32;
  /** The longest reason {@link #getReason} returns, in bytes. */
  public static final byte MAX_REASON_LENGTH = 64;

  // Set once by DeferredExecutor.createTask; the natives find the card-side task by this object.
  private final byte[] name;
  private final boolean resumable;
  private final byte priority;
  private final DeferredWork work;
  // Set by DeferredExecutor.createTask once the card accepted the task: an object whose registration
  // was refused (a name in use) is not a task, and the card ignores it.
  boolean registered;

  DeferredTask(byte[] name, boolean resumable, byte priority, DeferredWork work) {
    this.name = name;
    this.resumable = resumable;
    this.priority = priority;
    this.work = work;
  }

  /**
   * Copies the task's name into {@code buffer}.
   *
   * @return the name length
   */
  public byte getName(byte[] buffer, short offset) {
    byte length = (byte) name.length;
    for (byte i = 0; i < length; i++) {
      buffer[(short) (offset + i)] = name[i];
    }
    return length;
  }

  /** True when the task is scheduled again after a power loss interrupted it. */
  public boolean isResumable() {
    return resumable;
  }

  /** The priority given at creation (for {@link OperationSplit#byPriority}). */
  public byte getPriority() {
    return priority;
  }

  /**
   * The task's last result: {@link #IDLE}, {@link #PENDING}, {@link #DONE}, {@link #FAILED} or
   * {@link #INTERRUPTED}.
   */
  public native byte getState();

  /**
   * Copies the reason of the last result into {@code buffer}: for {@link #FAILED} what was thrown
   * (for example {@code ISOException 6A80}, {@code CryptoException 3}, {@code NullPointerException}),
   * for {@link #INTERRUPTED} {@code power loss}, otherwise nothing. ASCII, at most
   * {@link #MAX_REASON_LENGTH} bytes.
   *
   * @return the number of bytes copied (0 when there is no reason)
   */
  public native short getReason(byte[] buffer, short offset);

  /** Runs the work; called by the card after the response, inside the task's transaction. */
  private void execute() {
    work.run(this);
  }
}
