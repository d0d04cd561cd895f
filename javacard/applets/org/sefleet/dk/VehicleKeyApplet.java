package org.sefleet.dk;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.CryptoException;
import javacard.security.ECPrivateKey;
import javacard.security.ECPublicKey;
import javacard.security.KeyAgreement;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.MessageDigest;
import javacard.security.Signature;
import javacardx.crypto.Cipher;
import org.sefleet.deferred.DeferredExecutor;
import org.sefleet.deferred.DeferredTask;
import org.sefleet.deferred.DeferredWork;

/**
 * The vehicle applet of the digital key (app2 in the SE of the car's ECU, {@code sefleet dk --vm java}):
 * SELECT, AUTH0, AUTH1, EXCHANGE and CONTROL FLOW of the SFDK v1 protocol (docs/digital-key.md), byte
 * for byte as the C++ applet src/card/applets/digital_key/vehicle_key_applet.cpp answers them, and
 * the worked example of an applet with deferred work (org.sefleet.deferred, docs/javacard.md).
 *
 * <p>Deferred work: three tasks, created at install, run after the responses that do not need them:
 * <ul>
 *   <li>{@code persist_session} after AUTH1: derive Kpersistent, store it for the phone's key slot and
 *       store the transaction counter (the task's transaction makes both one atomic step);
 *   <li>{@code log_entry} after EXCHANGE: write the transaction-log record (a ring of 8) and the door
 *       state;
 *   <li>{@code next_epk} after AUTH1 (CONTROL FLOW again if that one did not land): generate the
 *       ephemeral key pair of the next AUTH0.
 * </ul>
 * At the start of every command the applet reads the tasks that ended since its previous command: a
 * failed or interrupted {@code persist_session} or {@code log_entry} is counted and scheduled again
 * after that command's response with the same record; the command is answered normally. What the
 * tasks write comes from records captured in CLEAR_ON_RESET memory (lost with power, as the C++
 * applet's members are), so after a power loss the unpersisted record is gone and the stored counter
 * lags by one.
 *
 * <p>Install parameters (the GlobalPlatform C9 value, {@code --params}):
 * {@code 4F 10 vehicle id, C4 20 vehicle private key, then A1 38 (4D 10 device id, C5 21 device
 * public key compressed 02/03||X, 4E 01 key slot)} for each enrolled device; anything else is refused
 * with 6A80. install()'s array holds at most 127 bytes (its length is a byte), so in practice one
 * device: the parameters of one are 110 bytes.
 *
 * <p>Status words: 6E00 wrong CLA, 6D00 unknown INS, 6A86 wrong P1/P2, 6A80 malformed data, an
 * unsupported version or a point off the curve, 6A88 unknown device id, 6985 command out of order,
 * 6982 the device signature does not verify, 6988 secure-messaging MAC or padding wrong.
 */
public final class VehicleKeyApplet extends Applet implements DeferredWork {
  private static final short MAX_DEVICES = 4;
  private static final short LOG_ENTRIES = 8;
  /** Counter (4), key slot, door command, door state, transaction id (16). */
  private static final short LOG_ENTRY_SIZE = 23;

  private static final byte TAG_VEHICLE_PRIVATE_KEY = (byte) 0xC4;
  private static final byte TAG_DEVICE_PUBLIC_KEY = (byte) 0xC5;
  private static final byte TAG_DEVICE = (byte) 0xA1;
  private static final short DEVICE_TEMPLATE_SIZE = 56;
  private static final short COMPRESSED_POINT_SIZE = 33;

  private static final byte[] PERSIST_SESSION = {
      'p', 'e', 'r', 's', 'i', 's', 't', '_', 's', 'e', 's', 's', 'i', 'o', 'n'};
  private static final byte[] LOG_ENTRY = {'l', 'o', 'g', '_', 'e', 'n', 't', 'r', 'y'};
  private static final byte[] NEXT_EPK = {'n', 'e', 'x', 't', '_', 'e', 'p', 'k'};

  private static final byte[] AUTH0_TAGS = {Dk.TAG_VERSION, Dk.TAG_DEVICE_EPK, Dk.TAG_TRANSACTION_ID, Dk.TAG_DEVICE_ID};
  private static final byte[] AUTH0_SIZES = {2, 65, 16, 16};
  private static final byte[] AUTH1_TAGS = {Dk.TAG_SIGNATURE};
  private static final byte[] AUTH1_SIZES = {64};
  private static final byte[] EXCHANGE_TAGS = {Dk.TAG_DOOR_COMMAND};
  private static final byte[] EXCHANGE_SIZES = {1};

  /** Session stages (the C++ applet's Stage). */
  private static final byte STAGE_IDLE = 0;
  private static final byte STAGE_SELECTED = 1;
  private static final byte STAGE_AUTH0_DONE = 2;
  private static final byte STAGE_AUTHENTICATED = 3;

