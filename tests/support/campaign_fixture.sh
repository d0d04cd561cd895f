# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Sourced after e2e_processes.sh by end-to-end scripts that run a campaign through real processes
# (tests/apps/e2e/admin_cli.sh, dashboard_campaigns.sh, two_servers_postgresql.sh): the platform keystore
# (Kos, Kmac) of the design system and the server's keystore (the kdf3 master key), campaign packages,
# and SEs personalized from the master key with `sefleet hsm derive-scp03`, each served by
# `sefleet card run --listen`.
fixture_kos=404142434445464748494A4B4C4D4E4F
fixture_kmac=505152535455565758595A5B5C5D5E5F
secret() { (umask 077; printf '%s\n' "$2" >"$work/$1"); }

# Creates $platform and $hsm (software keystores under $work) holding kos, kmac and master.
make_keystores() {
  secret master.hex 000102030405060708090A0B0C0D0E0F
  secret kos.hex "$fixture_kos"
  secret kmac.hex "$fixture_kmac"
  export SEFLEET_PASSPHRASE="campaign fixture passphrase"
  platform=software:$work/platform.sfks
  hsm=software:$work/hsm.sfks
  local sefleet=(timeout 60 "$bin")
  "${sefleet[@]}" hsm init --keystore "$platform" >/dev/null || fail "hsm init (platform)"
  "${sefleet[@]}" hsm import --keystore "$platform" --label kos --value-file "$work/kos.hex" --usage wrap,encrypt \
    >/dev/null || fail "hsm import kos"
  "${sefleet[@]}" hsm import --keystore "$platform" --label kmac --value-file "$work/kmac.hex" --usage mac \
    >/dev/null || fail "hsm import kmac"
  "${sefleet[@]}" hsm init --keystore "$hsm" >/dev/null || fail "hsm init (server)"
  "${sefleet[@]}" hsm import --keystore "$hsm" --label master --value-file "$work/master.hex" --usage mac \
    >/dev/null || fail "hsm import master"
}

# build_package VERSION FILE: an application image for platform 0102030405060708 (profile 3).
build_package() {
  [ -f "$work/body.bin" ] || head -c 3000 /dev/urandom >"$work/body.bin"
  timeout 60 "$bin" campaign build --keystore "$platform" --body "$work/body.bin" --type application \
    --platform 0102030405060708 --version "$1" --name "wallet-$1" --profile 3 --kos kos --platform-key-version 1 \
    --chunk-size 200 -o "$2" >/dev/null || fail "campaign build $1"
}

# start_se NAME SE_ID KDD [EXTRA]: an SE whose SCP03 keys are diversified from the master key, listening
# on TCP; EXTRA adds members to its profile (e.g. '"scp11": {...},'); sets $se_port.
start_se() {
  local name=$1 se_id=$2 kdd=$3 extra=${4:-}
  timeout 60 "$bin" hsm derive-scp03 --keystore "$hsm" --label master --kdd "$kdd" -o "$work/$name.keys" \
    >/dev/null || fail "hsm derive-scp03 $name"
  cat >"$work/$name.json" <<JSON
{"se_id": "$se_id", "kdd": "$kdd", "isd_aid": "A000000151000000", "platform_id": "0102030405060708",
 "scp03": {"i": "70"}, $extra "platform_keys": {"version": 1, "kos": "$fixture_kos", "kmac": "$fixture_kmac"},
 "allow_downgrade": false}
JSON
  timeout 60 "$bin" card init --state "$work/$name" --profile "$work/$name.json" --scp03-keys "$work/$name.keys" \
    >/dev/null || fail "card init $name"
  se_port=$(free_port)
  "$bin" card run --state "$work/$name" --listen "127.0.0.1:$se_port" >"$work/$name.log" 2>&1 &
  pids+=($!)
}

# start_server NAME DB_URL [SERVER OPTION...]: `sefleet server` with the admin token in $work/admin.token
# (created once); sets $server_url (wait_healthy waits for it).
start_server() {
  local name=$1 db=$2
  shift 2
  [ -f "$work/admin.token" ] || secret admin.token "admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  local port
  port=$(free_port)
  server_url=http://127.0.0.1:$port
  "$bin" server --listen "127.0.0.1:$port" --db "$db" --keystore "$hsm" --admin-token-file "$work/admin.token" \
    "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}

# wait_healthy URL: fails unless the server answers /v1/health within 30 s.
wait_healthy() {
  for _ in $(seq 300); do curl -fsS "$1/v1/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "server $1 did not come up: $(tail -n 5 "$work"/server*.log 2>/dev/null)"
}
