#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build/fuzz and runs each for a
# bounded number of inputs, starting from the seed corpus in tests/fuzz/corpus. A crash fails
# the run and leaves the input in build/fuzz as crash-*. Needs what scripts/setup.sh installs.
#   bash scripts/fuzz.sh            # 20000 inputs per target
#   RUNS=1000000 bash scripts/fuzz.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
# The compile cache, keyed on paths relative to the checkout (as scripts/setup.sh sets it): a clean
# clone in another folder reuses it.
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
RUNS="${RUNS:-20000}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "Building the fuzz targets with clang"
flags="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-sanitize-recover=all"
CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSHOPRULES_BUILD_PYTHON=OFF -DSHOPRULES_BUILD_TESTS=OFF -DSHOPRULES_BUILD_FUZZERS=ON \
  -DSHOPRULES_PLUGIN_NO_UNDEFINED=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined" > build/fuzz.configure.log
cmake --build build/fuzz --parallel "$(nproc)"

for target in config event; do
  say "Fuzzing $target: $RUNS inputs"
  corpus="build/fuzz/corpus-$target"
  mkdir -p "$corpus"
  (cd build/fuzz && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
    "./tests/fuzz/$target-fuzz" -runs="$RUNS" -max_len=8192 -timeout=10 \
    -print_final_stats=1 "corpus-$target" "$ROOT/tests/fuzz/corpus/${target/event/events}" \
    2>&1 | grep -E "^(#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|==[0-9]+==|SUMMARY|artifact)" )
done
