package org.sefleet.deferred;

/**
 * Splits the operations a command asks for into those done before the response and those deferred,
 * by a criterion: estimated time against the idle time expected before the next command, or
 * priority. The applet declares its operations as parallel arrays (index i is operation i, in the
 * order they must happen); the result is written to {@code deferred[i]}. Operations the response
 * needs are always done now; both groups keep the declared order.
 */
public final class OperationSplit {
  private OperationSplit() {
  }

  /**
   * Defers operations not needed for the response, in declared order, while their total estimate
   * stays within {@code budget}; one that would overflow the budget is done now (deferring it
   * would only make the next command wait), and later, smaller ones may still be deferred.
   *
   * @param estimates estimated time of each operation, in any unit (the same as {@code budget});
   *     negative values count as 0
   * @param neededForResponse true for operations the response depends on
   * @param count the number of operations (the arrays may be longer)
   * @param budget the expected idle time before the next command, in the same unit
   * @param deferred receives true for each deferred operation, false for each one done now
   * @return the number of deferred operations
   */
  public static short byTimeBudget(short[] estimates, boolean[] neededForResponse, short count, short budget,
      boolean[] deferred) {
    int used = 0;
    short result = 0;
    for (short i = 0; i < count; i++) {
      short estimate = estimates[i] < 0 ? 0 : estimates[i];
      boolean defer = !neededForResponse[i] && used + estimate <= budget;
      if (defer) {
        used += estimate;
        result++;
      }
      deferred[i] = defer;
    }
    return result;
  }

  /**
   * Does now what the response needs and what has priority {@code threshold} or more; defers the
   * rest.
   *
   * @param priorities priority of each operation (higher is more urgent)
   * @param neededForResponse true for operations the response depends on
   * @param count the number of operations
   * @param threshold the lowest priority that is done now
   * @param deferred receives true for each deferred operation
   * @return the number of deferred operations
   */
  public static short byPriority(byte[] priorities, boolean[] neededForResponse, short count, byte threshold,
      boolean[] deferred) {
    short result = 0;
    for (short i = 0; i < count; i++) {
      boolean defer = !neededForResponse[i] && priorities[i] < threshold;
      if (defer) {
        result++;
      }
      deferred[i] = defer;
    }
    return result;
  }
}
