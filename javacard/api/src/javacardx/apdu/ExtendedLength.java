package javacardx.apdu;

/** Implemented by applets that accept extended length APDUs (Lc and Le up to 65535). */
public interface ExtendedLength {}
