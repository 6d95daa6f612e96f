#!/usr/bin/env bash
# Portability: cross-builds libcors for arm64 (little-endian) and s390x (big-endian)
# with Debian's cross compilers and runs the unit, text, cli and hostile suites under
# qemu-user-static (meson cross files in tools/cross/, exe_wrapper).
#
# Installs what it needs itself (it must add foreign architectures before apt-get
# update, which tools/install-deps.sh cannot do): arm64 libraries by multiarch; the
# s390x ones cannot be co-installed (Debian's security archive has no s390x), so they
# are downloaded and unpacked into a sysroot, build-s390x-sysroot/. Idempotent.
# Build directories: build-arm64/, build-s390x/. CROSS_ARCHES="arm64" limits the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
arches=${CROSS_ARCHES:-arm64 s390x}
suites=(--suite unit --suite text --suite cli --suite hostile)
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
apt=($sudo apt-get -o DPkg::Lock::Timeout=300 -q)

# dependencies of the library and its tests, as in tools/deps.d/10-core.txt
libs=(libpcre2-dev check libsubunit-dev libyaml-dev libidn2-dev libpsl-dev)
# their run-time libraries (for the s390x sysroot, where nothing resolves them)
s390x_runtime=(libc6 libpcre2-8-0 libsubunit0 libyaml-0-2 libidn2-0 libunistring2 libpsl5)

t0=$SECONDS
need_update=0
for arch in $arches; do
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    $sudo dpkg --add-architecture "$arch"
    need_update=1
  fi
done
tools=(qemu-user-static)
for arch in $arches; do
  case $arch in
    arm64) tools+=(gcc-aarch64-linux-gnu "${libs[@]/%/:arm64}") ;;
    s390x) tools+=(gcc-s390x-linux-gnu libc6-dev-s390x-cross linux-libc-dev-s390x-cross) ;;
    *) echo "60-cross: unknown architecture $arch" >&2; exit 2 ;;
  esac
done
missing=0
for p in "${tools[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing=1
done
if [ "$missing" = 1 ] || [ "$need_update" = 1 ]; then
  "${apt[@]}" update
  "${apt[@]}" install -y --no-install-recommends "${tools[@]}"
fi

if [[ " $arches " == *" s390x "* ]]; then
  sysroot=$root/build-s390x-sysroot
  if [ ! -e "$sysroot/.complete" ]; then
    rm -rf "$sysroot" && mkdir -p "$sysroot/debs"
    # apt-get download writes into the current directory, as the _apt user if it can
    chmod 777 "$sysroot/debs"
    (cd "$sysroot/debs" && "${apt[@]}" download "${libs[@]/%/:s390x}" "${s390x_runtime[@]/%/:s390x}")
    for deb in "$sysroot"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
    rm -rf "$sysroot/debs"
    touch "$sysroot/.complete"
  fi
  printf "[constants]\nsysroot = '%s'\n" "$sysroot" > "$root/build-s390x-sysroot.ini"
fi
echo "60-cross: toolchains and libraries ready in $((SECONDS - t0)) s"

for arch in $arches; do
  t=$SECONDS
  build=build-$arch
  cross=(--cross-file "tools/cross/$arch.ini")
  [ "$arch" = s390x ] && cross=(--cross-file build-s390x-sysroot.ini "${cross[@]}")
  if [ ! -f "$build/build.ninja" ]; then
    rm -rf "$build"
    # no nginx module, browser suite or demo server: they need the build machine's
    # nginx, chromium and libmicrohttpd
    meson setup "$build" "${cross[@]}" -Dtests=enabled -Dyaml=enabled -Didn=enabled \
      -Dpsl=enabled -Dnginx=disabled -Dbrowser=disabled >"$build.setup.log" 2>&1 ||
      { cat "$build.setup.log"; exit 1; }
  fi
  meson compile -C "$build" >/dev/null
  # emulation is slower than the hostile suite's time bounds and Check's per-test
  # timeouts expect (as under valgrind)
  CORS_TEST_SLOW=10 CK_TIMEOUT_MULTIPLIER=10 meson test -C "$build" "${suites[@]}" --print-errorlogs --num-processes 2 \
    --timeout-multiplier 4 >"$build/cross-test.log" 2>&1 ||
    { cat "$build/cross-test.log"; echo "60-cross: $arch: tests failed" >&2; exit 1; }
  summary=$(grep -E '^(Ok|Fail):' "$build/cross-test.log" | tr -s ' ' | paste -sd ' ')
  echo "60-cross: $arch: built and tested in $((SECONDS - t)) s ($summary)"
done
echo "60-cross: total $((SECONDS - t0)) s"
