#!/usr/bin/env bash
# Builds the wheels (scripts/wheel.sh) and tests each on its Python, as a user would get it: a
# fresh venv holding the wheel and nothing else, used from a folder outside the source tree.
# Per version: tests/wheel/smoke.py (the public API, the SDK files, simulate, and `ldd` on the
# extension and plugins finding nothing outside the wheel but glibc, libstdc++ and libgcc),
# `shoprules --help`, and the out-of-tree plugin example built against the installed wheel.
#
#   bash scripts/wheel-test.sh [OUTDIR]     (default build/wheel/dist)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/build/wheel/dist}")"
start=$SECONDS

mapfile -t pythons < <(bash "$ROOT/scripts/pythons.sh")
[ ${#pythons[@]} -gt 0 ] || { echo "wheel-test.sh: no CPython 3.10 to 3.13 found" >&2; exit 1; }
bash "$ROOT/scripts/wheel.sh" "$OUT" "${pythons[@]}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for py in "${pythons[@]}"; do
  t0=$SECONDS
  tag="$("$py" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
  whl=("$OUT"/shoprules-*-"$tag"-"$tag"-manylinux*.whl)
  [ -f "${whl[0]}" ] || { echo "wheel-test.sh: no $tag wheel in $OUT" >&2; exit 1; }
  printf '\033[1m==> %s\033[0m\n' "Testing $(basename "${whl[0]}") with $py"
  venv="$WORK/venv-$tag"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-index --no-deps "${whl[0]}"
  cp "$ROOT/tests/wheel/smoke.py" "$WORK/smoke.py"
  (cd "$WORK" && "$venv/bin/python" -I smoke.py)
  (cd "$WORK" && "$venv/bin/shoprules" --help >/dev/null)
  SHOPRULES_PYTHON="$venv/bin/python" bash "$ROOT/scripts/plugin-example.sh"
  echo "$tag: tested in $((SECONDS - t0)) s"
done
echo "wheel-test.sh: ${#pythons[@]} wheels built and tested in $((SECONDS - start)) s"
