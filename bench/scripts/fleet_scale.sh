#!/usr/bin/env bash
# A whole campaign for N SEs end to end on PostgreSQL, with the cost of each process per SE:
# `sefleet server` (software keystore holding the kdf3 master key) on a private schema of the
# PostgreSQL at PG_URL, the campaign (profile 3, an image of SIZE bytes) uploaded with
# `sefleet admin campaign upload --targets-file`, then one terminal process (bench_sim_fleet_terminal:
# T agent threads, each SE a virtual SE on a RAM medium personalized when its turn comes) updating all N.
# Measured: SEs per hour; CPU time (user + system, from /proc) per SE of the server, of the terminal
# process (its SE personalization shown apart) and of PostgreSQL (every process of the cluster: the
# postmaster's own and reaped children's time plus its living children's; the cluster must serve
# nothing else); rows of every table of the schema and pg_total_relation_size before and after, per SE;
# peak RSS (VmHWM) of each process. Baseline in the same run: bench_sim_broadcast_ingest (one SE
# ingesting the broadcast stream in process), as SEs per CPU second if ingesting the PSE were the only cost.
#   PG_URL=postgresql://... bench/scripts/fleet_scale.sh [BUILD_DIR] [N, default 1000] [SIZE, default 4096] [T, default 4]
# PG_DATA: the cluster's data directory (default: found from the URL's port); for its postmaster.pid.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/scripts/lib/machine.sh"
build=${1:-$root/build/release}
ses=${2:-1000}
size=${3:-4096}
terminals=${4:-4}
pg_url=${PG_URL:?PG_URL is not set (scripts/pg-sandbox.sh start DIR PORT prints one)}
[ -d "$build" ] || { echo "no build directory $build" >&2; exit 2; }
build=$(cd "$build" && pwd)
bin=$build/apps/sefleet/sefleet
fleet=$build/bench/bench_sim_fleet_terminal
ingest=$build/bench/bench_sim_broadcast_ingest
for f in "$bin" "$fleet"; do [ -x "$f" ] || { echo "missing $f" >&2; exit 2; }; done
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (Debian package time)" >&2; exit 2; }
command -v psql >/dev/null || { echo "psql not installed" >&2; exit 2; }

pg_port=$(echo "$pg_url" | sed -n 's|.*@[^:/]*:\([0-9]*\)/.*|\1|p')
pg_data=${PG_DATA:-$(ps -eo args | awk -v p="$pg_port" '$0 ~ "postgres .*-p " p "( |$)" {for (i = 1; i < NF; i++) if ($i == "-D") print $(i + 1)}' | head -n 1)}
[ -f "$pg_data/postmaster.pid" ] || { echo "cannot find the cluster's postmaster.pid (set PG_DATA)" >&2; exit 2; }
postmaster=$(head -n 1 "$pg_data/postmaster.pid")

