#!/usr/bin/env bash
# The API reference: Doxygen over include/cors/cors.h (docs/api/) must produce no
# warning at all (every function documents each parameter and its return value).
# Its own build directory, build-docs/; the HTML stays in build-docs/docs/api/html/.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$SECONDS
build=build-docs
if [ ! -f "$build/build.ninja" ]; then
  rm -rf "$build"
  meson setup "$build" -Ddocs=enabled -Dtests=disabled -Dexamples=false >/dev/null
fi
meson compile -C "$build" docs >"$build/docs.log" 2>&1 ||
  { cat "$build/docs.log" "$build/docs/api/warnings.log" 2>/dev/null; echo "80-doxygen: failed" >&2; exit 1; }
if [ -s "$build/docs/api/warnings.log" ]; then
  cat "$build/docs/api/warnings.log"; echo "80-doxygen: warnings" >&2; exit 1
fi
echo "80-doxygen: API reference without warnings ($(ls "$build"/docs/api/html/*.html | wc -l) pages) in $((SECONDS - t0)) s"
