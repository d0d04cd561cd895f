#!/usr/bin/env bash
# Compile CPU time of the objects of some targets, cold: builds the generated sources they compile
# (untimed), then runs the compile commands of the targets' objects (precompiled headers first, then
# sources or unity batches; two at a time, without ccache) under /usr/bin/time. Only compilations:
# nothing the objects wait for (libraries, javac of test applets), no archive, no link. Prints the CPU
# seconds (user + sys), the wall seconds, the number of compilations and the load average before and
# after; docs/ci.md "Compile time" has the figures.
#
#   scripts/compile-cpu.sh [--only <regex>] <configured Ninja build folder> <target>...
#
# --only keeps the objects whose path matches <regex> (extended), e.g. the sources of one unity batch
# in a tree built without unity batches, to compare the same sources both ways.
set -euo pipefail
only=.
if [ "${1:-}" = "--only" ]; then
  only=$2
  shift 2
fi
[ $# -ge 2 ] || { echo "usage: $0 [--only <regex>] <build folder> <target>..." >&2; exit 2; }
dir=$(cd "$1" && pwd)
shift
[ -f "$dir/build.ninja" ] || { echo "$dir: not a configured Ninja build folder" >&2; exit 2; }
export CCACHE_DISABLE=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

all_targets=$(ninja -C "$dir" -t targets all)
headers=()
sources=()
for target in "$@"; do
  # The precompiled header (.gch for GCC, .pch for clang) and the objects of the target.
  mapfile -t found < <(sed -n "s#^\([^:]*/$target\.dir/[^:]*\.\(o\|gch\|pch\)\): .*#\1#p" <<<"$all_targets" |
                       grep -E -- "($only)|\.(gch|pch)\$")
  [ "${#found[@]}" -gt 0 ] || { echo "$target: no object in $dir" >&2; exit 2; }
  for output in "${found[@]}"; do
    case $output in
      *.gch | *.pch) headers+=("$output") ;;
      *) sources+=("$output") ;;
    esac
  done
done
# Generated inputs (embedded files) exist before timing starts: the custom commands (`cd <dir> && ...`:
# javac, the embedding script) that write the explicit inputs of the compilations, run in order;
# ninja itself would first build every library these wait for.
mapfile -t inputs < <(ninja -C "$dir" -t query "${headers[@]}" "${sources[@]}" |
                      awk '/^  input:/ {reading = 1; next} /^  outputs:/ {reading = 0} reading && $1 !~ /^\|/ {print $1}' | sort -u)
for input in "${inputs[@]}"; do
  [ -e "$input" ] || [ -e "$dir/$input" ] || ninja -C "$dir" -t commands "$input" | grep '^cd ' | awk '!seen[$0]++'
done >"$work/generate"
(cd "$dir" && bash -e "$work/generate" >/dev/null)
for output in "${headers[@]}" "${sources[@]}"; do rm -f "$dir/$output"; done
for output in "${headers[@]}"; do ninja -C "$dir" -t commands -s "$output"; done >"$work/headers"
for output in "${sources[@]}"; do ninja -C "$dir" -t commands -s "$output"; done >"$work/sources"

cat >"$work/run" <<'EOF'
set -e
cd "$1"
for list in "$2/headers" "$2/sources"; do
  tr '\n' '\0' <"$list" | xargs -0 -r -P 2 -I{} sh -c '{}'
done
EOF
read -r load_before _ < /proc/loadavg
/usr/bin/time -f '%U %S %e' -o "$work/time" bash "$work/run" "$dir" "$work"
read -r load_after _ < /proc/loadavg
read -r user sys wall < "$work/time"
printf 'targets: %s\ncompilations: %d (+ %d precompiled headers)\ncpu_s: %.1f (user %.1f + sys %.1f)\nwall_s: %.1f\nload (1 min) before/after: %s / %s\n' \
  "$*" "${#sources[@]}" "${#headers[@]}" "$(echo "$user + $sys" | bc)" "$user" "$sys" "$wall" "$load_before" "$load_after"