work=$(mktemp -d)
schema="fleet_scale_$$"
server_pid=
cleanup() {
  [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
  psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q "$pg_url" -c "CREATE SCHEMA $schema"
db_url="$pg_url?options=-csearch_path%3D$schema"
ticks=$(getconf CLK_TCK)
# CPU seconds of one process (user + system), with its reaped children's when $2 = all.
cpu_of() { awk -v hz="$ticks" -v all="${2:-}" '{ s = $14 + $15; if (all == "all") s += $16 + $17; print s / hz }' "/proc/$1/stat"; }
# CPU seconds of the whole PostgreSQL cluster so far.
pg_cpu() {
  local total child
  total=$(cpu_of "$postmaster" all)
  for child in $(ps -o pid= --ppid "$postmaster"); do
    [ -r "/proc/$child/stat" ] && total=$(awk -v a="$total" -v b="$(cpu_of "$child" 2>/dev/null || echo 0)" 'BEGIN {print a + b}')
  done
  echo "$total"
}
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
pg_hwm_kb() {  # the largest peak RSS among the cluster's processes (shared buffers count in each)
  local max=0 pid v
  for pid in "$postmaster" $(ps -o pid= --ppid "$postmaster"); do
    v=$(hwm_kb "$pid" 2>/dev/null || echo 0)
    [ "${v:-0}" -gt "$max" ] && max=$v
  done
  echo "$max"
}
# rows NAME: "table rows bytes" for every table of the schema into $work/NAME.rows
rows() {
  psql -tA -F' ' "$db_url" -c "SELECT table_name,
      (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint,
      pg_total_relation_size(format('%I.%I', table_schema, table_name)::regclass)
    FROM information_schema.tables WHERE table_schema = '$schema' AND table_type = 'BASE TABLE' ORDER BY 1" >"$work/$1.rows"
}

# --- keys (the server's keystore and the design system's), the package, the targets ------------------
export SEFLEET_PASSPHRASE="fleet scale benchmark"
mkdir -p "$work/keys"
(umask 077
 head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/keys/master.hex"
 head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/keys/kos.hex"
 head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/keys/kmac.hex"
 echo "admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$work/admin.token")
"$bin" hsm init --keystore "software:$work/platform.sfks" >/dev/null
"$bin" hsm import --keystore "software:$work/platform.sfks" --label kos --value-file "$work/keys/kos.hex" --usage wrap,encrypt >/dev/null
"$bin" hsm import --keystore "software:$work/platform.sfks" --label kmac --value-file "$work/keys/kmac.hex" --usage mac >/dev/null
"$bin" hsm init --keystore "software:$work/hsm.sfks" >/dev/null
"$bin" hsm import --keystore "software:$work/hsm.sfks" --label master --value-file "$work/keys/master.hex" --usage mac >/dev/null
head -c "$size" /dev/urandom >"$work/body.bin"
"$bin" campaign build --keystore "software:$work/platform.sfks" --body "$work/body.bin" --type application \
  --platform 0102030405060708 --version 2.0 --name "fleet-scale" --profile 3 --kos kos --platform-key-version 1 \
  -o "$work/package.sfcp" >/dev/null
# The SE ids the fleet is personalized with: "SEFL" ‖ serial (4 bytes, big endian), serials 1..N.
awk -v n="$ses" 'BEGIN {for (i = 1; i <= n; i++) printf "5345464C%08X\n", i}' >"$work/targets.txt"

# --- the server ----------------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
"$bin" server --listen "127.0.0.1:$port" --db "$db_url" --keystore "software:$work/hsm.sfks" \
  --admin-token-file "$work/admin.token" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do curl -fsS "$url/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$url/v1/health" >/dev/null || { echo "server did not start: $(tail -n 5 "$work/server.log")" >&2; exit 1; }
admin() { "$bin" admin "$@" --server "$url" --token-file "$work/admin.token"; }
rows empty

upload_start=$(date +%s.%N)
admin campaign upload "$work/package.sfcp" --master-key master --targets-file "$work/targets.txt" --name fleet-scale \
  --json >"$work/upload.json"
upload_seconds=$(awk -v a="$upload_start" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
campaign=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload.json")
admin token create --name fleet-scale --campaign "$campaign" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$work/terminal.token"
chmod 600 "$work/terminal.token"
rows before
admin campaign show "$campaign" --json >"$work/show-before.json"

# --- the campaign --------------------------------------------------------------------------------------
server_cpu0=$(cpu_of "$server_pid")
pg_cpu0=$(pg_cpu)
echo "$(machine_line) at the start; $ses SEs, image $size B, $terminals terminal threads, upload of the targets $upload_seconds s" >&2
/usr/bin/time -v "$fleet" --server "$url" --token-file "$work/terminal.token" --campaign "$campaign" --ses "$ses" \
  --terminals "$terminals" --keys "$work/keys" --out "$work/fleet.json" >/dev/null 2>"$work/fleet.err" ||
  { echo "terminal process failed: $(tail -n 20 "$work/fleet.err")" >&2; exit 1; }
server_cpu=$(awk -v a="$server_cpu0" -v b="$(cpu_of "$server_pid")" 'BEGIN {print b - a}')
pg_cpu_used=$(awk -v a="$pg_cpu0" -v b="$(pg_cpu)" 'BEGIN {print b - a}')
server_hwm=$(hwm_kb "$server_pid")
pg_hwm=$(pg_hwm_kb)
rows after
admin campaign show "$campaign" --json >"$work/show-after.json"
grep -v '^[0-9]* SEs done' "$work/fleet.err" | grep -v '^\s*$' >"$work/time.txt" || true
machine=$(machine_line)

ingest_bps=0
if [ -x "$ingest" ]; then
  "$ingest" --benchmark_format=json --benchmark_out="$work/ingest.json" --benchmark_out_format=json >/dev/null
  ingest_bps=$(awk '/"bytes_per_second":/ {v = $2; gsub(/,/, "", v); print v; exit}' "$work/ingest.json")
fi

python3 - "$work" "$ses" "$size" "$server_cpu" "$pg_cpu_used" "$server_hwm" "$pg_hwm" "$ingest_bps" "$machine" "$upload_seconds" <<'PY'
import json, re, sys
work, ses, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
server_cpu, pg_cpu = float(sys.argv[4]), float(sys.argv[5])
server_hwm, pg_hwm, ingest_bps, machine, upload = int(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8]), sys.argv[9], float(sys.argv[10])
fleet = json.load(open(f"{work}/fleet.json"))
time_txt = open(f"{work}/time.txt").read()
def field(name):
    return re.search(re.escape(name) + r":\s*([0-9.:]+)", time_txt).group(1)
term_cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
term_hwm = int(field("Maximum resident set size (kbytes)"))
show = json.load(open(f"{work}/show-after.json"))
pse = json.load(open(f"{work}/show-before.json"))["pse"]["size"]
def table(name):
    out = {}
    for line in open(f"{work}/{name}.rows"):
        t, n, b = line.split()
        out[t] = (int(n), int(b))
    return out
empty, before, after = table("empty"), table("before"), table("after")
print(f"== fleet scale on PostgreSQL: {ses} SEs, image {size} B (PSE {pse} B), {fleet['terminals']} terminal threads")
print(f"   {machine} at the end")
print(f"   server: {json.dumps(show['progress'])}, state {show['state']}")
print(f"   terminal: finals {json.dumps(fleet['finals'])}, attempts {fleet['attempts']}")
print(f"   upload of the campaign with {ses} targets: {upload:.2f} s")
print(f"   campaign: {fleet['campaign_seconds']:.1f} s = {fleet['ses_per_hour']:.0f} SEs/hour")
per = lambda s: f"{s:.2f} s = {s / ses * 1e3:.3f} ms/SE"
print(f"   CPU during the campaign: server {per(server_cpu)}; PostgreSQL {per(pg_cpu)}; terminal process {per(term_cpu)}"
      f" (of which SE personalization {per(fleet['personalize_cpu_seconds'])})")
if "http_bytes_to_server" in fleet:
    same = "the same connections throughout" if fleet["http_same_connections"] else "connections were reopened: a lower bound"
    print(f"   HTTP traffic once the PSE is cached (TCP_INFO of the terminal's sockets, {same}): "
          f"{fleet['http_bytes_to_server'] / ses:.0f} B/SE to the server, {fleet['http_bytes_from_server'] / ses:.0f} B/SE from it")
print(f"   peak RSS: server {server_hwm / 1024:.0f} MiB, terminal process {term_hwm / 1024:.0f} MiB, "
      f"largest PostgreSQL process {pg_hwm / 1024:.0f} MiB")
print(f"   {'table':<22} {'rows empty':>10} {'before':>10} {'after':>10} {'rows/SE':>8} {'bytes before':>13} {'bytes after':>12} {'bytes/SE':>9}")
tot_b = tot_a = 0
for t in sorted(after):
    e, b, a = empty.get(t, (0, 0)), before.get(t, (0, 0)), after[t]
    tot_b += b[1]; tot_a += a[1]
    print(f"   {t:<22} {e[0]:>10} {b[0]:>10} {a[0]:>10} {a[0] / ses:>8.2f} {b[1]:>13} {a[1]:>12} {a[1] / ses:>9.1f}")
rows_b = sum(v[0] for v in before.values()); rows_a = sum(v[0] for v in after.values())
print(f"   all tables: rows {rows_b} before, {rows_a} after ({(rows_a - rows_b) / ses:.2f} per SE during the campaign, "
      f"{rows_a / ses:.2f} per SE in all); size {tot_b} B before, {tot_a} B after ({tot_a / ses:.0f} B per SE in all, "
      f"{(tot_a - tot_b) / ses:.0f} B per SE added by the campaign)")
if ingest_bps > 0:
    ideal = ingest_bps / pse
    total_cpu = server_cpu + pg_cpu + term_cpu - fleet["personalize_cpu_seconds"]
    print(f"   baseline: one SE's ingest in process {ingest_bps / 1e6:.0f} MB/s = {ideal:.0f} SEs per CPU second")
    print(f"   whole system (server + PostgreSQL + terminal without personalization): {total_cpu / ses * 1e3:.3f} ms of CPU/SE"
          f" = {ses / total_cpu:.1f} SEs per CPU second = {ses / total_cpu / ideal:.4f} of the baseline")
PY
