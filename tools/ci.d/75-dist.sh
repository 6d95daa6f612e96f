#!/usr/bin/env bash
# Release tarball: `meson dist` (the committed tree, as a user downloads it) must build
# and pass the unit, abi, text and cli suites where there is no git. The tarball is
# unpacked into a temporary directory outside the checkout and built there from
# scratch. The tarball and its checksum stay in build-dist/meson-dist/.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$SECONDS
build=build-dist
rm -rf "$build"
meson setup "$build" >/dev/null
# --allow-dirty: a local run may have uncommitted changes (CI has none); the tarball
# holds only what is committed either way. The full suite of the unpacked tree is
# run below, without git, rather than by meson dist itself.
meson dist -C "$build" --no-tests --allow-dirty --formats xztar >"$build/dist.log" 2>&1 ||
  { cat "$build/dist.log"; exit 1; }
tarball=$(ls "$build"/meson-dist/libcors-*.tar.xz)
(cd "$build/meson-dist" && sha256sum -c "$(basename "$tarball").sha256sum" >/dev/null)
echo "75-dist: $(basename "$tarball"): $(tar -tJf "$tarball" | wc -l) entries, $(du -k "$tarball" | cut -f1) KiB"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/libcors-dist.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp"
src=$(echo "$tmp"/libcors-*)
# nothing of git in the tarball
if [ -e "$src/.git" ] || tar -tJf "$tarball" | grep -q '/\.git/'; then
  echo "75-dist: the tarball holds git metadata" >&2; exit 1
fi
# no repository around it, and a git that fails and records every call in front of
# the real one: the build must not need git
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  echo "75-dist: $src is inside a git repository" >&2; exit 1
fi
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "git $*" >> %s/git-calls.log\nexit 127\n' "$tmp" >"$tmp/bin/git"
chmod +x "$tmp/bin/git"
(cd "$src" && export PATH="$tmp/bin:$PATH" GIT_CEILING_DIRECTORIES="$tmp" &&
  { meson setup "$tmp/build" -Dtests=enabled -Dyaml=enabled -Dnginx=disabled \
    -Dbrowser=disabled >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; exit 1; }; } &&
  { meson compile -C "$tmp/build" >"$tmp/compile.log" 2>&1 || { cat "$tmp/compile.log"; exit 1; }; } &&
  { meson test -C "$tmp/build" --suite unit --suite abi --suite text --suite cli \
    --print-errorlogs --num-processes 2 >"$tmp/test.log" 2>&1 || { cat "$tmp/test.log"; exit 1; }; })
if [ -s "$tmp/git-calls.log" ]; then
  echo "75-dist: the build of the tarball ran git:" >&2; cat "$tmp/git-calls.log" >&2; exit 1
fi
echo "75-dist: the unpacked tarball builds and passes the unit, abi, text and cli suites" \
  "without git ($(grep -E '^Ok:' "$tmp/test.log" | tr -s ' '))"
echo "75-dist: total $((SECONDS - t0)) s"
