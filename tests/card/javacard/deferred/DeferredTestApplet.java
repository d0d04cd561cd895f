package sefleet.test.deferred;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.SystemException;
import javacard.framework.TransactionException;
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
 *   80 12  READ: persistent counter (2), resumable counter (2), isPending (1), state of "persist" (1),
 *          state of "resume" (1)
 *   80 14  FAIL LATER: "fail" writes the counter to 7777, then throws ISOException 6A80 (rolled back)
 *   80 16  RESUME LATER: "resume" increments the second counter; it is resumable
 *   80 18  ENDED: per task that ended since the previous command: name length, name, state, reason
 *          length, reason
 *   80 1A  SCHEDULE TWICE: schedules "persist" twice (the second throws ISOException 6985, uncaught)
 *   80 1C  SELF-CHECKS: OperationSplit, and the refusals of createTask (bad and reused
 *          names); 9000, or 64xx naming the failed check
 *   80 1E  REASON: the reason of the last result of "fail" (P1 00), "resume" (01) or "persist" (02)
 *   80 20  PROBE LATER: "probe" records what a task may do (below)
 *   80 22  READ PROBE: what "probe" recorded (8 bytes: transaction depth, the TransactionException
 *          reasons of commitTransaction, abortTransaction and beginTransaction, the ISOException reasons
 *          (2 bytes each) of isPending() and schedule() inside the task), then how often "setup" (2)
 *          and "late" (2) ran
 *   80 24  NULL LATER: "npe" dereferences null
 *   80 26  ALL LATER: schedules "resume", "fail" and "persist" (counter + 1), in that order
 *   80 28  AT SELECT: what ENDED answered when this applet was last selected (the check on the SELECT)
 *   80 2A  CREATE LATE: creates the task "late" while processing and schedules it (a second time:
 *          SystemException ILLEGAL_VALUE, uncaught: 6F00)
 *   80 2C  INCREMENT LATER, SLOWLY: as 80 10, and "persist" first spins P1 x 32767 loop iterations
 *          (deferred work that takes wall-clock time, for the PC/SC ordering test)
 * </pre>
 *
 * <p>"setup" is created and scheduled in install(): it runs after the response to INSTALL.
 */
public final class DeferredTestApplet extends Applet implements DeferredWork {
  private static final byte[] PERSIST = {'p', 'e', 'r', 's', 'i', 's', 't'};
  private static final byte[] FAIL = {'f', 'a', 'i', 'l'};
  private static final byte[] RESUME = {'r', 'e', 's', 'u', 'm', 'e'};
  private static final byte[] SETUP = {'s', 'e', 't', 'u', 'p'};
  private static final byte[] PROBE = {'p', 'r', 'o', 'b', 'e'};
  private static final byte[] NPE = {'n', 'p', 'e'};
  private static final byte[] LATE = {'l', 'a', 't', 'e'};
  private static final byte[] BAD_NAME = {'B', 'a', 'd'};
  private static final byte NOT_REFUSED = (byte) 0xFF;
  // Four declared operations: estimates, priorities, and which one the response needs.
  private static final short[] ESTIMATES = {4, 8, 3, 1};
  private static final byte[] PRIORITIES = {5, 1, 3, 0};
  private static final boolean[] NEEDED = {false, false, false, true};

  private final DeferredTask persist;
  private final DeferredTask fail;
  private final DeferredTask resume;
  private final DeferredTask setup;
  private final DeferredTask probe;
  private final DeferredTask npe;
  private short counter;
  private short resumed;
  private short setupRuns;
  private short lateRuns;
  private DeferredTask late;
  /** ENDED as the SELECT that selected the applet saw it (length, then the bytes). */
  private final byte[] atSelect = JCSystem.makeTransientByteArray((short) 128, JCSystem.CLEAR_ON_DESELECT);
  private final byte[] probed = new byte[8];
  private byte[] nothing;
  /** The value "persist" writes: computed by the command, kept across the response in RAM. */
  private final byte[] pending = JCSystem.makeTransientByteArray((short) 2, JCSystem.CLEAR_ON_RESET);
  private final boolean[] deferred = JCSystem.makeTransientBooleanArray((short) 4, JCSystem.CLEAR_ON_RESET);
  /** Loop rounds "persist" spins before writing (80 2C). */
  private final short[] spin = JCSystem.makeTransientShortArray((short) 1, JCSystem.CLEAR_ON_RESET);

