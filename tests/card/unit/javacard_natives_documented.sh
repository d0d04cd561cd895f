#!/usr/bin/env bash
# javacard/rom/NATIVES.md is the contract the C++ natives of javacard.security, javacardx.crypto,
# org.globalplatform and org.sefleet.deferred are written against: every native method of those
# packages in the compiled ROM must be documented there under its binding key
# ("<class>.<method><descriptor>", as a `### ` heading), and every key documented there must be a
# native method of the ROM (no stale entry).
set -uo pipefail
classes="${SEFLEET_BINARY_DIR:?}/javacard/rom-classes"
doc="${SEFLEET_SOURCE_DIR:?}/javacard/rom/NATIVES.md"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$classes" ] || fail "no compiled ROM at $classes (build sefleet_card first)"
command -v javap >/dev/null || fail "javap not found (default-jdk-headless)"

# The binding keys of the ROM's native methods in these packages, from the class files. One javap
# for all of them (a JVM start per class took most of this test's time); each class's listing starts
# with its declaration line, "... class a.b.C$D {" (or interface), which names the class of the natives below.
rom_keys=$(cd "$classes" && find javacard/security javacardx/crypto org/globalplatform org/sefleet \
    -name '*.class' 2>/dev/null | sed 's/\.class$//' | sort | xargs -r javap -p -s -cp . | awk '
    /^[^ ]/ && !/^Compiled from / && match($0, /(class|interface) [A-Za-z_$0-9.]+/) {
                 cls = substr($0, RSTART, RLENGTH); sub(/^(class|interface) /, "", cls); gsub(/\./, "/", cls) }
    / native / { signature = $0; getline; descriptor = $2
                 match(signature, /[A-Za-z_$0-9]+\(/)
                 print cls "." substr(signature, RSTART, RLENGTH - 1) descriptor }' | sort)
[ -n "$rom_keys" ] || fail "found no native method in the ROM classes under $classes"

# The keys documented in NATIVES.md: headings "### `key`" (possibly followed by a remark).
doc_keys=$(sed -n 's/^### `\([^`]*\)`.*/\1/p' "$doc" | sort)

missing=$(comm -23 <(echo "$rom_keys") <(echo "$doc_keys"))
stale=$(comm -13 <(echo "$rom_keys") <(echo "$doc_keys"))
[ -z "$missing" ] || fail "natives of the ROM not documented in javacard/rom/NATIVES.md:
$missing"
[ -z "$stale" ] || fail "keys documented in javacard/rom/NATIVES.md that are no native of the ROM:
$stale"
echo "$(echo "$rom_keys" | wc -l) natives documented"