  // session[]: CLEAR_ON_DESELECT.
  private static final short SESSION_STAGE = 0;
  private static final short SESSION_DEVICE = 1;
  // context[]: the transaction (CLEAR_ON_DESELECT).
  private static final short CONTEXT_VEHICLE_X = 0;
  private static final short CONTEXT_DEVICE_X = 32;
  private static final short CONTEXT_TRANSACTION_ID = 64;
  private static final short CONTEXT_DEVICE_EPK = 80;
  private static final short CONTEXT_SIZE = 145;
  // scratch[]: work areas of one command (CLEAR_ON_DESELECT).
  private static final short SCRATCH_AUTH_DATA = 0;
  private static final short SCRATCH_Z = 128;
  private static final short SCRATCH_KDH = 160;
  private static final short SCRATCH_INFO = 192;
  private static final short SCRATCH_KEYS = 288;
  private static final short SCRATCH_PLAIN = 288;
  private static final short SCRATCH_SIZE = 360;
  // ram[]: what the C++ applet keeps in members (CLEAR_ON_RESET).
  private static final short RAM_LOADED = 0;
  private static final short RAM_DOOR = 1;
  private static final short RAM_PERSIST_VALID = 2;
  private static final short RAM_PERSIST_DEVICE = 3;
  private static final short RAM_LOG_VALID = 4;
  private static final short RAM_RETRY_PERSIST = 5;
  private static final short RAM_RETRY_LOG = 6;
  private static final short RAM_SIZE = 7;
  // persistRecord[]: what persist_session writes, captured at AUTH1 (CLEAR_ON_RESET).
  private static final short RECORD_KDH = 0;
  private static final short RECORD_VEHICLE_X = 32;
  private static final short RECORD_DEVICE_X = 64;
  private static final short RECORD_TRANSACTION_ID = 96;
  private static final short RECORD_COUNTER = 112;
  private static final short RECORD_SIZE = 116;
  // taskScratch[]: work areas of the tasks (CLEAR_ON_RESET).
  private static final short TASK_INFO = 0;
  private static final short TASK_KEY = 96;
  private static final short TASK_SCRATCH_SIZE = 128;

  // ---- configuration (install parameters) ----
  private final byte[] vehicleId;
  private final ECPrivateKey vehicleKey;
  private final byte[] deviceIds;
  private final ECPublicKey[] deviceKeys;
  private final byte[] keySlots;
  private final short deviceCount;

  // ---- persistent state: written by the deferred tasks (and AUTH0 takes the precomputed key) ----
  private final byte[] storedCounter;
  private byte storedDoor;
  private final byte[] log;
  private final byte[] persistentKeys;
  private final boolean[] persistentKeySet;
  private final byte[] nextScalar;
  private final byte[] nextPoint;
  private boolean nextReady;

  private final DeferredTask persistTask;
  private final DeferredTask logTask;
  private final DeferredTask nextEpkTask;

  // ---- RAM ----
  private final byte[] ram;
  private final byte[] counter;
  private final short[] faults;
  private final byte[] persistRecord;
  private final byte[] logRecord;
  private final byte[] taskScratch;
  private final byte[] session;
  private final byte[] context;
  private final byte[] scratch;

  // ---- engines ----
  private final P256 curve;
  private final Fields fields;
  private final KeySchedule schedule;
  private final SecureMessaging channel;
  private final Signature ecdsa;
  private final KeyAgreement ecdh;
  private final ECPrivateKey ephemeral;
  private final KeyPair generator;

