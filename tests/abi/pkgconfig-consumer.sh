#!/usr/bin/env bash
# Installs the build into a temporary DESTDIR (meson install --no-rebuild),
# builds tests/abi/consumer.c with nothing but `pkg-config --cflags --libs
# libcors` pointed at that copy, runs it against the installed library and
# checks its output. Removes its temporary folder in every case.
# Usage: pkgconfig-consumer.sh BUILD_DIR CONSUMER_C   (CC and MESON from the env)
#        pkgconfig-consumer.sh --installed CONSUMER_C
# With --installed it builds against the libcors installed in the system (the
# libcors-dev package: tools/ci.d/70-debian.sh) with the system's pkg-config only.
set -euo pipefail
build=$1
consumer=$2
cc=${CC:-cc}
meson=${MESON:-meson}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/libcors-consumer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root="$tmp/root"

if [ "$build" = --installed ]; then
  root=""
elif ! DESTDIR="$root" $meson install -C "$build" --no-rebuild >"$tmp/install.log" 2>&1; then
  echo "meson install failed:" >&2
  cat "$tmp/install.log" >&2
  exit 1
fi

if [ -n "$root" ]; then
  pc=$(find "$root" -name libcors.pc -print -quit)
  if [ -z "$pc" ]; then
    echo "libcors.pc was not installed" >&2
    exit 1
  fi
  # The installed copy comes first; the system's .pc files stay visible for
  # the private requirements (pcre2, ...). The sysroot prefixes -I/-L paths
  # with the DESTDIR.
  system_pc_path=$(pkg-config --variable=pc_path pkg-config)
  export PKG_CONFIG_LIBDIR="$(dirname "$pc"):$system_pc_path"
  export PKG_CONFIG_PATH=""
  export PKG_CONFIG_SYSROOT_DIR="$root"
fi
flags=$(pkg-config --cflags --libs libcors)
echo "pkg-config --cflags --libs libcors: $flags"
source_root=$(cd "$(dirname "$0")/../.." && pwd)
for tree in "$source_root" ${root:+"$build"}; do
  case "$flags" in
    *"$tree"*) echo "pkg-config points into the source or build directory" >&2; exit 1 ;;
  esac
done

# shellcheck disable=SC2086
$cc -std=c11 -Wall -Wextra -Werror "$consumer" $flags -o "$tmp/consumer"

libdir=$(pkg-config --variable=libdir libcors)
case "$libdir" in
  "$root"/*) ;;                # pkgconf applies the sysroot to variables too
  *) libdir="$root$libdir" ;;
esac
if [ ! -e "$libdir/libcors.so" ]; then
  echo "no libcors.so in $libdir" >&2
  exit 1
fi
# The program must load the installed library, not the build tree's.
loaded=$(LD_LIBRARY_PATH="$libdir" ldd "$tmp/consumer" | awk '/libcors\.so/ { print $3 }')
case "$loaded" in
  "$libdir"/*) ;;
  *) echo "consumer loads libcors from '$loaded', expected $libdir" >&2; exit 1 ;;
esac

out=$(LD_LIBRARY_PATH="$libdir" "$tmp/consumer")
printf '%s\n' "$out"
expect=(
  "preflight allowed allowed status=200 handler=0"
  "Access-Control-Allow-Origin: https://app.example.com"
  "Access-Control-Allow-Methods: PUT"
  "actual allowed allowed status=0 handler=1"
  "Access-Control-Allow-Origin: https://pr-12.example.net"
)
for line in "${expect[@]}"; do
  if ! grep -qxF -- "$line" <<<"$out"; then
    echo "missing line: $line" >&2
    exit 1
  fi
done
echo "pkg-config consumer OK"
