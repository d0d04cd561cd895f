package sefleet.test.deferred;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.SystemException;
import javacard.framework.Util;
import org.sefleet.deferred.DeferredExecutor;
import org.sefleet.deferred.DeferredTask;
import org.sefleet.deferred.DeferredWork;
import org.sefleet.deferred.OperationSplit;

/**
 * Exercises org.sefleet.deferred for the runtime tests (the Java twin of the C++ deferred counter
 * applet). Commands (CLA 80):
 *
 * <pre>
 *   80 10  INCREMENT LATER: answers counter + 1 (2 bytes) at once; the task "persist" writes it after
 *          the response
 *   80 12  READ: persistent counter (2), resumable counter (2), isPending (1), state of "persist" (1)
 *   80 14  FAIL LATER: "fail" writes the counter to 7777, then throws ISOException 6A80 (rolled back)
 *   80 16  RESUME LATER: "resume" increments the second counter; it is resumable
 *   80 18  ENDED: per task that ended since the previous command: name length, name, state, reason
 *          length, reason
 *   80 1A  SCHEDULE TWICE: schedules "persist" twice (the second throws ISOException 6985, uncaught)
 *   80 1C  SELF-CHECKS: OperationSplit, and the refusals of createTask (bad and reused
 *          names); 9000, or 64xx naming the failed check
 *   80 1E  REASON: the reason of "fail" (its last result)
 * </pre>
 */
public final class DeferredTestApplet extends Applet implements DeferredWork {
  private static final byte[] PERSIST = {'p', 'e', 'r', 's', 'i', 's', 't'};
  private static final byte[] FAIL = {'f', 'a', 'i', 'l'};
  private static final byte[] RESUME = {'r', 'e', 's', 'u', 'm', 'e'};
  private static final byte[] BAD_NAME = {'B', 'a', 'd'};
  // Four declared operations: estimates, priorities, and which one the response needs.
  private static final short[] ESTIMATES = {4, 8, 3, 1};
  private static final byte[] PRIORITIES = {5, 1, 3, 0};
  private static final boolean[] NEEDED = {false, false, false, true};

  private final DeferredTask persist;
  private final DeferredTask fail;
  private final DeferredTask resume;
  private short counter;
  private short resumed;
  /** The value "persist" writes: computed by the command, kept across the response in RAM. */
  private final byte[] pending = JCSystem.makeTransientByteArray((short) 2, JCSystem.CLEAR_ON_RESET);
  private final boolean[] deferred = JCSystem.makeTransientBooleanArray((short) 4, JCSystem.CLEAR_ON_RESET);

  private DeferredTestApplet() {
    persist = DeferredExecutor.createTask(PERSIST, (short) 0, (byte) PERSIST.length, false, (byte) 2, this);
    fail = DeferredExecutor.createTask(FAIL, (short) 0, (byte) FAIL.length, false, (byte) 0, this);
    resume = DeferredExecutor.createTask(RESUME, (short) 0, (byte) RESUME.length, true, (byte) 1, this);
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new DeferredTestApplet().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
  }

  /** The work of the three tasks, after the response and inside the task's transaction. */
  public void run(DeferredTask task) {
    if (task == persist) {
      counter = Util.getShort(pending, (short) 0);
    } else if (task == fail) {
      counter = 7777;
      ISOException.throwIt(ISO7816.SW_WRONG_DATA);
    } else if (task == resume) {
      resumed++;
    }
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buffer = apdu.getBuffer();
    short at = 0;
    switch (buffer[ISO7816.OFFSET_INS]) {
      case 0x10:
        Util.setShort(pending, (short) 0, (short) (counter + 1));
        DeferredExecutor.schedule(persist);
        at = Util.setShort(buffer, (short) 0, (short) (counter + 1));
        break;
      case 0x12:
        at = Util.setShort(buffer, (short) 0, counter);
        at = Util.setShort(buffer, at, resumed);
        buffer[at++] = DeferredExecutor.isPending() ? (byte) 1 : 0;
        buffer[at++] = persist.getState();
        break;
      case 0x14:
        DeferredExecutor.schedule(fail);
        break;
      case 0x16:
        DeferredExecutor.schedule(resume);
        break;
      case 0x18:
        at = ended(buffer);
        break;
      case 0x1A:
        Util.setShort(pending, (short) 0, (short) (counter + 1));
        DeferredExecutor.schedule(persist);
        DeferredExecutor.schedule(persist);
        break;
      case 0x1C:
        selfChecks();
        break;
      case 0x1E:
        at = fail.getReason(buffer, (short) 0);
        break;
      default:
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
    apdu.setOutgoingAndSend((short) 0, at);
  }

  /** The check on this command: what ended since the previous one. */
  private static short ended(byte[] buffer) {
    short at = 0;
    byte count = DeferredExecutor.getEndedCount();
    for (byte i = 0; i < count; i++) {
      DeferredTask task = DeferredExecutor.getEndedTask(i);
      short nameLength = task == null ? 0 : task.getName(buffer, (short) (at + 1));
      buffer[at] = (byte) nameLength;
      at += (short) (1 + nameLength);
      buffer[at++] = DeferredExecutor.getEndedState(i);
      short reasonLength = DeferredExecutor.getEndedReason(i, buffer, (short) (at + 1));
      buffer[at] = (byte) reasonLength;
      at += (short) (1 + reasonLength);
    }
    return at;
  }

  private static void check(boolean condition, byte id) {
    if (!condition) {
      ISOException.throwIt((short) (0x6400 | id));
    }
  }

  private void selfChecks() {
    // Time budget 10: 4 deferred, 8 would overflow (now), 3 still fits, the needed one is now.
    check(OperationSplit.byTimeBudget(ESTIMATES, NEEDED, (short) 4, (short) 10, deferred) == 2, (byte) 1);
    check(deferred[0] && !deferred[1] && deferred[2] && !deferred[3], (byte) 2);
    check(OperationSplit.byPriority(PRIORITIES, NEEDED, (short) 4, (byte) 3, deferred) == 1, (byte) 3);
    check(!deferred[0] && deferred[1] && !deferred[2] && !deferred[3], (byte) 4);
    // Names: upper case and empty are refused; a name already used is refused.
    try {
      DeferredExecutor.createTask(BAD_NAME, (short) 0, (byte) 3, false, (byte) 0, this);
      check(false, (byte) 5);
    } catch (SystemException e) {
      check(e.getReason() == SystemException.ILLEGAL_VALUE, (byte) 5);
    }
    try {
      DeferredExecutor.createTask(BAD_NAME, (short) 1, (byte) 0, false, (byte) 0, this);
      check(false, (byte) 6);
    } catch (SystemException e) {
      check(e.getReason() == SystemException.ILLEGAL_VALUE, (byte) 6);
    }
    try {
      DeferredExecutor.createTask(PERSIST, (short) 0, (byte) PERSIST.length, false, (byte) 0, this);
      check(false, (byte) 7);
    } catch (SystemException e) {
      check(e.getReason() == SystemException.ILLEGAL_VALUE, (byte) 7);
    }
    check(persist.isResumable() == false && resume.isResumable() && persist.getPriority() == 2, (byte) 8);
  }
}
