# Sourced by the benchmark scripts: what the figures were measured on, printed with them, because a
# ratio against `openssl speed` depends on the CPU (AES-NI latency and width) and on what else runs.
#   machine_line   -> "CPU: <model> (<n> cores), load average <1 min> <5 min> <15 min>"
#   pin_command    -> the taskset prefix that pins a run to one core (empty without taskset)

machine_line() {
  local model cores load
  model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)
  [ -n "$model" ] || model=$(uname -m)
  cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
  load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
  echo "CPU: $model ($cores cores), load average $load"
}

# The last core: on a shared machine the first one tends to take interrupts and other jobs first.
pin_command() {
  if command -v taskset >/dev/null; then
    echo "taskset -c $(( $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) - 1 ))"
  fi
}

# openssl speed -evp aes-128-cbc at 16 KiB blocks for $1 seconds, in bytes per second of CPU time
# (openssl's default, like Google Benchmark's byte rates). The -mr line reads
# "+F:<n>:aes-128-cbc:<rate per block size>...", the 16 KiB rate being the 4th field.
openssl_aes128cbc_bps() {
  $(pin_command) openssl speed -mr -seconds "$1" -bytes 16384 -evp aes-128-cbc 2>/dev/null |
    awk -F: '/^\+F:/ {print $4; exit}'
}

# The median of the numbers given as arguments.
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
