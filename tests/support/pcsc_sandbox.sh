# shellcheck shell=bash
# shellcheck disable=SC2034  # PCSC_SANDBOX_* are set for the scripts that source this file
# A private pcscd with one vsmartcard vpcd reader (two slots), for e2e tests. Source it, then:
#
#   source "$SEFLEET_SOURCE_DIR/tests/support/pcsc_sandbox.sh"
#   trap pcsc_sandbox_stop EXIT
#   pcsc_sandbox_start                  # or: pcsc_sandbox_start /path/to/workdir
#   sefleet card run --state S --vpcd "127.0.0.1:$PCSC_SANDBOX_PORT" &
#   pcsc_wait_card "$PCSC_READER0" present 10 || exit 1
#   timeout 10 opensc-tool -c default -r 0 -s 00A4040000
#   ...
#   pcsc_sandbox_stop                   # stops pcscd by PID, removes the work dir it created
#
# After pcsc_sandbox_start:
#   PCSC_SANDBOX_PORT / PCSC_SANDBOX_PORT1  TCP ports vpcd listens on for slot 0 / slot 1 (the card connects)
#   PCSC_READER0 / PCSC_READER1             "Virtual PCD 00 00" / "Virtual PCD 00 01"
#   PCSC_SANDBOX_PID                        pcscd's PID
#   PCSC_SANDBOX_DIR                        work dir: conf/ (reader.conf.d), run/ (socket), pcscd.log
#   PCSC_SANDBOX_MODE                       isolated | system (the mode actually used)
#   PCSCLITE_CSOCK_NAME (exported, isolated mode)  every pcsc-lite client (opensc-tool, pyscard,
#                                           scriptor, sefleet) in this shell and its children uses it
#
# Modes (PCSC_SANDBOX_MODE before starting; default auto):
#   isolated  pcscd in its own mount namespace with a private /run/pcscd bind-mounted over the real one
#             (pcscd 1.9.9 hard-codes /run/pcscd/pcscd.comm; clients follow PCSCLITE_CSOCK_NAME). Needs
#             root (or CAP_SYS_ADMIN) for unshare --mount. Never touches another pcscd.
#   system    plain pcscd on /run/pcscd/pcscd.comm, only when no other pcscd is alive there.
#   auto      isolated, falling back to system when unshare/mount is not permitted.
# Ports: PCSC_SANDBOX_BASE_PORT (default: random in 41000-59998) is tried first, then others; both
# PORT and PORT+1 must be free. vpcd binds 0.0.0.0 (docs/transport.md).
#
# Requires: pcscd, vsmartcard-vpcd, iproute2 (ss), util-linux (unshare), /usr/bin/python3 with pyscard.

PCSC_SANDBOX_PYTHON=${PCSC_SANDBOX_PYTHON:-/usr/bin/python3}
PCSC_SANDBOX_VPCD_DRIVER=${PCSC_SANDBOX_VPCD_DRIVER:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so}

_pcsc_log() { echo "pcsc_sandbox: $*" >&2; }

_pcsc_ports_free() {
  ! ss -ltnH "( sport = :$1 or sport = :$(($1 + 1)) )" 2>/dev/null | grep -q .
}

# Prints the reader names pcscd reports, one per line; fails when pcscd cannot be reached.
pcsc_list_readers() {
  timeout 10 "$PCSC_SANDBOX_PYTHON" - <<'PY'
import sys
from smartcard.scard import (SCardEstablishContext, SCardListReaders, SCardReleaseContext, SCARD_SCOPE_USER,
                             SCARD_S_SUCCESS, SCARD_E_NO_READERS_AVAILABLE)
hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
if hr != SCARD_S_SUCCESS:
    sys.exit(2)
hr, readers = SCardListReaders(ctx, [])
SCardReleaseContext(ctx)
if hr not in (SCARD_S_SUCCESS, SCARD_E_NO_READERS_AVAILABLE):
    sys.exit(3)
for name in readers if hr == SCARD_S_SUCCESS else []:
    print(name)
PY
}

