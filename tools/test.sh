#!/usr/bin/env bash
# Builds libcors and runs every test suite: the meson suites, then each extra step in
# tools/ci.d/*.sh (sanitizers, fuzzing, ...) in name order. Assumes the packages of
# tools/install-deps.sh are installed. Ends with a line "N passed, N failed" counting the
# individual checks of the meson suites.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
# the options every suite needs; an existing build directory configured otherwise
# (tests off, no libyaml, a cross file, ...) is reconfigured, or refused if it cannot be
need=(tests=enabled yaml=enabled examples=true)
if [ ! -e "$build" ]; then
  meson setup "$build" "${need[@]/#/-D}"
elif [ ! -f "$build/meson-info/intro-buildoptions.json" ]; then
  echo "test.sh: $build exists but is not a meson build directory: remove it or set BUILD_DIR" >&2
  exit 2
else
  # meson-info/ holds the configured options as JSON; meson-private/cmd_line.txt the
  # command line (with its cross files)
  differ=$(python3 - "$build" "${need[@]}" <<'PY'
import configparser, json, os, sys
build = sys.argv[1]
cmd = configparser.ConfigParser()
cmd.read(os.path.join(build, "meson-private", "cmd_line.txt"))
if cmd.has_option("properties", "cross_file"):
    print("cross")
    sys.exit()
options = json.load(open(os.path.join(build, "meson-info", "intro-buildoptions.json")))
have = {o["name"]: o["value"] for o in options}
for want in sys.argv[2:]:
    name, value = want.split("=", 1)
    if str(have.get(name)).lower() != value:
        print("%s=%s" % (name, have.get(name)))
PY
)
  if [ "$differ" = cross ]; then
    echo "test.sh: $build is a cross build: use another BUILD_DIR" >&2
    exit 2
  elif [ -n "$differ" ]; then
    echo "test.sh: $build was configured with" $differ"; reconfiguring with" "${need[@]}" >&2
    meson configure "$build" "${need[@]/#/-D}"
  fi
fi
meson compile -C "$build"
rc=0
meson test -C "$build" --print-errorlogs --num-processes 2 || rc=$?
python3 tools/test-summary.py "$build/meson-logs/testlog.json" > "$build/test-summary.txt" || true
if [ "$rc" -ne 0 ]; then
  cat "$build/test-summary.txt"
  exit "$rc"
fi
echo "=== meson suites: $SECONDS s"
timings="meson build and suites: $SECONDS s"
for step in tools/ci.d/*.sh; do
  [ -e "$step" ] || continue
  echo "=== $step"
  t=$SECONDS
  bash "$step"
  timings+=$'\n'"$step: $((SECONDS - t)) s"
done
echo "All test steps passed. Checks of the meson suites:"
cat "$build/test-summary.txt"
echo "Time per step:"
echo "$timings"
echo "total: $SECONDS s"
