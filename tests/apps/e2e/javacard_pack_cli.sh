#!/usr/bin/env bash
# `sefleet javacard pack` and `sefleet javacard check` as a user runs them (no card): an applet compiled
# by javac against `sefleet javacard api` is packed and checked; then every refusal, each with its exit
# status (2: usage, 1: refused) and a message naming what is wrong: damaged load files (bad magic,
# truncation naming the field, one flipped byte, trailing bytes), classes of two packages, an applet
# class that is missing or has no install(), an existing output without --force, and a class the VM
# would refuse (a long), reported by check with class and method.
set -uo pipefail
bin=${SEFLEET_BIN:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { timeout 60 "$bin" "$@"; }

# expect STATUS PATTERN ARGS...: sefleet exits with STATUS and stdout+stderr match PATTERN (grep -E).
expect() {
  local status=$1 pattern=$2 out code
  shift 2
  out=$(run "$@" 2>&1)
  code=$?
  [ "$code" = "$status" ] || fail "sefleet $* exited $code (expected $status): $out"
  grep -qE -- "$pattern" <<<"$out" || fail "sefleet $*: no /$pattern/ in: $out"
}

src=$SEFLEET_SOURCE_DIR/tests/card/javacard/gp/org/sefleet/test
run javacard api -o "$work/api.jar" >/dev/null || fail "javacard api exited $?"
compile() {  # compile DIR FILES...
  local dir=$1
  shift
  mkdir -p "$dir"
  timeout 120 javac --release 8 -nowarn -cp "$work/api.jar" -d "$dir" "$@" >"$work/javac.log" 2>&1 ||
    fail "javac: $(cat "$work/javac.log")"
}
compile "$work/classes" "$src/gp/GpApplet.java" "$src/gp/Counter.java"

package=F053464A4301
applet=org.sefleet.test.gp.GpApplet=F053464A430101

# Success: pack, then check (text and JSON).
expect 0 "^wrote .*gp.sfjc \([0-9]+ bytes\): package org\.sefleet\.test\.gp 1\.0 AID $package, 2 classes" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet "$applet" -o "$work/gp.sfjc"
expect 0 "applet org\.sefleet\.test\.gp\.GpApplet F053464A430101" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet "$applet" --version 2.7 -o "$work/gp27.sfjc"
expect 0 "gp.sfjc: OK: package org\.sefleet\.test\.gp 1\.0 \(2 classes, 1 applets\) verifies and links" \
  javacard check "$work/gp.sfjc"
expect 0 '"version": "2\.7"' javacard check --json "$work/gp27.sfjc"
json=$(run javacard check --json "$work/gp.sfjc") || fail "check --json exited $?"
/usr/bin/python3 -c '
import json, sys
j = json.loads(sys.argv[1])
assert j["ok"] and j["linked"] and j["findings"] == [] and j["classes"] == 2, j
assert j["applets"] == [{"class": "org.sefleet.test.gp.GpApplet", "aid": "F053464A430101"}], j' "$json" ||
  fail "check --json: $json"

# The output exists: refused without --force (and left as it was), replaced with it.
before=$(sha256sum <"$work/gp.sfjc")
expect 1 "gp\.sfjc exists \(add --force to replace it\)" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet "$applet" -o "$work/gp.sfjc"
[ "$(sha256sum <"$work/gp.sfjc")" = "$before" ] || fail "a refused pack changed the existing file"
expect 0 "^wrote " javacard pack --classes "$work/classes" --package-aid "$package" --applet "$applet" \
  --version 1.0 --force -o "$work/gp.sfjc"
[ "$(sha256sum <"$work/gp.sfjc")" = "$before" ] || fail "the same classes did not give the same load file"

# Usage errors (exit 2, nothing written).
expect 2 "an AID has 5 to 16 bytes, got 4" \
  javacard pack --classes "$work/classes" --package-aid F0534600 --applet "$applet" -o "$work/x.sfjc"
expect 2 "is not FQCN=AIDHEX" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet GpApplet -o "$work/x.sfjc"
expect 2 "give the class name with dots" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet org/sefleet/test/gp/GpApplet=F053464A430101 \
  -o "$work/x.sfjc"
expect 2 "MAJOR\.MINOR" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet "$applet" --version 1.256 -o "$work/x.sfjc"
expect 2 "--output is required|-o,--output is required" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet "$applet"
expect 2 "file is required|The following argument" javacard check
[ ! -e "$work/x.sfjc" ] || fail "a refused pack wrote its output"

# Refusals of what the classes are (exit 1, nothing written).
expect 1 "applet class org\.sefleet\.test\.gp\.Missing is not among the classes|org/sefleet/test/gp/Missing is not among the classes" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet org.sefleet.test.gp.Missing=F053464A430101 \
  -o "$work/x.sfjc"
expect 1 "has no static install\(byte\[\], short, byte\) method" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet org.sefleet.test.gp.Counter=F053464A430101 \
  -o "$work/x.sfjc"
expect 1 "already the package AID or another applet's" \
  javacard pack --classes "$work/classes" --package-aid "$package" --applet "org.sefleet.test.gp.GpApplet=$package" \
  -o "$work/x.sfjc"
mkdir -p "$work/empty"
expect 1 "no \.class file under" javacard pack --classes "$work/empty" --package-aid "$package" -o "$work/x.sfjc"
expect 1 "is not a directory" javacard pack --classes "$work/nothing" --package-aid "$package" -o "$work/x.sfjc"
compile "$work/two" "$src/gp/GpApplet.java" "$src/gp/Counter.java" "$src/gplib/Tally.java"
expect 1 "the classes belong to 2 packages" \
  javacard pack --classes "$work/two" --package-aid "$package" --applet "$applet" -o "$work/x.sfjc"
printf 'not a class' >"$work/empty/Broken.class"
expect 1 "Broken\.class: " javacard pack --classes "$work/empty" --package-aid "$package" -o "$work/x.sfjc"
[ ! -e "$work/x.sfjc" ] || fail "a refused pack wrote its output"

# Damaged load files: check names what is wrong and exits 1.
size=$(stat -c %s "$work/gp.sfjc")
damage() {  # damage NAME PYTHON-EXPRESSION-OVER-b
  /usr/bin/python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b = $2; open(sys.argv[2], 'wb').write(b)" \
    "$work/gp.sfjc" "$work/$1.sfjc"
}
damage magic 'b"XFJC" + b[4:]'
expect 1 "not a sefleet Java Card load file \(magic 58464A43, expected 53464A43" javacard check "$work/magic.sfjc"
damage version 'b[:4] + b"\x02" + b[5:]'
expect 1 "unknown format version 02" javacard check "$work/version.sfjc"
damage short3 'b[:3]'
expect 1 "truncated in the magic \(3 of 4 bytes\)" javacard check "$work/short3.sfjc"
damage short7 'b[:7]'
expect 1 "truncated in the body length" javacard check "$work/short7.sfjc"
damage cut 'b[:-40]'
expect 1 "truncated in class 2 \(org/sefleet/test/gp/GpApplet\) bytes: the header announces $size bytes, the file has $((size - 40))" \
  javacard check "$work/cut.sfjc"
damage nodigest 'b[:-10]'
expect 1 "truncated in the SHA-256" javacard check "$work/nodigest.sfjc"
damage trailing 'b + b"\0\0\0"'
expect 1 "3 trailing bytes after the SHA-256" javacard check "$work/trailing.sfjc"
damage flipped 'b[:200] + bytes([b[200] ^ 1]) + b[201:]'
expect 1 "SHA-256 mismatch: the file is damaged" javacard check "$work/flipped.sfjc"
expect 1 "cannot read the load file .*absent.sfjc: No such file" javacard check "$work/absent.sfjc"

# A class the Java Card subset refuses: check lists it with class and method, exit 1; pack still
# writes it (whether classes verify is check's and the card's decision).
mkdir -p "$work/longsrc/org/sefleet/test/longs"
cat >"$work/longsrc/org/sefleet/test/longs/LongApplet.java" <<'JAVA'
package org.sefleet.test.longs;

import javacard.framework.APDU;
import javacard.framework.Applet;

public final class LongApplet extends Applet {
  private long total;

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new LongApplet().register();
  }

  public void process(APDU apdu) {
    total = total * 3L + apdu.getBuffer()[0];
  }
}
JAVA
compile "$work/longs" "$work/longsrc/org/sefleet/test/longs/LongApplet.java"
expect 0 "^wrote " javacard pack --classes "$work/longs" --package-aid F053464A4309 \
  --applet org.sefleet.test.longs.LongApplet=F053464A430901 -o "$work/longs.sfjc"
expect 1 "org/sefleet/test/longs/LongApplet.*process" javacard check "$work/longs.sfjc"
expect 1 "finding.* in package org\.sefleet\.test\.longs 1\.0" javacard check "$work/longs.sfjc"
json=$(run javacard check --json "$work/longs.sfjc")
[ $? = 1 ] || fail "check --json of a refused package did not exit 1"
/usr/bin/python3 -c '
import json, sys
j = json.loads(sys.argv[1])
assert not j["ok"] and j["findings"], j
assert all(f["class"] == "org/sefleet/test/longs/LongApplet" for f in j["findings"]), j' "$json" ||
  fail "check --json findings: $json"
echo "PASS javacard pack and check"
