#!/usr/bin/env bash
# Sets up what is missing, builds, then runs the sample events through the bundled plugins.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
say "Demo: every event in examples/events through the bundled plugins"
python examples/demo.py "$@"
