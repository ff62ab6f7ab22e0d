#!/usr/bin/env bash
# Builds and tests examples/plugin-birthday the way a plugin author would: copied to a temporary
# folder outside the repository, against the shoprules package installed in .venv, then loaded
# through plugin_dirs by a Host. SHOPRULES_PYTHON=path/to/venv/bin/python builds against the
# shoprules installed in that venv instead (scripts/wheel-test.sh: each installed wheel).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${SHOPRULES_PYTHON:-$ROOT/.venv/bin/python}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$ROOT/examples/plugin-birthday" "$WORK/plugin-birthday"
cd "$WORK/plugin-birthday"
# shoprules from the chosen venv; cmake and ninja from .venv.
export PATH="$(dirname "$PY"):$ROOT/.venv/bin:$PATH"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -Dshoprules_DIR="$(shoprules --cmake-dir)" >build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build >>build.log 2>&1 || { cat build.log; exit 1; }
ctest --test-dir build --output-on-failure
shoprules inspect build/birthday.so >/dev/null
"$PY" - <<'PYEOF'
import shoprules

host = shoprules.Host({"plugin_dirs": ["build"]})
event = {
    "id": "evt-1",
    "type": "order.placed",
    "at": "2026-11-23T10:00:00Z",
    "customer": {"id": "c-1", "tags": ["birthday"]},
    "order": {"id": "o-1", "currency": "USD", "lines": [{"sku": "A", "price": 4995, "qty": 1}]},
}
found = [a for a in host.evaluate(event).actions if a.plugin == "birthday"]
assert [(a.type, a.rule, a.params) for a in found] == [
    ("coupon.issue", "birthday_coupon", {"percent": 15, "expires_in_days": 30})
], found
print("plugin-birthday: built out of tree, tests passed, loaded through plugin_dirs")
PYEOF
