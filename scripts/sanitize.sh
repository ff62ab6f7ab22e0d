#!/usr/bin/env bash
# Builds the C++ tests and plugins under AddressSanitizer + UndefinedBehaviorSanitizer, and under
# ThreadSanitizer, and runs them (the TSan run: the concurrency tests); then runs the Release
# build's C++ tests under valgrind memcheck. Reuses build/asan and build/tsan. Needs what
# scripts/setup.sh installs and the build scripts/test.sh makes; run that first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
# The compile cache, keyed on paths relative to the checkout (as scripts/setup.sh sets it): a clean
# clone in another folder reuses it.
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

build() {  # build DIR FLAGS [TARGET]
  local dir="$1" flags="$2" target="${3:-all}"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHOPRULES_BUILD_PYTHON=OFF \
    -DSHOPRULES_BUILD_TESTS=ON -DSHOPRULES_WERROR=ON \
    -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_MODULE_LINKER_FLAGS="$flags" \
    -DCMAKE_SHARED_LINKER_FLAGS="$flags" > "$dir.configure.log"
  # shellcheck disable=SC2086  # TARGET may name several targets
  cmake --build "$dir" --parallel "$(nproc)" --target $target
}

say "AddressSanitizer + UndefinedBehaviorSanitizer: every C++ test"
build build/asan "-fsanitize=address,undefined -fno-sanitize-recover=all"
# Isolated workers run sanitized too (forked from a single-threaded template, which both
# sanitizers allow); they get no RLIMIT_AS there, since the sanitizers reserve terabytes of shadow
# address space, so the out-of-memory test (a plugin touching 10 GiB) runs only unsanitized.
# handle_segv=0: a worker that crashes on purpose (tests/plugins/crashy) dies by its signal, which
# is what the host reports, instead of by ASan's report and exit.
ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:handle_segv=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
GTEST_FILTER=-Isolation.MemoryPastTheLimitIsOutOfMemory \
  ctest --test-dir build/asan --output-on-failure

say "ThreadSanitizer: the concurrency tests (evaluate on many threads while reloading)"
build build/tsan "-fsanitize=thread" "evaluate-test isolation-test shoprules-worker"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:handle_segv=0 \
GTEST_FILTER=-Isolation.MemoryPastTheLimitIsOutOfMemory \
  ctest --test-dir build/tsan --output-on-failure -R "evaluate|isolation"

say "valgrind memcheck: every C++ test of the Release build (build/py, from scripts/test.sh)"
if [ ! -d build/py/tests ]; then
  echo "build/py/tests is missing: run scripts/test.sh first" >&2
  exit 1
fi
# Three tests run thousands of evaluations or hundreds of reloads across threads: minutes each under
# valgrind's serialized threads. Their code paths run in the other tests, and their concurrency
# is what the TSan pass checks.
heavy="Evaluate.SamplingIsStableAndHitsItsRate:Evaluate.ManyMatchesOneByOne"
heavy="$heavy:Evaluate.ReloadWhileEvaluatingOnManyThreads"
# Isolated plugins meet deadlines (timeout_ms) that valgrind's slowdown of the host would miss;
# their code runs under ASan and TSan above.
heavy="$heavy:Isolation.*"
for test in build/py/tests/*-test; do
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    "$test" --gtest_brief=1 --gtest_filter="-$heavy" > "$test.memcheck.log" 2>&1 \
    || { cat "$test.memcheck.log"; echo "valgrind: $test failed" >&2; exit 1; }
  echo "valgrind: $(basename "$test") clean"
done