  private VehicleKeyApplet(byte[] params, short offset, short length) {
    curve = new P256();
    vehicleId = new byte[Dk.ID_SIZE];
    vehicleKey = (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PRIVATE, KeyBuilder.LENGTH_EC_FP_256, false);
    P256.setDomain(vehicleKey);
    deviceIds = new byte[(short) (MAX_DEVICES * Dk.ID_SIZE)];
    deviceKeys = new ECPublicKey[MAX_DEVICES];
    keySlots = new byte[MAX_DEVICES];
    deviceCount = readParameters(params, offset, (short) (offset + length));

    storedCounter = new byte[Dk.COUNTER_SIZE];
    log = new byte[(short) (LOG_ENTRIES * LOG_ENTRY_SIZE)];
    persistentKeys = new byte[(short) (MAX_DEVICES * Dk.KEY_SIZE)];
    persistentKeySet = new boolean[MAX_DEVICES];
    nextScalar = new byte[Dk.SCALAR_SIZE];
    nextPoint = new byte[Dk.POINT_SIZE];

    ram = JCSystem.makeTransientByteArray(RAM_SIZE, JCSystem.CLEAR_ON_RESET);
    counter = JCSystem.makeTransientByteArray(Dk.COUNTER_SIZE, JCSystem.CLEAR_ON_RESET);
    faults = JCSystem.makeTransientShortArray((short) 1, JCSystem.CLEAR_ON_RESET);
    persistRecord = JCSystem.makeTransientByteArray(RECORD_SIZE, JCSystem.CLEAR_ON_RESET);
    logRecord = JCSystem.makeTransientByteArray(LOG_ENTRY_SIZE, JCSystem.CLEAR_ON_RESET);
    taskScratch = JCSystem.makeTransientByteArray(TASK_SCRATCH_SIZE, JCSystem.CLEAR_ON_RESET);
    session = JCSystem.makeTransientByteArray((short) 2, JCSystem.CLEAR_ON_DESELECT);
    context = JCSystem.makeTransientByteArray(CONTEXT_SIZE, JCSystem.CLEAR_ON_DESELECT);
    scratch = JCSystem.makeTransientByteArray(SCRATCH_SIZE, JCSystem.CLEAR_ON_DESELECT);

    fields = new Fields();
    schedule = new KeySchedule();
    channel = new SecureMessaging();
    ecdsa = Signature.getInstance(MessageDigest.ALG_SHA_256, Signature.SIG_CIPHER_ECDSA_PLAIN, Cipher.PAD_NULL, false);
    ecdh = KeyAgreement.getInstance(KeyAgreement.ALG_EC_SVDP_DH_PLAIN, false);
    ephemeral = (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_DESELECT,
        KeyBuilder.LENGTH_EC_FP_256, false);
    P256.setDomain(ephemeral);
    ECPublicKey generatedPublic =
        (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC, KeyBuilder.LENGTH_EC_FP_256, false);
    ECPrivateKey generatedPrivate = (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PRIVATE_TRANSIENT_RESET,
        KeyBuilder.LENGTH_EC_FP_256, false);
    P256.setDomain(generatedPublic);
    P256.setDomain(generatedPrivate);
    generator = new KeyPair(generatedPublic, generatedPrivate);

    // The first AUTH0 already finds a precomputed ephemeral key (install time is not transaction time).
    generateNextEpk();
    persistTask = DeferredExecutor.createTask(PERSIST_SESSION, (short) 0, (byte) PERSIST_SESSION.length, false,
        (byte) 2, this);
    logTask = DeferredExecutor.createTask(LOG_ENTRY, (short) 0, (byte) LOG_ENTRY.length, false, (byte) 1, this);
    nextEpkTask = DeferredExecutor.createTask(NEXT_EPK, (short) 0, (byte) NEXT_EPK.length, false, (byte) 0, this);
  }

  /**
   * INSTALL [for install]: bArray holds the instance AID, the control information and the install
   * parameters, each after its length byte.
   */
  public static void install(byte[] bArray, short bOffset, byte bLength) {
    short at = (short) (bOffset + 1 + bArray[bOffset]);
    at = (short) (at + 1 + bArray[at]);
    short parametersLength = (short) (bArray[at] & 0xFF);
    new VehicleKeyApplet(bArray, (short) (at + 1), parametersLength).register(bArray, (short) (bOffset + 1),
        bArray[bOffset]);
  }

  // ---- install parameters ----

  /** Reads the configuration; returns the number of enrolled devices. ISOException 6A80 when malformed. */
  private short readParameters(byte[] params, short at, short end) {
    at = expect(params, at, end, Dk.TAG_VEHICLE_ID, Dk.ID_SIZE);
    Util.arrayCopy(params, at, vehicleId, (short) 0, Dk.ID_SIZE);
    at = expect(params, (short) (at + Dk.ID_SIZE), end, TAG_VEHICLE_PRIVATE_KEY, Dk.SCALAR_SIZE);
    if (!P256.isScalar(params, at)) {
      ISOException.throwIt(ISO7816.SW_WRONG_DATA);
    }
    vehicleKey.setS(params, at, Dk.SCALAR_SIZE);
    at = (short) (at + Dk.SCALAR_SIZE);
    short count = 0;
    while (at < end) {
      if (count == MAX_DEVICES) {
        ISOException.throwIt(ISO7816.SW_WRONG_DATA);
      }
      short template = expect(params, at, end, TAG_DEVICE, DEVICE_TEMPLATE_SIZE);
      short id = expect(params, template, end, Dk.TAG_DEVICE_ID, Dk.ID_SIZE);
      short point = expect(params, (short) (id + Dk.ID_SIZE), end, TAG_DEVICE_PUBLIC_KEY, COMPRESSED_POINT_SIZE);
      short slot = expect(params, (short) (point + COMPRESSED_POINT_SIZE), end, Dk.TAG_KEY_SLOT, (short) 1);
      for (short other = 0; other < count; other++) {
        if (keySlots[other] == params[slot]
            || Bytes.equal(deviceIds, (short) (other * Dk.ID_SIZE), params, id, Dk.ID_SIZE)) {
          ISOException.throwIt(ISO7816.SW_WRONG_DATA);
        }
      }
      if (params[point] != 0x02 && params[point] != 0x03) {
        ISOException.throwIt(ISO7816.SW_WRONG_DATA);
      }
      ECPublicKey key =
          (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC, KeyBuilder.LENGTH_EC_FP_256, false);
      P256.setDomain(key);
      try {
        key.setW(params, point, COMPRESSED_POINT_SIZE);  // the card computes Y; an X off the curve throws
      } catch (CryptoException e) {
        ISOException.throwIt(ISO7816.SW_WRONG_DATA);
      }
      deviceKeys[count] = key;
      Util.arrayCopy(params, id, deviceIds, (short) (count * Dk.ID_SIZE), Dk.ID_SIZE);
      keySlots[count] = params[slot];
      count++;
      at = (short) (template + DEVICE_TEMPLATE_SIZE);
    }
    if (count == 0) {
      ISOException.throwIt(ISO7816.SW_WRONG_DATA);
    }
    return count;
  }