# pcsc_wait_card NAME present|absent TIMEOUT_SECONDS
# Blocks on SCardGetStatusChange (no fixed sleeps) until reader NAME has (present) or has no (absent)
# card. Returns 0 when reached, 1 on timeout, 2 on a PC/SC error or bad arguments (message on stderr).
pcsc_wait_card() {
  if [ $# -ne 3 ] || { [ "$2" != present ] && [ "$2" != absent ]; }; then
    _pcsc_log "usage: pcsc_wait_card NAME present|absent TIMEOUT_SECONDS"
    return 2
  fi
  # The outer timeout is a safety net only: a hung card can block pcscd itself (reference P5).
  timeout "$(($3 + 5))" "$PCSC_SANDBOX_PYTHON" - "$1" "$2" "$3" <<'PY'
import sys, time
from smartcard.scard import (SCardEstablishContext, SCardGetStatusChange, SCardReleaseContext, SCARD_SCOPE_USER,
                             SCARD_STATE_UNAWARE, SCARD_STATE_PRESENT, SCARD_STATE_UNKNOWN, SCARD_STATE_CHANGED,
                             SCARD_S_SUCCESS, SCARD_E_TIMEOUT, SCardGetErrorMessage)
reader, wanted, timeout = sys.argv[1], sys.argv[2] == "present", float(sys.argv[3])
deadline = time.monotonic() + timeout
hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
if hr != SCARD_S_SUCCESS:
    print("pcsc_wait_card: cannot reach pcscd: " + SCardGetErrorMessage(hr), file=sys.stderr)
    sys.exit(2)
state = SCARD_STATE_UNAWARE
while True:
    left_ms = max(0, int((deadline - time.monotonic()) * 1000))
    hr, states = SCardGetStatusChange(ctx, left_ms, [(reader, state)])
    if hr == SCARD_E_TIMEOUT:
        break
    if hr != SCARD_S_SUCCESS:
        print("pcsc_wait_card: %s: %s" % (reader, SCardGetErrorMessage(hr)), file=sys.stderr)
        SCardReleaseContext(ctx)
        sys.exit(2)
    event = states[0][1]
    if event & SCARD_STATE_UNKNOWN:
        print("pcsc_wait_card: unknown reader %r" % reader, file=sys.stderr)
        SCardReleaseContext(ctx)
        sys.exit(2)
    if bool(event & SCARD_STATE_PRESENT) == wanted:
        SCardReleaseContext(ctx)
        sys.exit(0)
    if left_ms == 0:
        break
    state = event & ~SCARD_STATE_CHANGED
SCardReleaseContext(ctx)
print("pcsc_wait_card: timeout after %s s waiting for %r to be %s" % (sys.argv[3], reader, sys.argv[2]),
      file=sys.stderr)
sys.exit(1)
PY
}

# Starts pcscd (see the header). Returns non-zero with a message when it cannot.
pcsc_sandbox_start() {
  if [ -n "${PCSC_SANDBOX_PID:-}" ] && kill -0 "$PCSC_SANDBOX_PID" 2>/dev/null; then
    _pcsc_log "already running (pid $PCSC_SANDBOX_PID)"
    return 1
  fi
  local d
  for d in /usr/sbin/pcscd "$PCSC_SANDBOX_VPCD_DRIVER" "$PCSC_SANDBOX_PYTHON"; do
    [ -e "$d" ] || { _pcsc_log "missing $d (install pcscd, vsmartcard-vpcd, python3-pyscard)"; return 1; }
  done
  if [ -n "${1:-}" ]; then
    PCSC_SANDBOX_DIR=$1
    _PCSC_SANDBOX_OWN_DIR=0
    mkdir -p "$PCSC_SANDBOX_DIR" || return 1
  else
    PCSC_SANDBOX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pcsc-sandbox.XXXXXX") || return 1
    _PCSC_SANDBOX_OWN_DIR=1
  fi
  mkdir -p "$PCSC_SANDBOX_DIR/conf" "$PCSC_SANDBOX_DIR/run"
  local mode=${PCSC_SANDBOX_MODE:-auto}
  case $mode in auto | isolated | system) ;; *) _pcsc_log "PCSC_SANDBOX_MODE must be auto, isolated or system"; return 1 ;; esac

  local attempt port
  for attempt in 1 2 3 4 5; do
    if [ "$attempt" = 1 ] && [ -n "${PCSC_SANDBOX_BASE_PORT:-}" ]; then
      port=$PCSC_SANDBOX_BASE_PORT
    else
      port=$((41000 + RANDOM % 9000 * 2))
    fi
    _pcsc_ports_free "$port" || continue
    if _pcsc_start_on_port "$port" "$mode"; then
      return 0
    fi
    [ "${_PCSC_FATAL:-0}" = 1 ] && break
  done
  _pcsc_log "could not start pcscd; last log: $PCSC_SANDBOX_DIR/pcscd.log"
  [ -f "$PCSC_SANDBOX_DIR/pcscd.log" ] && tail -n 20 "$PCSC_SANDBOX_DIR/pcscd.log" >&2
  return 1
}

