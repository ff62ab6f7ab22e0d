#!/usr/bin/env bash
# Instructions per replayed event, counted by callgrind: stable where times drift with the load,
# so what a change to the replay saves shows as a number. Each figure is the difference between
# two runs that differ only by N events (so loading plugins and pyarrow cancels out), divided by
# N; one C++ worker thread. Under valgrind, simdjson and libc take their AVX2 paths, not AVX-512:
# JSON parsing counts more instructions than it runs on this machine.
#
#   bash tests/bench/simulate_callgrind.sh [N]      # default 10000; the installed shoprules
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
N="${1:-10000}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
"$PY" - "$OUT" "$N" <<'EOF'
import json, random, sys
from pathlib import Path
sys.path.insert(0, "tests/bench")
import make_events
import pyarrow as pa
import pyarrow.parquet as pq
from shoprules import eventlog
out, n = Path(sys.argv[1]), int(sys.argv[2])
rng = random.Random(2026)
for size in (n, 2 * n):
    events = [make_events.event(i, rng) for i in range(size)]
    (out / f"{size}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    table = pa.Table.from_pylist(events, schema=eventlog.event_schema())
    pq.write_table(table, out / f"{size}.parquet", row_group_size=eventlog.BATCH_ROWS)
    for e in events:  # as `shoprules convert --times timestamp` writes them
        assert eventlog._times_as_timestamps(e) is None
    table = pa.Table.from_pylist(events, schema=eventlog.event_schema("timestamp"))
    pq.write_table(table, out / f"{size}.stamped.parquet", row_group_size=eventlog.BATCH_ROWS)
EOF
cat >"$OUT/replay.py" <<'EOF'
import sys
from shoprules import eventlog
log, runs, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "cache"
for _ in range(runs):
    eventlog.simulate(log, None, threads=1, cache=cache)
EOF
count() {  # instructions of one process replaying: LOG RUNS cache|plain
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$PY" "$OUT/replay.py" "$@" \
    >/dev/null 2>&1
  grep -m1 -E '^(summary|totals):' "$OUT/cg.out" | awk '{print $2}'
}
echo "| replay | instructions per event |"
echo "|---|---:|"
for kind in jsonl parquet stamped.parquet; do
  small=$(count "$OUT/$N.$kind" 1 plain)
  big=$(count "$OUT/$((2 * N)).$kind" 1 plain)
  label=$kind
  [ "$kind" = stamped.parquet ] && label="parquet, times as timestamps"
  echo "| $label | $(((big - small) / N)) |"
done
once=$(count "$OUT/$N.parquet" 2 cache)
twice=$(count "$OUT/$N.parquet" 3 cache)
echo "| parquet, kept in memory (a repeat) | $(((twice - once) / N)) |"