  /** The value offset of {@code tag}, {@code size} at {@code at}; ISOException 6A80 otherwise. */
  private static short expect(byte[] buffer, short at, short end, byte tag, short size) {
    boolean fits = (short) (end - at) >= (short) (2 + size);
    if (!fits || buffer[at] != tag || (short) (buffer[(short) (at + 1)] & 0xFF) != size) {
      ISOException.throwIt(ISO7816.SW_WRONG_DATA);
    }
    return (short) (at + 2);
  }

  // ---- selection ----

  public boolean select() {
    loadRam();
    endSession();
    return true;
  }

  public void deselect() {
    endSession();
  }

  // ---- commands ----

  public void process(APDU apdu) {
    loadRam();
    checkDeferredResults();
    short status = dispatch(apdu);
    // A record a failed task could not store is written again after this response.
    if (ram[RAM_RETRY_PERSIST] != 0) {
      ram[RAM_RETRY_PERSIST] = 0;
      scheduleIfIdle(persistTask);
    }
    if (ram[RAM_RETRY_LOG] != 0) {
      ram[RAM_RETRY_LOG] = 0;
      scheduleIfIdle(logTask);
    }
    if (status != ISO7816.SW_NO_ERROR) {
      ISOException.throwIt(status);
    }
  }

  /** Handles the command; returns its status word (9000 after the data was sent). */
  private short dispatch(APDU apdu) {
    byte[] buffer = apdu.getBuffer();
    byte cla = buffer[ISO7816.OFFSET_CLA];
    byte ins = buffer[ISO7816.OFFSET_INS];
    if (ins == Dk.INS_SELECT && cla == Dk.CLA_ISO && buffer[ISO7816.OFFSET_P1] == Dk.P1_SELECT_BY_NAME) {
      return handleSelect(apdu);
    }
    switch (ins) {
      case Dk.INS_AUTH0:
        return handleAuth0(apdu);
      case Dk.INS_AUTH1:
        return handleAuth1(apdu);
      case Dk.INS_EXCHANGE:
        return handleExchange(apdu);
      case Dk.INS_CONTROL_FLOW:
        return handleControlFlow(apdu);
      default:
        return ISO7816.SW_INS_NOT_SUPPORTED;
    }
  }

  private short handleSelect(APDU apdu) {
    endSession();
    session[SESSION_STAGE] = STAGE_SELECTED;
    byte[] buffer = apdu.getBuffer();
    buffer[0] = Dk.TAG_VERSION;
    buffer[1] = 2;
    buffer[2] = Dk.VERSION_MAJOR;
    buffer[3] = Dk.VERSION_MINOR;
    apdu.setOutgoingAndSend((short) 0, (short) 4);
    return ISO7816.SW_NO_ERROR;
  }

