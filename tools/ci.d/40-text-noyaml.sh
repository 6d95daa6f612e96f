#!/usr/bin/env bash
# Text policies without libyaml: the library must still build, the loader must
# answer "not supported" (CORS_E_UNSUPPORTED, text-unsupported), and cors-eval
# must say so and exit 1. Runs the 'text' and 'cli' suites of a -Dyaml=disabled
# build in a temporary build directory, removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d "${TMPDIR:-/tmp}/libcors-noyaml.XXXXXX")
trap 'rm -rf "$dir"' EXIT
meson setup "$dir" -Dtests=enabled -Dyaml=disabled -Dexamples=true >/dev/null
meson compile -C "$dir" test-text cors-eval
meson test -C "$dir" --suite text --suite cli --print-errorlogs --num-processes 2
