#!/usr/bin/env bash
# Builds the C++ tests and plugins under AddressSanitizer + UndefinedBehaviorSanitizer, and under
# ThreadSanitizer, and runs them (the TSan run: the concurrency tests). Reuses build/asan and
# build/tsan. Needs what scripts/setup.sh installs; run that (or scripts/test.sh) first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

build() {  # build DIR FLAGS [TARGET]
  local dir="$1" flags="$2" target="${3:-all}"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHOPRULES_BUILD_PYTHON=OFF \
    -DSHOPRULES_BUILD_TESTS=ON -DSHOPRULES_WERROR=ON \
    -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_MODULE_LINKER_FLAGS="$flags" \
    -DCMAKE_SHARED_LINKER_FLAGS="$flags" > "$dir.configure.log"
  cmake --build "$dir" --parallel "$(nproc)" --target "$target"
}

say "AddressSanitizer + UndefinedBehaviorSanitizer: every C++ test"
build build/asan "-fsanitize=address,undefined -fno-sanitize-recover=all"
ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure

say "ThreadSanitizer: the concurrency tests (evaluate on many threads while reloading)"
build build/tsan "-fsanitize=thread" evaluate-test
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir build/tsan --output-on-failure -R evaluate
