"""pyscard client for the PC/SC interoperability test: SELECT the ISD and GET DATA 0066 (card
recognition data) through pcscd, exactly as any PC/SC program would, then GlobalPlatformPro's
"gp -i" GET DATA sequence in the GP class (whole objects) and the ISO class (values only).
Debian's /usr/bin/python3 only.
Usage: pyscard_isd.py READER_NAME   (exit 0 when every check passed)"""
import sys

from smartcard.System import readers

OID_SCP03 = bytes.fromhex("2A864886FC6B04")


def main() -> int:
    wanted = sys.argv[1]
    matches = [r for r in readers() if str(r) == wanted]
    if not matches:
        print(f"reader {wanted!r} not found in {[str(r) for r in readers()]}", file=sys.stderr)
        return 1
    connection = matches[0].createConnection()
    connection.connect()
    print("ATR", bytes(connection.getATR()).hex().upper())

    data, sw1, sw2 = connection.transmit(list(bytes.fromhex("00A4040008A00000015100000000")))
    print("SELECT ISD", bytes(data).hex().upper(), f"{sw1:02X}{sw2:02X}")
    if (sw1, sw2) != (0x90, 0x00) or not data or data[0] != 0x6F:
        print("SELECT ISD: expected an FCI (6F...) with 9000", file=sys.stderr)
        return 1
    if bytes.fromhex("A000000151000000") not in bytes(data):
        print("SELECT ISD: FCI does not carry the ISD AID", file=sys.stderr)
        return 1

    data, sw1, sw2 = connection.transmit(list(bytes.fromhex("80CA006600")))
    crd = bytes(data)
    print("GET DATA 0066", crd.hex().upper(), f"{sw1:02X}{sw2:02X}")
    if (sw1, sw2) != (0x90, 0x00) or not crd.startswith(b"\x66"):
        print("GET DATA 0066: expected card recognition data (66...) with 9000", file=sys.stderr)
        return 1
    # {globalPlatform 4 scp i}: the OID 1.2.840.114283.4 followed by the SCP number 03 and its i.
    at = crd.find(OID_SCP03 + b"\x03")
    if at < 0 or at + len(OID_SCP03) + 2 > len(crd):
        print("GET DATA 0066: no SCP03 OID announced", file=sys.stderr)
        return 1
    print("SCP03 i =", f"{crd[at + len(OID_SCP03) + 1]:02X}")

    # GlobalPlatformPro "gp -i": CPLC, IIN, CIN, KDD, SSC, card data, card capabilities, key info.
    for apdu, tag in (("80CA9F7F00", "9F7F2A"), ("80CA004200", "42"), ("80CA004500", "45"),
                      ("80CA00CF00", "CF0A"), ("80CA00C100", "C103"), ("80CA006600", "66"),
                      ("80CA006700", "67"), ("80CA00E000", "E0")):
        data, sw1, sw2 = connection.transmit(list(bytes.fromhex(apdu)))
        print("GET DATA", apdu[4:8], bytes(data).hex().upper(), f"{sw1:02X}{sw2:02X}")
        if (sw1, sw2) != (0x90, 0x00) or not bytes(data).startswith(bytes.fromhex(tag)):
            print(f"GET DATA {apdu}: expected {tag}... with 9000", file=sys.stderr)
            return 1
    # The ISO class answers the value only: the 42 CPLC bytes without 9F7F 2A.
    data, sw1, sw2 = connection.transmit(list(bytes.fromhex("00CA9F7F00")))
    if (sw1, sw2) != (0x90, 0x00) or len(data) != 42:
        print(f"GET DATA 00CA9F7F: expected 42 bytes with 9000, got {len(data)} {sw1:02X}{sw2:02X}",
              file=sys.stderr)
        return 1

    data, sw1, sw2 = connection.transmit(list(bytes.fromhex("80CA00FE00")))
    if (sw1, sw2) != (0x6A, 0x88):
        print(f"GET DATA of an unknown tag: expected 6A88, got {sw1:02X}{sw2:02X}", file=sys.stderr)
        return 1
    data, sw1, sw2 = connection.transmit(list(bytes.fromhex("00FF000000")))
    if (sw1, sw2) != (0x6D, 0x00):
        print(f"unknown INS: expected 6D00, got {sw1:02X}{sw2:02X}", file=sys.stderr)
        return 1
    connection.disconnect()
    print("pyscard checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
