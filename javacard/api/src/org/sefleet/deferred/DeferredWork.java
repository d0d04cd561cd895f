package org.sefleet.deferred;

/**
 * The work of a deferred task: what runs after the response, in the idle time before the next
 * command. An applet implements it (often in the applet class itself, or in a small class per task)
 * and passes it to {@link DeferredExecutor#createTask}.
 *
 * <p>{@link #run} executes in the applet's context, inside a transaction that the executor opened
 * for it ({@code JCSystem.getTransactionDepth()} is 1): returning normally commits every persistent
 * write the work made; any exception aborts them all and the task ends {@link DeferredTask#FAILED}.
 * Inside {@code run} there is no APDU: {@code APDU.getCurrentAPDU()} and the APDU buffer must not be
 * used, {@code JCSystem.beginTransaction()}, {@code commitTransaction()} and
 * {@code abortTransaction()} are refused (TransactionException), and the executor itself is refused
 * (ISOException 6985). CLEAR_ON_DESELECT arrays of the applet are still valid: a deselection is a
 * command, and every command waits for pending work first.
 */
public interface DeferredWork {
  /**
   * Does the deferred work of {@code task}.
   *
   * @param task the task being run (the one this work was created with)
   */
  void run(DeferredTask task);
}
