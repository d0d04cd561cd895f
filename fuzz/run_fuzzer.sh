#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time on a scratch copy of its seed corpus (the checked-in
# corpus stays unchanged). Fails on any crash, sanitizer report or leak.
set -euo pipefail
binary=$1 seeds=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
if [ -d "$seeds" ]; then cp -r "$seeds"/. "$work/corpus/"; fi
cd "$work"
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 corpus
