package javacardx.apdu.util;

/**
 * Decoding of a CLA byte (ISO 7816-4 §5.4.1): the interindustry first (channels 0-3) and further
 * (channels 4-19) codings; proprietary classes use the same bit layout.
 */
public final class APDUUtil {
  private APDUUtil() {}

  /** The logical channel the CLA byte encodes (0-19). */
  public static byte getCLAChannel(byte cla) {
    if ((cla & 0x40) == 0) {
      return (byte) (cla & 0x03);
    }
    return (byte) (4 + (cla & 0x0F));
  }

  /** True when the chaining bit (b5) is set. */
  public static boolean isCommandChainingCLA(byte cla) {
    return (cla & 0x10) != 0;
  }

  /** True when the CLA indicates secure messaging (b4-b3 in the first coding, b6 in the further one). */
  public static boolean isSecureMessagingCLA(byte cla) {
    if ((cla & 0x40) == 0) {
      return (cla & 0x0C) != 0;
    }
    return (cla & 0x20) != 0;
  }

  /** True for the interindustry classes (b8 clear). */
  public static boolean isISOInterindustryCLA(byte cla) {
    return (cla & 0x80) == 0;
  }

  /** False for FF and for the RFU classes 001x xxxx. */
  public static boolean isValidCLA(byte cla) {
    return cla != (byte) 0xFF && (cla & 0xE0) != 0x20;
  }
}