_pcsc_start_on_port() {
  local port=$1 mode=$2
  _PCSC_FATAL=0
  cat >"$PCSC_SANDBOX_DIR/conf/vpcd" <<EOF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$port
LIBPATH      $PCSC_SANDBOX_VPCD_DRIVER
CHANNELID    $port
EOF
  local used=$mode
  if [ "$mode" != system ]; then
    # Probe first: unshare/mount fail without CAP_SYS_ADMIN, and the failure must not be taken for a
    # pcscd that died on start.
    if unshare --mount --propagation private sh -c "mkdir -p /run/pcscd && mount --bind '$PCSC_SANDBOX_DIR/run' /run/pcscd" \
      >"$PCSC_SANDBOX_DIR/unshare-probe.log" 2>&1; then
      used=isolated
    elif [ "$mode" = isolated ]; then
      _pcsc_log "isolated mode not permitted here: $(cat "$PCSC_SANDBOX_DIR/unshare-probe.log")"
      _PCSC_FATAL=1
      return 1
    else
      _pcsc_log "isolated mode not permitted ($(head -n 1 "$PCSC_SANDBOX_DIR/unshare-probe.log")); using the system socket"
      used=system
    fi
  fi
  if [ "$used" = isolated ]; then
    mkdir -p /run/pcscd
    # unshare and sh exec, so $! is pcscd's own PID.
    unshare --mount --propagation private \
      sh -c "mount --bind '$PCSC_SANDBOX_DIR/run' /run/pcscd && exec /usr/sbin/pcscd --foreground -c '$PCSC_SANDBOX_DIR/conf'" \
      >"$PCSC_SANDBOX_DIR/pcscd.log" 2>&1 &
    PCSC_SANDBOX_PID=$!
    export PCSCLITE_CSOCK_NAME=$PCSC_SANDBOX_DIR/run/pcscd.comm
  else
    if [ -e /run/pcscd/pcscd.pid ] && kill -0 "$(cat /run/pcscd/pcscd.pid 2>/dev/null)" 2>/dev/null; then
      _pcsc_log "another pcscd (pid $(cat /run/pcscd/pcscd.pid)) owns /run/pcscd; not touching it"
      _PCSC_FATAL=1
      return 1
    fi
    /usr/sbin/pcscd --foreground -c "$PCSC_SANDBOX_DIR/conf" >"$PCSC_SANDBOX_DIR/pcscd.log" 2>&1 &
    PCSC_SANDBOX_PID=$!
    unset PCSCLITE_CSOCK_NAME
  fi
  PCSC_SANDBOX_MODE=$used
  PCSC_SANDBOX_PORT=$port
  PCSC_SANDBOX_PORT1=$((port + 1))
  PCSC_READER0="Virtual PCD 00 00"
  PCSC_READER1="Virtual PCD 00 01"
  # Ready when both readers are listed and vpcd listens on both ports (about 0.1-0.5 s).
  local i
  for i in $(seq 100); do
    if ! kill -0 "$PCSC_SANDBOX_PID" 2>/dev/null; then
      _pcsc_log "pcscd exited at start (mode $used, port $port)"
      wait "$PCSC_SANDBOX_PID" 2>/dev/null
      PCSC_SANDBOX_PID=
      return 1
    fi
    # Both ports must be held by OUR pcscd: another sandbox may have picked the same ports at once.
    if pcsc_list_readers 2>/dev/null | grep -qx "$PCSC_READER1" &&
      [ "$(ss -ltnpH "( sport = :$port or sport = :$((port + 1)) )" | grep -c "pid=$PCSC_SANDBOX_PID,")" = 2 ]; then
      _pcsc_log "pcscd pid $PCSC_SANDBOX_PID ($used) ready: '$PCSC_READER0' on port $port, '$PCSC_READER1' on $((port + 1))"
      return 0
    fi
    sleep 0.05
  done
  _pcsc_log "pcscd (pid $PCSC_SANDBOX_PID) did not list '$PCSC_READER1' within 5 s"
  _pcsc_stop_pid "$PCSC_SANDBOX_PID"
  PCSC_SANDBOX_PID=
  return 1
}

_pcsc_stop_pid() {
  local pid=$1 _
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    sleep 0.1
  done
  _pcsc_log "pid $pid ignored SIGTERM for 5 s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# Stops the pcscd this library started (by PID, never by name) and removes the work dir it created.
# Safe to call twice and from an EXIT trap.
pcsc_sandbox_stop() {
  if [ -n "${PCSC_SANDBOX_PID:-}" ]; then
    _pcsc_stop_pid "$PCSC_SANDBOX_PID"
    PCSC_SANDBOX_PID=
  fi
  if [ "${_PCSC_SANDBOX_OWN_DIR:-0}" = 1 ] && [ -n "${PCSC_SANDBOX_DIR:-}" ] && [ -d "$PCSC_SANDBOX_DIR" ]; then
    if [ "${PCSC_SANDBOX_KEEP:-0}" = 1 ]; then
      _pcsc_log "keeping $PCSC_SANDBOX_DIR (PCSC_SANDBOX_KEEP=1)"
    else
      rm -rf "$PCSC_SANDBOX_DIR"
    fi
  fi
  _PCSC_SANDBOX_OWN_DIR=0
  if [ "${PCSC_SANDBOX_MODE:-}" = isolated ]; then
    unset PCSCLITE_CSOCK_NAME
  fi
}
