#!/usr/bin/env bash
# A port that another process listens on is never shared: `sefleet server --listen` and
# `sefleet card run --listen` refuse it at once, exit 1 with a message naming the address, and the
# process already there keeps serving (no SO_REUSEPORT: the kernel would split connections between them).
set -uo pipefail
# shellcheck source=../../support/e2e_processes.sh
source "${SEFLEET_SOURCE_DIR:?}/tests/support/e2e_processes.sh"

# expect_refusal NAME COMMAND...: exit 1 within 30 s, the address and "in use" in the message. (The
# server opens its keystore, scrypt included, and its database before it binds: on a machine loaded by
# parallel builds that alone has taken more than 10 s.)
expect_refusal() {
  local name=$1 address=$2
  shift 2
  timeout 30 "$@" >"$work/$name.out" 2>"$work/$name.err"
  local rc=$?
  [ "$rc" = 1 ] || fail "$name: exit $rc (expected 1): $(cat "$work/$name.err")"
  grep -q "$address" "$work/$name.err" || fail "$name: the message does not name $address: $(cat "$work/$name.err")"
  grep -qi "in use" "$work/$name.err" || fail "$name: the message does not say the address is in use: $(cat "$work/$name.err")"
}

export SEFLEET_PASSPHRASE="port test passphrase"
"$bin" hsm init --keystore "software:$work/hsm.sfks" >/dev/null || fail "hsm init"
(umask 077; echo "admin-token-of-the-port-test" >"$work/admin.token")
# server_args ADDRESS DB_NAME: the arguments of `sefleet server` on ADDRESS with its own database.
server_args() { args=(server --listen "$1" --db "sqlite:$work/$2.db" --keystore "software:$work/hsm.sfks"
  --admin-token-file "$work/admin.token"); }

# --- a server on a port, a second server on the same port ------------------------------------------
port=$(free_port)
server_args "127.0.0.1:$port" first
"$bin" "${args[@]}" >"$work/first.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$port/v1/health" | grep -q ok || fail "first server did not start: $(cat "$work/first.log")"
server_args "127.0.0.1:$port" second
expect_refusal second_server "127.0.0.1:$port" "$bin" "${args[@]}"
# The wildcard address overlaps 127.0.0.1: refused too.
server_args "0.0.0.0:$port" third
expect_refusal wildcard_server "0.0.0.0:$port" "$bin" "${args[@]}"
# Every connection still reaches the first server (its database has no second server's admin rows).
for _ in $(seq 20); do
  curl -fsS "http://127.0.0.1:$port/v1/health" | grep -q ok || fail "the first server stopped answering"
done

# --- the card's TCP server ----------------------------------------------------------------------------
"$bin" card init --state "$work/se1" --profile "$SEFLEET_SOURCE_DIR/examples/card-profile.json" >/dev/null ||
  fail "card init se1"
"$bin" card init --state "$work/se2" --profile "$SEFLEET_SOURCE_DIR/examples/card-profile.json" >/dev/null ||
  fail "card init se2"
# On the server's port.
expect_refusal card_on_server_port "127.0.0.1:$port" "$bin" card run --state "$work/se1" --listen "127.0.0.1:$port"
# Two cards on one port (each with its own state directory).
card_port=$(free_port)
"$bin" card run --state "$work/se1" --listen "127.0.0.1:$card_port" >"$work/card1.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do grep -q "listening on" "$work/card1.log" && break; sleep 0.1; done
grep -q "listening on 127.0.0.1:$card_port" "$work/card1.log" || fail "first card did not start: $(cat "$work/card1.log")"
expect_refusal second_card "127.0.0.1:$card_port" "$bin" card run --state "$work/se2" --listen "127.0.0.1:$card_port"
# And a server on the card's port.
server_args "127.0.0.1:$card_port" fourth
expect_refusal server_on_card_port "127.0.0.1:$card_port" "$bin" "${args[@]}"
# The first card still answers: SELECT of the ISD over its port.
"$bin" apdu --tcp "127.0.0.1:$card_port" 00A4040008A000000151000000 >"$work/apdu.out" 2>&1 ||
  fail "the first card stopped answering: $(cat "$work/apdu.out")"
grep -q "9000" "$work/apdu.out" || fail "SELECT ISD: $(cat "$work/apdu.out")"
echo "listen port in use: refused for server and card run"
