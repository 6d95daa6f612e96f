#!/usr/bin/env bash
# Instructions per request spent by Apache httpd itself (user space, all code:
# httpd, APR, the module, libcors, libc), counted with valgrind's callgrind.
# Unlike requests/s this does not move with other load on the machine.
#
#   bench-callgrind.sh --module PATH/mod_cors.so [--requests N]
#
# apache2 runs under callgrind as one process (-X, event MPM); for each
# scenario the counters are zeroed after a warm-up, N requests are sent on one
# keep-alive connection with curl, and the counters are dumped. Scenarios:
# unloaded (no LoadModule cors_module), off ("Cors off"), actual (allowed
# Origin), not-cors (no Origin, Vary added), preflight (answered by the module).
# Each is compared with the same request without the module (unloaded,
# unloaded-loc for the <Location> of "off", unloaded-options for the preflight).
# The last column is the part spent in the libcors functions the module calls
# (cors_evaluate, cors_request_fields_*, cors_merge_vary,
# cors_is_access_control_header; inclusive), from callgrind_annotate.
# Run as root, apache2 is started as www-data (so that it does not switch users
# under callgrind, which then could not write its output).
set -euo pipefail

module=
requests=500
apache=${APACHE:-/usr/sbin/apache2}
moddir=${APACHE_MODULES:-/usr/lib/apache2/modules}

while [ $# -gt 0 ]; do
    case $1 in
        --module) module=$(realpath "${2:?}"); shift 2 ;;
        --requests) requests=${2:?}; shift 2 ;;
        *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

if [ -z "$module" ] || [ ! -f "$module" ]; then
    echo "bench-callgrind.sh: --module PATH/mod_cors.so is required" >&2
    exit 2
fi
for prog in valgrind callgrind_control curl python3 "$apache"; do
    command -v "$prog" > /dev/null || { echo "bench-callgrind.sh: $prog not found" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/libcors-apache-cg.XXXXXX")
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
        kill -TERM "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# as_user CMD...: run CMD as the user apache2 runs as; valgrind's and
# callgrind_control's meeting point (vgdb pipes) is in $tmp
as_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u www-data -- env USER=www-data LOGNAME=www-data TMPDIR="$tmp" "$@"
    else
        env TMPDIR="$tmp" "$@"
    fi
}

