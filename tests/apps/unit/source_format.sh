#!/usr/bin/env bash
# Every C++ source of the repository is formatted as the repository's .clang-format says (Debian 12's
# clang-format 14), and the check does flag a file that is not.
set -euo pipefail
root=${SEFLEET_SOURCE_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v clang-format >/dev/null || fail "clang-format is not installed (scripts/setup.sh installs it)"

cd "$root"
# A git checkout lists its own files; an exported tree (no .git) is walked instead.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.h')
else
  mapfile -t files < <(find apps bench fuzz src tests -name '*.cpp' -o -name '*.hpp' -o -name '*.h' | sort)
fi
[ "${#files[@]}" -gt 100 ] || fail "only ${#files[@]} C++ files found under $root"
if ! clang-format --dry-run -Werror "${files[@]}" 2>"${TMPDIR:-/tmp}/sefleet-format.$$"; then
  grep -o '^[^:]*:[0-9]*' "${TMPDIR:-/tmp}/sefleet-format.$$" | sort -u -t: -k1,1 | head -20 >&2
  rm -f "${TMPDIR:-/tmp}/sefleet-format.$$"
  fail "files above differ from .clang-format (fix: clang-format -i <file>)"
fi
rm -f "${TMPDIR:-/tmp}/sefleet-format.$$"

# The check is not vacuous: a misformatted file under the same style is flagged.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/.clang-format" "$work/"
printf 'int  f( int x ){return x+1;}\n' >"$work/bad.cpp"
if clang-format --dry-run -Werror "$work/bad.cpp" 2>/dev/null; then
  fail "a misformatted file passed the check"
fi
echo "source format: ${#files[@]} files ok"