  private short handleAuth0(APDU apdu) {
    byte[] buffer = apdu.getBuffer();
    if (buffer[ISO7816.OFFSET_CLA] != Dk.CLA_PROPRIETARY) {
      return ISO7816.SW_CLA_NOT_SUPPORTED;
    }
    if (buffer[ISO7816.OFFSET_P1] != 0 || buffer[ISO7816.OFFSET_P2] != Dk.AUTH0_TRANSACTION_UNLOCK) {
      return ISO7816.SW_INCORRECT_P1P2;
    }
    if (session[SESSION_STAGE] == STAGE_IDLE) {
      return ISO7816.SW_CONDITIONS_NOT_SATISFIED;
    }
    endSession();  // a new AUTH0 starts a new transaction
    session[SESSION_STAGE] = STAGE_SELECTED;
    short length = apdu.setIncomingAndReceive();
    short data = apdu.getOffsetCdata();
    if (!fields.read(buffer, data, length, AUTH0_TAGS, AUTH0_SIZES)) {
      return ISO7816.SW_WRONG_DATA;
    }
    short version = fields.valueOffset((short) 0);
    if (buffer[version] != Dk.VERSION_MAJOR || buffer[(short) (version + 1)] != Dk.VERSION_MINOR) {
      return ISO7816.SW_WRONG_DATA;
    }
    short device = findDevice(buffer, fields.valueOffset((short) 3));
    if (device < 0) {
      return Dk.SW_REFERENCED_DATA_NOT_FOUND;
    }
    short devicePoint = fields.valueOffset((short) 1);
    if (!curve.isOnCurve(buffer, devicePoint)) {
      return ISO7816.SW_WRONG_DATA;
    }
    Util.arrayCopyNonAtomic(buffer, devicePoint, context, CONTEXT_DEVICE_EPK, Dk.POINT_SIZE);
    Util.arrayCopyNonAtomic(buffer, (short) (devicePoint + 1), context, CONTEXT_DEVICE_X, Dk.COORDINATE_SIZE);
    Util.arrayCopyNonAtomic(buffer, fields.valueOffset((short) 2), context, CONTEXT_TRANSACTION_ID,
        Dk.TRANSACTION_ID_SIZE);

    // The key pair precomputed by next_epk is used once: erased as it is taken, so it is never reused.
    short point = 2;
    if (nextReady) {
      ephemeral.setS(nextScalar, (short) 0, Dk.SCALAR_SIZE);
      Util.arrayCopyNonAtomic(nextPoint, (short) 0, buffer, point, Dk.POINT_SIZE);
      nextReady = false;
      Util.arrayFillNonAtomic(nextScalar, (short) 0, Dk.SCALAR_SIZE, (byte) 0);
    } else {
      generator.genKeyPair();
      ((ECPrivateKey) generator.getPrivate()).getS(scratch, SCRATCH_Z);
      ephemeral.setS(scratch, SCRATCH_Z, Dk.SCALAR_SIZE);
      Util.arrayFillNonAtomic(scratch, SCRATCH_Z, Dk.SCALAR_SIZE, (byte) 0);
      ((ECPublicKey) generator.getPublic()).getW(buffer, point);
    }
    Util.arrayCopyNonAtomic(buffer, (short) (point + 1), context, CONTEXT_VEHICLE_X, Dk.COORDINATE_SIZE);
    session[SESSION_DEVICE] = (byte) device;
    session[SESSION_STAGE] = STAGE_AUTH0_DONE;
    buffer[0] = Dk.TAG_VEHICLE_EPK;
    buffer[1] = (byte) Dk.POINT_SIZE;
    apdu.setOutgoingAndSend((short) 0, (short) (2 + Dk.POINT_SIZE));
    return ISO7816.SW_NO_ERROR;
  }