mkdir -p "$tmp/www/on" "$tmp/www/off" "$tmp/logs" "$tmp/run"
head -c 1024 /dev/zero | tr '\0' 'x' > "$tmp/www/on/file.txt"
cp "$tmp/www/on/file.txt" "$tmp/www/off/file.txt"
cat > "$tmp/policy.yaml" <<'POLICY'
allowOrigins: [https://app.example]
allowMethods: [GET, POST, PUT]
allowHeaders: [x-custom]
exposeHeaders: [x-request-id]
maxAge: 600
allowCredentials: true
POLICY
[ "$(id -u)" = 0 ] && chown -R www-data "$tmp"
chmod 755 "$tmp"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

conf() {  # $1: "load" or "noload"
    {
        cat <<CONF
ServerRoot "$tmp"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $tmp/run/httpd.pid
DefaultRuntimeDir $tmp/run
Mutex file:$tmp/run default
ErrorLog $tmp/logs/error.log
LogLevel warn
LoadModule mpm_event_module $moddir/mod_mpm_event.so
LoadModule authz_core_module $moddir/mod_authz_core.so
LoadModule mime_module $moddir/mod_mime.so
TypesConfig /etc/mime.types
KeepAliveTimeout 30
MaxKeepAliveRequests 0
DocumentRoot $tmp/www
<Directory $tmp/www>
    Require all granted
</Directory>
CONF
        # the same <Location> in both, so that only the module differs
        if [ "$1" = load ]; then
            printf 'LoadModule cors_module %s\nCorsPolicy policy.yaml\n' "$module"
            printf '<Location /off/>\n    Cors off\n</Location>\n'
        else
            printf '<Location /off/>\n</Location>\n'
        fi
    } > "$tmp/httpd.conf"
}

start_apache() {
    as_user valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
        "$apache" -d "$tmp" -f "$tmp/httpd.conf" -X 2> "$tmp/logs/valgrind.log" &
    pid=$!
    for _ in $(seq 600); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
            # the valgrind process itself (runuser's child)
            vpid=$(pgrep -f -- "--callgrind-out-file=$tmp/cg.out" | tail -1)
            return 0
        fi
        sleep 0.1
    done
    echo "bench-callgrind.sh: apache2 did not start" >&2
    cat "$tmp/logs/error.log" "$tmp/logs/valgrind.log" >&2
    exit 1
}

stop_apache() {
    kill -TERM "$vpid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    pid=
    rm -f "$tmp"/cg.out*
}

# send COUNT METHOD PATH [curl args...]: COUNT requests on one connection
send() {
    local count=$1 method=$2 path=$3 urls=()
    shift 3
    for _ in $(seq "$count"); do urls+=(-o /dev/null "http://127.0.0.1:$port$path"); done
    curl -s --http1.1 -w '%{http_code} %{num_connects}\n' -X "$method" "$@" "${urls[@]}" \
        | sort | uniq -c | awk '{ printf "%s x HTTP %s (%s new connection%s) ", $1, $2, $3 == 1 ? "one" : "no", $3 == 1 ? "" : "s" }'
}

declare -A ir mod
# measure NAME METHOD PATH [curl args...]
measure() {
    local name=$1 codes dumps newest total
    shift
    send 20 "$@" > /dev/null                        # warm-up
    as_user callgrind_control -z "$vpid" > /dev/null 2>&1
    codes=$(send "$requests" "$@")
    dumps=$(find "$tmp" -name 'cg.out.*' | wc -l)
    as_user callgrind_control -d "$vpid" > /dev/null 2>&1
    for _ in $(seq 100); do
        [ "$(find "$tmp" -name 'cg.out.*' | wc -l)" -gt "$dumps" ] && break
        sleep 0.1
    done
    newest=$(find "$tmp" -name 'cg.out.*' -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2)
    total=$(awk '/^(summary|totals):/ { print $2; exit }' "$newest")
    ir[$name]=$(( total / requests ))
    # libcors's share: its functions the module calls, inclusive
    mod[$name]=$(callgrind_annotate --inclusive=yes "$newest" 2> /dev/null \
        | awk '/:(cors_evaluate|cors_request_fields_[a-z_]+|cors_merge_vary|cors_is_access_control_header) / { gsub(",", "", $1); s += $1 } END { print int(s) }')
    mod[$name]=$(( mod[$name] / requests ))
    printf '  %-10s %s -> %s instructions/request\n' "$name" "$codes" "${ir[$name]}" >&2
}

origin=(-H 'Origin: https://app.example')
preflight=(-H 'Origin: https://app.example' -H 'Access-Control-Request-Method: PUT'
           -H 'Access-Control-Request-Headers: x-custom')

conf noload
start_apache
measure unloaded GET /on/file.txt "${origin[@]}"
measure unloaded-loc GET /off/file.txt "${origin[@]}"
measure unloaded-options OPTIONS /on/file.txt "${preflight[@]}"
stop_apache

conf load
start_apache
measure off GET /off/file.txt "${origin[@]}"
measure actual GET /on/file.txt "${origin[@]}"
measure not-cors GET /on/file.txt
measure preflight OPTIONS /on/file.txt "${preflight[@]}"
stop_apache

echo "callgrind, $requests requests per scenario on one keep-alive connection," \
     "1 KiB static file, $("$apache" -v | sed -n 's/^Server version: //p'), user-space instructions"
printf '%-16s %14s %12s %12s\n' scenario "instr/request" "vs baseline" "in libcors"
for s in unloaded unloaded-loc unloaded-options off actual not-cors preflight; do
    base=unloaded
    [ "$s" = preflight ] && base=unloaded-options
    [ "$s" = off ] && base=unloaded-loc
    printf '%-16s %14s %12s %12s\n' "$s" "${ir[$s]}" \
        "$(awk -v m="${ir[$s]}" -v b="${ir[$base]}" 'BEGIN { printf "%+.1f%%", (m - b) / b * 100 }')" \
        "${mod[$s]}"
done
echo "(each scenario is compared with the same request without the module: off with unloaded-loc," \
     "a GET into the same <Location>; preflight with unloaded-options, Apache's own OPTIONS answer)"
