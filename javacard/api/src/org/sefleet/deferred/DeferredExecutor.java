package org.sefleet.deferred;

import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.SystemException;

/**
 * The deferred executor: work an applet's host does not need in the response runs after the
 * response has left the card, in the idle time before the next command.
 *
 * <p>How a command with deferred work goes:
 *
 * <ol>
 *   <li>{@code process()} does what the response needs and {@link #schedule}s tasks for the rest;
 *   <li>{@code process()} returns (or throws an ISOException): the card sends the response at once;
 *   <li>the card then runs the scheduled tasks, in the order they were scheduled (tasks scheduled by
 *       a running task run too), each in its own transaction;
 *   <li>a command that arrives meanwhile waits until every task has run ({@link #isPending} is the
 *       flag that makes it wait): no command is lost or reordered;
 *   <li>before the applet's next command is processed, the results of its tasks that ended since
 *       its previous command are collected: {@link #getEndedCount} and {@link #getEndedTask} (the
 *       check on the next command). What to do about a failed task is the applet's decision.
 * </ol>
 *
 * <p>Example:
 *
 * <pre>
 * public class Meter extends Applet implements DeferredWork {
 *   private static final byte[] NAME = {'p', 'e', 'r', 's', 'i', 's', 't'};
 *   private final DeferredTask persist;
 *   private final byte[] counter = new byte[4];
 *   private final byte[] pending = JCSystem.makeTransientByteArray((short) 4, JCSystem.CLEAR_ON_RESET);
 *
 *   private Meter() {
 *     persist = DeferredExecutor.createTask(NAME, (short) 0, (byte) NAME.length, false, (byte) 0, this);
 *     register();
 *   }
 *
 *   public void run(DeferredTask task) {                 // after the response, in a transaction
 *     Util.arrayCopy(pending, (short) 0, counter, (short) 0, (short) 4);
 *   }
 *
 *   public void process(APDU apdu) {
 *     for (byte i = 0; i &lt; DeferredExecutor.getEndedCount(); i++) {
 *       if (DeferredExecutor.getEndedState(i) != DeferredTask.DONE) { ... }   // e.g. answer 6581 once
 *     }
 *     ... compute the new value into pending, answer it ...
 *     if (persist.getState() != DeferredTask.PENDING) {
 *       DeferredExecutor.schedule(persist);                 // written after the response
 *     }
 *   }
 * }
 * </pre>
 *
 * <p>Availability: {@link #createTask} and {@link #schedule} work in {@code install()} and in
 * {@code select()}/{@code process()}; inside a task, in {@code deselect()} and in {@code uninstall()}
 * they throw ISOException 6985 (as the getters of the ended list do outside a command).
 *
 * <p>Timing: on this card the virtual clock charges each task's work to "deferred time", not to the
 * command's handling time (docs/deferred-execution.md). Persistence: each scheduled batch costs one
 * NVM commit for the "pending" records plus one commit per task (its writes and its "done" record
 * are atomic together).
 */
public final class DeferredExecutor {
  private DeferredExecutor() {
  }

  /**
   * Creates a task of the calling applet.
   *
   * @param name the task name: {@code nameLength} bytes of ASCII {@code a-z 0-9 _ -} (1 to 32),
   *     unique among the applet's tasks; it keys the task's persistent result
   * @param resumable true to have the task scheduled again automatically when power was lost
   *     before it committed
   * @param priority for {@link OperationSplit#byPriority} (higher is more urgent)
   * @param work what the task does
   * @return the new task; after a power loss that interrupted a task of this name, the new task
   *     starts with that {@link DeferredTask#INTERRUPTED} result
   * @throws SystemException ILLEGAL_VALUE for a malformed name, a name already used by a task of
   *     the applet, or a null {@code work}
   * @throws ISOException 6985 (SW_CONDITIONS_NOT_SATISFIED) where tasks cannot be created (see
   *     above)
   */
  public static DeferredTask createTask(byte[] name, short nameOffset, byte nameLength, boolean resumable,
      byte priority, DeferredWork work) {
    if (work == null || nameLength < 1 || nameLength > DeferredTask.MAX_NAME_LENGTH) {
      SystemException.throwIt(SystemException.ILLEGAL_VALUE);
    }
    byte[] copy = new byte[nameLength];
    for (byte i = 0; i < nameLength; i++) {
      byte c = name[(short) (nameOffset + i)];
      boolean valid = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if (!valid) {
        SystemException.throwIt(SystemException.ILLEGAL_VALUE);
      }
      copy[i] = c;
    }
    DeferredTask task = new DeferredTask(copy, resumable, priority, work);
    register(task, copy, resumable, priority);
    task.registered = true;
    return task;
  }

  /**
   * Schedules {@code task} for after the response to the current command (in {@code install()}:
   * after the response to the INSTALL command).
   *
   * @throws ISOException 6985 (SW_CONDITIONS_NOT_SATISFIED) when the task is already scheduled and
   *     has not run yet, belongs to another applet, or tasks cannot be scheduled here
   */
  public static void schedule(DeferredTask task) {
    if (task == null) {
      ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);
    }
    scheduleTask(task);
  }

  /**
   * The deferred-pending flag: true while scheduled work has not run yet. While the card processes a
   * command it can only be true because of tasks scheduled during that command.
   */
  public static native boolean isPending();

  /**
   * How many of the calling applet's tasks ended (done, failed or interrupted) since its previous
   * command: the list is made when the command arrives and stays the same for the whole command.
   */
  public static native byte getEndedCount();

  /**
   * The task that ended {@code index}-th (0 first) since the applet's previous command, or null when
   * the applet no longer holds a task of that name.
   *
   * @throws ArrayIndexOutOfBoundsException when {@code index} is not below {@link #getEndedCount()}
   */
  public static native DeferredTask getEndedTask(byte index);

  /**
   * The result with which the {@code index}-th task ended ({@link DeferredTask#DONE},
   * {@link DeferredTask#FAILED} or {@link DeferredTask#INTERRUPTED}); the task's current state may
   * differ if it was scheduled again since.
   *
   * @throws ArrayIndexOutOfBoundsException when {@code index} is not below {@link #getEndedCount()}
   */
  public static native byte getEndedState(byte index);

  /**
   * Copies the reason with which the {@code index}-th task ended (see
   * {@link DeferredTask#getReason}).
   *
   * @return the number of bytes copied
   * @throws ArrayIndexOutOfBoundsException when {@code index} is not below {@link #getEndedCount()}
   */
  public static native short getEndedReason(byte index, byte[] buffer, short offset);

  /** Registers a new task with the card's executor (uniqueness of the name, where allowed). */
  private static native void register(DeferredTask task, byte[] name, boolean resumable, byte priority);

  private static native void scheduleTask(DeferredTask task);
}
