#!/usr/bin/env bash
# Builds one shoprules wheel per CPython and repairs each with auditwheel, so that it carries
# every shared library it needs beyond the manylinux set (libsimdjson, which Debian ships only as
# a shared library), into OUTDIR:
#
#   bash scripts/wheel.sh OUTDIR [PYTHON...]
#
# Without PYTHON arguments: every CPython 3.10 to 3.13 found (scripts/pythons.sh). Each version builds in its own folder under build/wheel/
# with the scikit-build-core and pybind11 of .venv. The builds are profile-guided
# (cmake/pgo.cmake): the first wheel's training serves the others, and ccache shares the rest of
# the compiler output (it cannot cache a compile that uses a profile).
# `auditwheel show` must then name a manylinux tag for every wheel. scripts/wheel-test.sh
# installs and tests what this writes.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

[ $# -ge 1 ] || { echo "usage: bash scripts/wheel.sh OUTDIR [PYTHON...]" >&2; exit 2; }
OUT="$(realpath -m "$1")"
shift

if [ $# -gt 0 ]; then
  pythons=("$@")
else
  mapfile -t pythons < <(bash "$ROOT/scripts/pythons.sh")
fi
[ ${#pythons[@]} -gt 0 ] || { echo "wheel.sh: no CPython 3.10 to 3.13 found" >&2; exit 1; }

# Build requirements: the same versions as the main build (.venv), installed once per Python.
mapfile -t build_reqs < <("$VENV/bin/python" -m pip freeze | grep -iE '^(scikit[-_]build[-_]core|pybind11)==')
[ ${#build_reqs[@]} -eq 2 ] || { echo "wheel.sh: .venv lacks scikit-build-core or pybind11" >&2; exit 1; }

mkdir -p "$OUT"
RAW="$(mktemp -d)"
trap 'rm -rf "$RAW"' EXIT
pgo_profile=""  # the first wheel's PGO training (cmake/pgo.cmake) serves the others
for py in "${pythons[@]}"; do
  tag="$("$py" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
  bvenv="$ROOT/build/wheel/venv-$tag"
  if [ ! -x "$bvenv/bin/python" ]; then
    say "Build environment for $tag ($py)"
    "$py" -m venv "$bvenv"
    "$bvenv/bin/python" -m pip install -q --disable-pip-version-check "${build_reqs[@]}"
  fi
  say "Building the $tag wheel (build/wheel/$tag)"
  # cmake and ninja come from .venv (on PATH); scikit-build-core finds them there.
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" "$bvenv/bin/python" -m pip wheel -q \
    --disable-pip-version-check --no-build-isolation --no-deps -w "$RAW/$tag" \
    --config-settings=build-dir="$ROOT/build/wheel/$tag" \
    --config-settings=cmake.define.SHOPRULES_WERROR=ON \
    --config-settings=cmake.define.SHOPRULES_PGO_PROFILE="$pgo_profile" "$ROOT"
  [ -n "$pgo_profile" ] || pgo_profile="$ROOT/build/wheel/$tag/pgo/profile"
  say "Repairing the $tag wheel with auditwheel"
  rm -f "$OUT"/shoprules-*-"$tag"-*.whl
  auditwheel repair -w "$OUT" "$RAW/$tag"/shoprules-*.whl
done

say "auditwheel show: each wheel in $OUT"
status=0
for whl in "$OUT"/shoprules-*.whl; do
  shown="$(auditwheel -v show "$whl" 2>/dev/null | tr -s ' \n' ' ')"
  # The tag auditwheel says the wheel is consistent with must be a manylinux one, the file name
  # must carry it, and no shared library may be left outside the wheel.
  plat="$(grep -oE 'consistent with the following platform tag: "[^"]+"' <<<"$shown" |
    sed -E 's/.*"([^"]+)"/\1/' || true)"
  case "$plat" in
    manylinux_*) [[ "$(basename "$whl")" == *"$plat"* ]] || { echo "$whl: not tagged $plat" >&2; status=1; } ;;
    *) echo "$whl: no manylinux tag (auditwheel says: ${plat:-nothing})" >&2; status=1 ;;
  esac
  if ! grep -q "The wheel requires no external shared libraries" <<<"$shown"; then
    auditwheel show "$whl" >&2
    status=1
  fi
  echo "$(basename "$whl"): auditwheel show: consistent with ${plat:-nothing}"
done
exit $status
