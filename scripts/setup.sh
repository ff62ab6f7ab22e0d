# Sourced by demo.sh and test.sh: installs what is missing, then builds (incrementally).
# Debian packages with apt-get, Python packages into .venv, the build into build/py.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
BUILD_DIR="$ROOT/build/py"
APT_PACKAGES=(g++ libboost-dev nlohmann-json3-dev libgtest-dev ccache clang-format python3-venv
  clang-14 libclang-rt-14-dev libsimdjson-dev libbenchmark-dev valgrind
  chromium chromium-driver postgresql zlib1g-dev)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "Creating the virtual environment in .venv"
  python3 -m venv "$VENV"
fi
stamp="$VENV/.requirements-dev.sha256"
want="$(sha256sum requirements-dev.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "Installing Python build and test tools"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
# The django-oscar example (examples/oscar): Oscar and its pinned Django, into the same .venv.
oscar_stamp="$VENV/.requirements-oscar.sha256"
oscar_want="$(sha256sum examples/oscar/requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$oscar_stamp" 2>/dev/null)" != "$oscar_want" ]; then
  say "Installing django-oscar for examples/oscar"
  "$VENV/bin/python" -m pip install -q -r examples/oscar/requirements.txt
  echo "$oscar_want" > "$oscar_stamp"
fi
export PATH="$VENV/bin:$PATH"

say "Building shoprules (reusing $BUILD_DIR)"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Paths relative to the checkout in the cache key: a clean clone elsewhere reuses the cache.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" python -m pip install -q --no-build-isolation --no-deps \
  -Cbuild-dir="$BUILD_DIR" \
  -Ccmake.define.SHOPRULES_BUILD_TESTS=ON \
  -Ccmake.define.SHOPRULES_WERROR=ON \
  .