  private DeferredTestApplet() {
    persist = DeferredExecutor.createTask(PERSIST, (short) 0, (byte) PERSIST.length, false, (byte) 2, this);
    fail = DeferredExecutor.createTask(FAIL, (short) 0, (byte) FAIL.length, false, (byte) 0, this);
    resume = DeferredExecutor.createTask(RESUME, (short) 0, (byte) RESUME.length, true, (byte) 1, this);
    setup = DeferredExecutor.createTask(SETUP, (short) 0, (byte) SETUP.length, false, (byte) 0, this);
    probe = DeferredExecutor.createTask(PROBE, (short) 0, (byte) PROBE.length, false, (byte) 0, this);
    npe = DeferredExecutor.createTask(NPE, (short) 0, (byte) NPE.length, false, (byte) 0, this);
    DeferredExecutor.schedule(setup);
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new DeferredTestApplet().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
  }

  /** The work of the three tasks, after the response and inside the task's transaction. */
  public void run(DeferredTask task) {
    if (task == persist) {
      spinFor(spin[0]);
      spin[0] = 0;
      counter = Util.getShort(pending, (short) 0);
    } else if (task == fail) {
      counter = 7777;
      ISOException.throwIt(ISO7816.SW_WRONG_DATA);
    } else if (task == resume) {
      resumed++;
    } else if (task == setup) {
      setupRuns++;
    } else if (task == probe) {
      probeLimits();
    } else if (task == npe) {
      nothing[0] = 1;
    } else if (task == late) {
      lateRuns++;
    }
  }

  private static short spinFor(short rounds) {
    short sink = 0;
    for (short round = 0; round < rounds; round++) {
      for (short i = 0; i < 32767; i++) {
        sink ^= i;
      }
    }
    return sink;
  }

  /** Inside a task: the transaction is the executor's and the executor itself is not available. */
  private void probeLimits() {
    probed[0] = JCSystem.getTransactionDepth();
    probed[1] = NOT_REFUSED;
    try {
      JCSystem.commitTransaction();
    } catch (TransactionException e) {
      probed[1] = (byte) e.getReason();
    }
    probed[2] = NOT_REFUSED;
    try {
      JCSystem.abortTransaction();
    } catch (TransactionException e) {
      probed[2] = (byte) e.getReason();
    }
    probed[3] = NOT_REFUSED;
    try {
      JCSystem.beginTransaction();
    } catch (TransactionException e) {
      probed[3] = (byte) e.getReason();
    }
    Util.setShort(probed, (short) 4, (short) -1);
    try {
      DeferredExecutor.isPending();
    } catch (ISOException e) {
      Util.setShort(probed, (short) 4, e.getReason());
    }
    Util.setShort(probed, (short) 6, (short) -1);
    try {
      DeferredExecutor.schedule(persist);
    } catch (ISOException e) {
      Util.setShort(probed, (short) 6, e.getReason());
    }
  }

  public void process(APDU apdu) {
    byte[] buffer = apdu.getBuffer();
    if (selectingApplet()) {
      short length = ended(buffer);
      atSelect[0] = (byte) length;
      Util.arrayCopyNonAtomic(buffer, (short) 0, atSelect, (short) 1, length);
      return;
    }
    short at = 0;
    switch (buffer[ISO7816.OFFSET_INS]) {
      case 0x2C:
        spin[0] = (short) (buffer[ISO7816.OFFSET_P1] & 0xFF);
        // fall through: INCREMENT LATER
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
        buffer[at++] = resume.getState();
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
        DeferredTask which = buffer[ISO7816.OFFSET_P1] == 0 ? fail : buffer[ISO7816.OFFSET_P1] == 1 ? resume : persist;
        at = which.getReason(buffer, (short) 0);
        break;
      case 0x20:
        DeferredExecutor.schedule(probe);
        break;
      case 0x22:
        at = Util.arrayCopyNonAtomic(probed, (short) 0, buffer, (short) 0, (short) probed.length);
        at = Util.setShort(buffer, at, setupRuns);
        at = Util.setShort(buffer, at, lateRuns);
        break;
      case 0x24:
        DeferredExecutor.schedule(npe);
        break;
      case 0x26:
        DeferredExecutor.schedule(resume);
        DeferredExecutor.schedule(fail);
        Util.setShort(pending, (short) 0, (short) (counter + 1));
        DeferredExecutor.schedule(persist);
        break;
      case 0x28:
        at = (short) (atSelect[0] & 0xFF);
        Util.arrayCopyNonAtomic(atSelect, (short) 1, buffer, (short) 0, at);
        break;
      case 0x2A:
        late = DeferredExecutor.createTask(LATE, (short) 0, (byte) LATE.length, false, (byte) 0, this);
        DeferredExecutor.schedule(late);
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
