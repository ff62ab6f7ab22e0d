#!/usr/bin/env bash
# Prints the interpreter of every CPython 3.10 to 3.13 found, one a line: the newest of each
# minor version under pyenv ($PYENV_ROOT or ~/.pyenv), else python3.X on PATH. The versions
# scripts/wheel.sh builds and scripts/wheel-test.sh tests (pyproject.toml's requires-python).
set -euo pipefail
root="${PYENV_ROOT:-$HOME/.pyenv}"
for v in 3.10 3.11 3.12 3.13; do
  found="$(ls -d "$root/versions/$v".* 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$found" ] && [ -x "$found/bin/python$v" ]; then
    echo "$found/bin/python$v"
  elif command -v "python$v" >/dev/null; then
    command -v "python$v"
  fi
done
