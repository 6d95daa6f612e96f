#!/usr/bin/env bash
# Builds libcors and runs every test suite: the meson suites, then each extra step in
# tools/ci.d/*.sh (sanitizers, fuzzing, ...) in name order. Assumes the packages of
# tools/install-deps.sh are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
if [ ! -d "$build" ]; then
  meson setup "$build" -Dtests=enabled -Dyaml=enabled
fi
meson compile -C "$build"
meson test -C "$build" --print-errorlogs --num-processes 2
for step in tools/ci.d/*.sh; do
  [ -e "$step" ] || continue
  echo "=== $step"
  bash "$step"
done
echo "All test steps passed."
