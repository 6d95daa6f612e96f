#!/usr/bin/env bash
# Warnings are errors: the library and the examples build with -Dwerror=true (on top
# of the project's warning_level=3 and extra warnings) under gcc and under clang, each
# in a build directory of its own (build-werror-gcc/, build-werror-clang/), tests off.
set -euo pipefail
cd "$(dirname "$0")/../.."
for compiler in gcc clang; do
  t=$SECONDS
  build=build-werror-$compiler
  if [ ! -f "$build/build.ninja" ]; then
    rm -rf "$build"
    CC=$compiler meson setup "$build" -Dwerror=true -Dtests=disabled -Dexamples=true \
      -Dyaml=enabled >"$build.setup.log" 2>&1 || { cat "$build.setup.log"; exit 1; }
  fi
  meson compile -C "$build" >"$build.compile.log" 2>&1 || { cat "$build.compile.log"; exit 1; }
  echo "15-werror: $compiler: library and examples built with -Dwerror=true in $((SECONDS - t)) s"
done
