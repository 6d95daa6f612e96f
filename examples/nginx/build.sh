#!/usr/bin/env bash
# Builds ngx_http_cors_module.so against Debian's nginx-dev, the way Debian's
# own module packages are built (same configure flags, so the module is
# binary compatible with /usr/sbin/nginx).
#
#   build.sh [--libcors-build DIR] [--builddir DIR] [--output FILE] [--addon-dir DIR]
#
#   --libcors-build DIR  link the libcors of this meson build tree
#                        (DIR/meson-uninstalled/libcors-uninstalled.pc);
#                        default: the installed libcors (pkg-config libcors)
#   --builddir DIR       nginx's build directory (default: ./nginx-build);
#                        configure runs again only when its inputs change
#   --output FILE        copy the module there
#   --addon-dir DIR      the module's sources and config (default: this
#                        script's directory; the tests build a variant)
#
# Environment: LIBCORS_NGINX_RPATH=no links without an rpath to libcors's
# directory (for a distribution package, whose libcors is in the system's).
#
# Needs: nginx-dev (/usr/share/nginx/src), bash, make, dpkg-dev, pkg-config.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${NGINX_SRC:-/usr/share/nginx/src}
builddir=$PWD/nginx-build
output=
libcors_build=

usage() {
    sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --libcors-build) libcors_build=${2:?}; shift 2 ;;
        --builddir) builddir=${2:?}; shift 2 ;;
        --output) output=${2:?}; shift 2 ;;
        --addon-dir) here=$(cd "${2:?}" && pwd); shift 2 ;;
        -h|--help) usage ;;
        *) echo "build.sh: unknown argument: $1" >&2; usage ;;
    esac
done

for f in "$src/configure" "$src/conf_flags"; do
    if [ ! -f "$f" ]; then
        echo "build.sh: $f not found: install nginx-dev" >&2
        exit 1
    fi
done

if [ -n "$libcors_build" ]; then
    libcors_build=$(cd "$libcors_build" && pwd)
    export PKG_CONFIG_PATH="$libcors_build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    export LIBCORS_PC=libcors-uninstalled
else
    export LIBCORS_PC=${LIBCORS_PC:-libcors}
fi

if ! pkg-config --exists "$LIBCORS_PC"; then
    echo "build.sh: pkg-config cannot find $LIBCORS_PC" >&2
    exit 1
fi

mkdir -p "$builddir"
builddir=$(cd "$builddir" && pwd)

# NGX_CONF_FLAGS: the flags Debian's nginx was configured with (a bash array)
# shellcheck source=/dev/null
. "$src/conf_flags"

cc_opt="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS)"
ld_opt="$(dpkg-buildflags --get LDFLAGS) -fPIC"

# configure takes a few seconds: run it only when something it reads changed
stamp="$builddir/cors-configure.stamp"
want=$(printf '%s\n' "$cc_opt" "$ld_opt" "${NGX_CONF_FLAGS[@]}" "$here" \
         "$LIBCORS_PC" "$(pkg-config --cflags --libs "$LIBCORS_PC")" "${LIBCORS_NGINX_RPATH:-yes}" \
         "$(cksum < "$here/config")" "$(cksum < "$src/conf_flags")")

if [ ! -f "$builddir/Makefile" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    rm -f "$stamp"
    # configure reads auto/* relative to the current directory; every file it
    # writes goes to --builddir
    if ! (cd "$src" && ./configure \
            --with-cc-opt="$cc_opt" \
            --with-ld-opt="$ld_opt" \
            "${NGX_CONF_FLAGS[@]}" \
            --add-dynamic-module="$here" \
            --builddir="$builddir") > "$builddir/configure.log" 2>&1; then
        cat "$builddir/configure.log" >&2
        echo "build.sh: nginx configure failed (log: $builddir/configure.log)" >&2
        exit 1
    fi
    printf '%s' "$want" > "$stamp"
fi

make -s -f "$builddir/Makefile" -C "$src" modules

if [ -n "$output" ]; then
    cp "$builddir/ngx_http_cors_module.so" "$output.tmp"
    mv -f "$output.tmp" "$output"
fi
