#!/usr/bin/env bash
# `sefleet card init|run|info` end to end: personalization and its refusals, the TCP card server,
# --tear-at power cuts at every physical write of SET STATUS (the restarted card is exactly before or
# exactly after, and still opens a session), and refusal of corrupt or truncated state files.
set -uo pipefail
bin=${SEFLEET_BIN:?}
src=${SEFLEET_SOURCE_DIR:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
card_pid=
stop_card() { [ -n "$card_pid" ] && { kill -TERM "$card_pid" 2>/dev/null; wait "$card_pid" 2>/dev/null; }; card_pid=; }
trap 'stop_card; rm -rf "$work"' EXIT
KEY=404142434445464748494A4B4C4D4E4F
profile=$src/examples/card-profile.json

# --- init and its refusals
"$bin" card init --state "$work/se" --profile "$profile" >/dev/null || fail "card init"
[ "$(stat -c %a "$work/se/card.nvm")" = 600 ] || fail "state file is not private (mode $(stat -c %a "$work/se/card.nvm"))"
err=$("$bin" card init --state "$work/se" --profile "$profile" 2>&1); status=$?
[ $status -eq 1 ] && grep -q "already exists" <<<"$err" || fail "re-init of an existing card: exit $status: $err"
"$bin" card init --state "$work/x" >/dev/null 2>&1; [ $? -eq 2 ] || fail "init without --profile must be a usage error"
echo '{"se_id": "0102", "kdd": "00"}' >"$work/bad.json"
err=$("$bin" card init --state "$work/x" --profile "$work/bad.json" 2>&1); status=$?
[ $status -eq 1 ] && grep -q "se_id" <<<"$err" || fail "bad profile: exit $status: $err"
[ ! -e "$work/x/card.nvm" ] || fail "a refused profile left a state file"

# --- info (no secrets)
info=$("$bin" card info --state "$work/se" --json) || fail "card info"
/usr/bin/python3 - "$info" <<'PY' || fail "card info --json: $info"
import json, sys
doc = json.loads(sys.argv[1])
assert doc["se_id"] == "5345464C45455430303031", doc
assert doc["key_sets"][0]["kvn"] == "30", doc
assert "4041424344" not in json.dumps(doc), "a key leaked into card info"
PY

# --- run refusals
"$bin" card run --state "$work/se" >/dev/null 2>&1 && fail "card run without --vpcd/--listen succeeded"
"$bin" card run --state "$work/nothing" --listen 127.0.0.1:0 >/dev/null 2>&1 && fail "card run on a missing state succeeded"

start_card() {  # start_card [--tear-at N]; sets $tcp
  : >"$work/run.log"
  "$bin" card run --state "$work/se" --listen 127.0.0.1:0 "$@" >"$work/run.log" 2>&1 &
  card_pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/run.log" && break; sleep 0.05; done
  tcp=$(grep -o "listening on [0-9.]*:[0-9]*" "$work/run.log" | cut -d' ' -f3)
  [ -n "$tcp" ] || fail "card did not start: $(cat "$work/run.log")"
}
life_cycle() { "$bin" card info --state "$work/se" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["life_cycle"])'; }

start_card
out=$(timeout 20 "$bin" apdu --tcp "$tcp" --key "$KEY" --kvn 30 80F28002024F0000) || fail "apdu over TCP at level 33: $out"
grep -q "9000" <<<"$out" || fail "GET STATUS over TCP: $out"

# --- one process per card state: a second run, info or init is refused at once, naming the holder
refused_in_use() {  # refused_in_use SUBCOMMAND ARGS...: exit 1 within 3 s, naming the holder's PID
  local t0 ms err status
  t0=$(date +%s%N)
  err=$(timeout 10 "$bin" card "$1" --state "$work/se" "${@:2}" 2>&1); status=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  [ $status -eq 1 ] || fail "card $1 on a state in use: exit $status: $err"
  grep -q "in use by process $card_pid" <<<"$err" || fail "card $1: the refusal does not name PID $card_pid: $err"
  [ $ms -lt 3000 ] || fail "card $1 on a state in use took $ms ms to be refused"
}
refused_in_use run --listen 127.0.0.1:0
refused_in_use info
refused_in_use init --profile "$profile"
kill -0 "$card_pid" || fail "the first card run did not survive the refused second one"
stop_card
"$bin" card info --state "$work/se" >/dev/null || fail "card info after the holder stopped"

# --- private modes: the directory 0700, the state file 0600; wider modes are refused with the fix
[ "$(stat -c %a "$work/se")" = 700 ] || fail "state directory mode $(stat -c %a "$work/se"), expected 700"
chmod 644 "$work/se/card.nvm"
err=$("$bin" card run --state "$work/se" --listen 127.0.0.1:0 2>&1); status=$?
[ $status -eq 1 ] && grep -q "chmod 600 $work/se/card.nvm" <<<"$err" || fail "a 0644 card.nvm: exit $status: $err"
chmod 600 "$work/se/card.nvm"
chmod 755 "$work/se"
err=$("$bin" card info --state "$work/se" 2>&1); status=$?
[ $status -eq 1 ] && grep -q "chmod 700 $work/se" <<<"$err" || fail "a 0755 state directory: exit $status: $err"
chmod 700 "$work/se"

# --- tearing: cut power at write N of a session + SET STATUS INITIALIZED, for N = 1, 2, ... until the
# command completes without a cut. After each cut the restarted card is OP_READY or INITIALIZED (never
# anything else), opens a session, and a later full run reaches INITIALIZED.
cp -a "$work/se" "$work/se.before"
cuts=0
for n in $(seq 1 20); do
  rm -rf "$work/se" && cp -a "$work/se.before" "$work/se"
  start_card --tear-at "$n"
  timeout 20 "$bin" gp set-status --tcp "$tcp" --key "$KEY" --kvn 30 --card INITIALIZED >/dev/null 2>&1
  # A cut card has exited with 75 by now (it dies before answering); an uncut one is still serving.
  kill -0 "$card_pid" 2>/dev/null && kill -TERM "$card_pid"
  wait "$card_pid"; status=$?; card_pid=
  if [ $status -ne 75 ]; then
    [ "$(life_cycle)" = "INITIALIZED" ] || fail "uncut run (n=$n) did not reach INITIALIZED: $(life_cycle)"
    break
  fi
  cuts=$((cuts + 1))
  grep -q "power cut at NVM write $n" "$work/run.log" || fail "no power-cut message at n=$n: $(cat "$work/run.log")"
  state=$(life_cycle) || fail "state unreadable after a cut at write $n"
  case "$state" in "OP_READY"|"INITIALIZED") ;; *) fail "cut at write $n left life cycle '$state'";; esac
  start_card
  timeout 20 "$bin" apdu --tcp "$tcp" --key "$KEY" --kvn 30 80CA006600 >/dev/null || fail "no session after a cut at write $n"
  stop_card
done
[ $cuts -ge 2 ] || fail "expected power cuts at several writes (counter commit, SET STATUS commit), saw $cuts"

# --- corrupt and truncated state files are refused at start, clearly
cp -a "$work/se.before" "$work/corrupt"
size=$(stat -c %s "$work/corrupt/card.nvm")
printf '\xff' | dd of="$work/corrupt/card.nvm" bs=1 seek=$((size - 3)) conv=notrunc status=none
err=$("$bin" card run --state "$work/corrupt" --listen 127.0.0.1:0 2>&1); status=$?
[ $status -eq 1 ] || fail "corrupt state: exit $status: $err"
grep -qiE "integrity|checksum|corrupt|crc" <<<"$err" || fail "corrupt state: unclear message: $err"
cp -a "$work/se.before" "$work/truncated"
truncate -s 20 "$work/truncated/card.nvm"
err=$("$bin" card info --state "$work/truncated" 2>&1); status=$?
[ $status -eq 1 ] || fail "truncated state: exit $status: $err"
echo "PASS: card CLI ($cuts power cuts recovered)"
