#!/usr/bin/env bash
# Instructions per evaluation, counted by callgrind: stable where times drift, so a regression
# shows as a number. Counts only what `evaluate_once` (one Host::evaluate, C++ only) executes.
#
#   bash tests/bench/callgrind.sh [build-dir]      # default: build/py (made by scripts/demo.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${1:-$ROOT/build/py}"
BENCH="$BUILD/tests/evaluate-bench"
[ -x "$BENCH" ] || cmake --build "$BUILD" --target evaluate-bench >/dev/null
N=2000
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
echo "| case | instructions per evaluation |"
echo "|---|---|"
for case in order1 order3 order30 return; do
  valgrind --tool=callgrind --toggle-collect='*evaluate_once*' \
    --callgrind-out-file="$OUT/$case.out" "$BENCH" --count "$case" "$N" 2>/dev/null
  total=$(grep -m1 '^totals:' "$OUT/$case.out" | awk '{print $2}')
  echo "| $case | $((total / N)) |"
done