  private short handleAuth1(APDU apdu) {
    byte[] buffer = apdu.getBuffer();
    if (buffer[ISO7816.OFFSET_CLA] != Dk.CLA_PROPRIETARY) {
      return ISO7816.SW_CLA_NOT_SUPPORTED;
    }
    if (buffer[ISO7816.OFFSET_P1] != 0 || buffer[ISO7816.OFFSET_P2] != 0) {
      return ISO7816.SW_INCORRECT_P1P2;
    }
    if (session[SESSION_STAGE] != STAGE_AUTH0_DONE) {
      return ISO7816.SW_CONDITIONS_NOT_SATISFIED;
    }
    short length = apdu.setIncomingAndReceive();
    if (!fields.read(buffer, apdu.getOffsetCdata(), length, AUTH1_TAGS, AUTH1_SIZES)) {
      return ISO7816.SW_WRONG_DATA;
    }
    short device = session[SESSION_DEVICE];
    short authLength = authData(Dk.DEVICE_USAGE, device, scratch, SCRATCH_AUTH_DATA);
    ecdsa.init(deviceKeys[device], Signature.MODE_VERIFY);
    if (!ecdsa.verify(scratch, SCRATCH_AUTH_DATA, authLength, buffer, fields.valueOffset((short) 0),
        Dk.SIGNATURE_SIZE)) {
      endSession();
      session[SESSION_STAGE] = STAGE_SELECTED;
      return ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED;
    }
    ecdh.init(ephemeral);
    ecdh.generateSecret(context, CONTEXT_DEVICE_EPK, Dk.POINT_SIZE, scratch, SCRATCH_Z);
    schedule.deriveKdh(scratch, SCRATCH_Z, context, CONTEXT_TRANSACTION_ID, scratch, SCRATCH_KDH);
    Util.arrayFillNonAtomic(scratch, SCRATCH_Z, Dk.COORDINATE_SIZE, (byte) 0);
    short infoLength = KeySchedule.info(context, CONTEXT_VEHICLE_X, context, CONTEXT_DEVICE_X, context,
        CONTEXT_TRANSACTION_ID, Dk.LABEL_VOLATILE, scratch, SCRATCH_INFO);
    schedule.hkdf(scratch, SCRATCH_KDH, scratch, SCRATCH_INFO, infoLength, scratch, SCRATCH_KEYS,
        (short) (3 * Dk.BLOCK));
    channel.open(scratch, SCRATCH_KEYS);
    Util.arrayFillNonAtomic(scratch, SCRATCH_KEYS, (short) (3 * Dk.BLOCK), (byte) 0);
    ephemeral.clearKey();  // the ephemeral private key has done its job

    // The response: 9E 40 vehicle signature, 4E 01 key slot, under secure messaging.
    authLength = authData(Dk.VEHICLE_USAGE, device, scratch, SCRATCH_AUTH_DATA);
    ecdsa.init(vehicleKey, Signature.MODE_SIGN);
    short plain = SCRATCH_PLAIN;
    scratch[plain] = Dk.TAG_SIGNATURE;
    scratch[(short) (plain + 1)] = (byte) Dk.SIGNATURE_SIZE;
    ecdsa.sign(scratch, SCRATCH_AUTH_DATA, authLength, scratch, (short) (plain + 2));
    short slot = (short) (plain + 2 + Dk.SIGNATURE_SIZE);
    scratch[slot] = Dk.TAG_KEY_SLOT;
    scratch[(short) (slot + 1)] = 1;
    scratch[(short) (slot + 2)] = keySlots[device];
    short wrapped = channel.wrapResponse(scratch, plain, (short) (slot + 3 - plain), buffer, (short) 0);

    Bytes.increment(counter, (short) 0);
    Util.arrayCopyNonAtomic(scratch, SCRATCH_KDH, persistRecord, RECORD_KDH, Dk.KEY_SIZE);
    Util.arrayCopyNonAtomic(context, CONTEXT_VEHICLE_X, persistRecord, RECORD_VEHICLE_X, Dk.COORDINATE_SIZE);
    Util.arrayCopyNonAtomic(context, CONTEXT_DEVICE_X, persistRecord, RECORD_DEVICE_X, Dk.COORDINATE_SIZE);
    Util.arrayCopyNonAtomic(context, CONTEXT_TRANSACTION_ID, persistRecord, RECORD_TRANSACTION_ID,
        Dk.TRANSACTION_ID_SIZE);
    Util.arrayCopyNonAtomic(counter, (short) 0, persistRecord, RECORD_COUNTER, Dk.COUNTER_SIZE);
    Util.arrayFillNonAtomic(scratch, SCRATCH_KDH, Dk.KEY_SIZE, (byte) 0);
    ram[RAM_PERSIST_DEVICE] = (byte) device;
    ram[RAM_PERSIST_VALID] = 1;
    ram[RAM_RETRY_PERSIST] = 0;
    scheduleIfIdle(persistTask);
    // This transaction's ephemeral key is spent: the next one is generated in the idle time that
    // follows (the phone now verifies our signature), so the next AUTH0 answers without a key generation.
    if (!nextReady) {
      scheduleIfIdle(nextEpkTask);
    }
    session[SESSION_STAGE] = STAGE_AUTHENTICATED;
    apdu.setOutgoingAndSend((short) 0, wrapped);
    return ISO7816.SW_NO_ERROR;
  }

