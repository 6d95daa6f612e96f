#!/usr/bin/env bash
# Builds libcors and runs every test suite: the meson suites, then each extra step in
# tools/ci.d/*.sh (sanitizers, fuzzing, ...) in name order. Assumes the packages of
# tools/install-deps.sh are installed. Ends with a line "N passed, N failed" counting the
# individual checks of the meson suites.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
if [ ! -d "$build" ]; then
  meson setup "$build" -Dtests=enabled -Dyaml=enabled
fi
meson compile -C "$build"
rc=0
meson test -C "$build" --print-errorlogs --num-processes 2 || rc=$?
python3 tools/test-summary.py "$build/meson-logs/testlog.json" > "$build/test-summary.txt" || true
if [ "$rc" -ne 0 ]; then
  cat "$build/test-summary.txt"
  exit "$rc"
fi
for step in tools/ci.d/*.sh; do
  [ -e "$step" ] || continue
  echo "=== $step"
  bash "$step"
done
echo "All test steps passed. Checks of the meson suites:"
cat "$build/test-summary.txt"