  private short handleExchange(APDU apdu) {
    byte[] buffer = apdu.getBuffer();
    if (buffer[ISO7816.OFFSET_CLA] != Dk.CLA_SECURE_MESSAGING) {
      return ISO7816.SW_CLA_NOT_SUPPORTED;
    }
    if (buffer[ISO7816.OFFSET_P1] != 0 || buffer[ISO7816.OFFSET_P2] != 0) {
      return ISO7816.SW_INCORRECT_P1P2;
    }
    if (session[SESSION_STAGE] != STAGE_AUTHENTICATED) {
      return ISO7816.SW_CONDITIONS_NOT_SATISFIED;
    }
    short length = apdu.setIncomingAndReceive();
    short data = apdu.getOffsetCdata();
    short plainLength = channel.unwrapCommand(buffer[ISO7816.OFFSET_CLA], buffer[ISO7816.OFFSET_INS],
        buffer[ISO7816.OFFSET_P1], buffer[ISO7816.OFFSET_P2], buffer, data, length);
    if (plainLength < 0) {
      endSession();  // a bad MAC ends the secure channel (SCP03 rule)
      session[SESSION_STAGE] = STAGE_SELECTED;
      return Dk.SW_SM_DATA_OBJECTS_INCORRECT;
    }
    if (!fields.read(buffer, data, plainLength, EXCHANGE_TAGS, EXCHANGE_SIZES)) {
      return ISO7816.SW_WRONG_DATA;
    }
    byte command = buffer[fields.valueOffset((short) 0)];
    if (command != Dk.DOOR_COMMAND_UNLOCK && command != Dk.DOOR_COMMAND_LOCK) {
      return ISO7816.SW_WRONG_DATA;
    }
    byte door = command == Dk.DOOR_COMMAND_UNLOCK ? Dk.DOOR_UNLOCKED : Dk.DOOR_LOCKED;
    ram[RAM_DOOR] = door;

    // C2 01 door state, C3 04 transaction counter, under secure messaging.
    short plain = SCRATCH_PLAIN;
    scratch[plain] = Dk.TAG_DOOR_STATE;
    scratch[(short) (plain + 1)] = 1;
    scratch[(short) (plain + 2)] = door;
    scratch[(short) (plain + 3)] = Dk.TAG_TRANSACTION_COUNTER;
    scratch[(short) (plain + 4)] = (byte) Dk.COUNTER_SIZE;
    Util.arrayCopyNonAtomic(counter, (short) 0, scratch, (short) (plain + 5), Dk.COUNTER_SIZE);
    short wrapped = channel.wrapResponse(scratch, plain, (short) (5 + Dk.COUNTER_SIZE), buffer, (short) 0);

    short device = session[SESSION_DEVICE];
    Util.arrayCopyNonAtomic(counter, (short) 0, logRecord, (short) 0, Dk.COUNTER_SIZE);
    logRecord[4] = keySlots[device];
    logRecord[5] = command;
    logRecord[6] = door;
    Util.arrayCopyNonAtomic(context, CONTEXT_TRANSACTION_ID, logRecord, (short) 7, Dk.TRANSACTION_ID_SIZE);
    ram[RAM_LOG_VALID] = 1;
    ram[RAM_RETRY_LOG] = 0;
    scheduleIfIdle(logTask);
    apdu.setOutgoingAndSend((short) 0, wrapped);
    return ISO7816.SW_NO_ERROR;
  }

  private short handleControlFlow(APDU apdu) {
    byte[] buffer = apdu.getBuffer();
    if (buffer[ISO7816.OFFSET_CLA] != Dk.CLA_PROPRIETARY) {
      return ISO7816.SW_CLA_NOT_SUPPORTED;
    }
    byte p1 = buffer[ISO7816.OFFSET_P1];
    if (p1 != Dk.CONTROL_FLOW_FAILURE && p1 != Dk.CONTROL_FLOW_SUCCESS) {
      return ISO7816.SW_INCORRECT_P1P2;
    }
    if (session[SESSION_STAGE] == STAGE_IDLE) {
      return ISO7816.SW_CONDITIONS_NOT_SATISFIED;
    }
    endSession();
    session[SESSION_STAGE] = STAGE_SELECTED;
    // Replenish the precomputed ephemeral key if the one scheduled after AUTH1 did not land (failed,
    // interrupted, or the transaction stopped before AUTH1).
    if (!nextReady) {
      scheduleIfIdle(nextEpkTask);
    }
    return ISO7816.SW_NO_ERROR;
  }

  // ---- deferred work ----

  /** Runs after the response, in the task's own transaction (DeferredWork). */
  public void run(DeferredTask task) {
    if (task == persistTask) {
      persistSession();
    } else if (task == logTask) {
      writeLogEntry();
    } else if (task == nextEpkTask) {
      generateNextEpk();
    }
  }

  private void persistSession() {
    if (ram[RAM_PERSIST_VALID] == 0) {
      ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);  // nothing to persist
    }
    short infoLength = KeySchedule.info(persistRecord, RECORD_VEHICLE_X, persistRecord, RECORD_DEVICE_X,
        persistRecord, RECORD_TRANSACTION_ID, Dk.LABEL_PERSISTENT, taskScratch, TASK_INFO);
    schedule.hkdf(persistRecord, RECORD_KDH, taskScratch, TASK_INFO, infoLength, taskScratch, TASK_KEY, Dk.KEY_SIZE);
    short device = ram[RAM_PERSIST_DEVICE];
    Util.arrayCopy(taskScratch, TASK_KEY, persistentKeys, (short) (device * Dk.KEY_SIZE), Dk.KEY_SIZE);
    Util.arrayFillNonAtomic(taskScratch, TASK_KEY, Dk.KEY_SIZE, (byte) 0);
    persistentKeySet[device] = true;
    Util.arrayCopy(persistRecord, RECORD_COUNTER, storedCounter, (short) 0, Dk.COUNTER_SIZE);
    // Reached only when the work succeeded (its transaction then commits).
    ram[RAM_PERSIST_VALID] = 0;
  }

  private void writeLogEntry() {
    if (ram[RAM_LOG_VALID] == 0) {
      ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);  // nothing to log
    }
    short slot = (short) (logRecord[Dk.COUNTER_SIZE - 1] & (LOG_ENTRIES - 1));
    Util.arrayCopy(logRecord, (short) 0, log, (short) (slot * LOG_ENTRY_SIZE), LOG_ENTRY_SIZE);
    storedDoor = logRecord[6];
    ram[RAM_LOG_VALID] = 0;
  }

  private void generateNextEpk() {
    generator.genKeyPair();
    ((ECPrivateKey) generator.getPrivate()).getS(nextScalar, (short) 0);
    ((ECPublicKey) generator.getPublic()).getW(nextPoint, (short) 0);
    nextReady = true;
  }

  /**
   * The check on the next command: a persist_session or log_entry that failed or was interrupted
   * since the previous command is scheduled again after this one (when its record is still held);
   * a lost next_epk needs nothing (AUTH0 then generates its key itself).
   */
  private void checkDeferredResults() {
    byte ended = DeferredExecutor.getEndedCount();
    for (byte i = 0; i < ended; i++) {
      byte state = DeferredExecutor.getEndedState(i);
      if (state != DeferredTask.FAILED && state != DeferredTask.INTERRUPTED) {
        continue;
      }
      faults[0]++;
      DeferredTask task = DeferredExecutor.getEndedTask(i);
      if (task == persistTask) {
        ram[RAM_RETRY_PERSIST] = ram[RAM_PERSIST_VALID];
      } else if (task == logTask) {
        ram[RAM_RETRY_LOG] = ram[RAM_LOG_VALID];
      }
    }
  }

  private static void scheduleIfIdle(DeferredTask task) {
    if (task.getState() != DeferredTask.PENDING) {  // not already queued for this response
      DeferredExecutor.schedule(task);
    }
  }

  // ---- helpers ----

  /** After a power-up the RAM copies start from what the tasks stored (the C++ applet reads them at install). */
  private void loadRam() {
    if (ram[RAM_LOADED] != 0) {
      return;
    }
    Util.arrayCopyNonAtomic(storedCounter, (short) 0, counter, (short) 0, Dk.COUNTER_SIZE);
    ram[RAM_DOOR] = storedDoor;
    ram[RAM_LOADED] = 1;
  }

  private void endSession() {
    session[SESSION_STAGE] = STAGE_IDLE;
    session[SESSION_DEVICE] = 0;
    Util.arrayFillNonAtomic(context, (short) 0, CONTEXT_SIZE, (byte) 0);
    ephemeral.clearKey();
    channel.close();
  }

  private short findDevice(byte[] buffer, short offset) {
    for (short i = 0; i < deviceCount; i++) {
      if (Bytes.equal(deviceIds, (short) (i * Dk.ID_SIZE), buffer, offset, Dk.ID_SIZE)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * 4F vehicle id || 4D device id || 86 vehicle ePK.x || 87 device ePK.x || 4C transaction id || 93 usage,
   * the data both signatures cover; returns its length.
   */
  private short authData(byte[] usage, short device, byte[] out, short offset) {
    short at = tlv(out, offset, Dk.TAG_VEHICLE_ID, vehicleId, (short) 0, Dk.ID_SIZE);
    at = tlv(out, at, Dk.TAG_DEVICE_ID, deviceIds, (short) (device * Dk.ID_SIZE), Dk.ID_SIZE);
    at = tlv(out, at, Dk.TAG_VEHICLE_EPK, context, CONTEXT_VEHICLE_X, Dk.COORDINATE_SIZE);
    at = tlv(out, at, Dk.TAG_DEVICE_EPK, context, CONTEXT_DEVICE_X, Dk.COORDINATE_SIZE);
    at = tlv(out, at, Dk.TAG_TRANSACTION_ID, context, CONTEXT_TRANSACTION_ID, Dk.TRANSACTION_ID_SIZE);
    at = tlv(out, at, Dk.TAG_USAGE, usage, (short) 0, (short) usage.length);
    return (short) (at - offset);
  }

  private static short tlv(byte[] out, short at, byte tag, byte[] value, short offset, short length) {
    out[at] = tag;
    out[(short) (at + 1)] = (byte) length;
    return Util.arrayCopyNonAtomic(value, offset, out, (short) (at + 2), length);
  }
}
