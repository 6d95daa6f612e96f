#!/usr/bin/env bash
# Instructions per request spent by nginx itself (user space, all code: nginx,
# the module, libcors, libc), counted with valgrind's callgrind. Unlike
# requests/s this does not move with other load on the machine, so it shows
# the module's overhead even on a busy or shared host.
#
#   bench-callgrind.sh --module PATH/ngx_http_cors_module.so [--requests N]
#
# nginx runs under callgrind as one process (master_process off); for each
# scenario the counters are zeroed after a warm-up, N requests are sent on one
# keep-alive connection with curl, and the counters are dumped.
# Scenarios as in bench.sh: unloaded (no load_module), off ("cors off"),
# actual (allowed Origin), not-cors (no Origin, Vary added), preflight.
set -euo pipefail

module=
requests=500
nginx=${NGINX:-/usr/sbin/nginx}

while [ $# -gt 0 ]; do
    case $1 in
        --module) module=$(realpath "${2:?}"); shift 2 ;;
        --requests) requests=${2:?}; shift 2 ;;
        *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

if [ -z "$module" ] || [ ! -f "$module" ]; then
    echo "bench-callgrind.sh: --module PATH/ngx_http_cors_module.so is required" >&2
    exit 2
fi
for prog in valgrind callgrind_control curl python3 "$nginx"; do
    command -v "$prog" > /dev/null || { echo "bench-callgrind.sh: $prog not found" >&2; exit 1; }
done

# shellcheck source=SCRIPTDIR/bench-common.sh
. "$(dirname "$0")/bench-common.sh"
bench_setup libcors-nginx-cg

conf() {  # $1: "load" or "noload"
    write_conf "$1" "master_process off;" "worker_connections 64;" "keepalive_requests 100000;"
}

start_nginx() {
    valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
        "$nginx" -p "$tmp/" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" \
        -g 'daemon off;' 2> "$tmp/logs/valgrind.log" &
    pid=$!
    for _ in $(seq 600); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then return 0; fi
        sleep 0.1
    done
    echo "bench-callgrind.sh: nginx did not start" >&2
    cat "$tmp/logs/error.log" "$tmp/logs/valgrind.log" >&2
    exit 1
}

# send COUNT METHOD PATH [curl args...]: COUNT requests on one connection
send() {
    local count=$1 method=$2 path=$3 urls=() codes
    shift 3
    for _ in $(seq "$count"); do urls+=(-o /dev/null "http://127.0.0.1:$port$path"); done
    codes=$(curl -s --http1.1 -w '%{http_code} %{num_connects}\n' -X "$method" "$@" "${urls[@]}" \
            | sort | uniq -c | awk '{ printf "%s x HTTP %s (%s new connection%s) ", $1, $2, $3 == 1 ? "one" : "no", $3 == 1 ? "" : "s" }')
    echo "$codes"
}

declare -A ir
# measure NAME METHOD PATH [curl args...]
measure() {
    local name=$1 codes before after dumps
    shift
    send 20 "$@" > /dev/null                        # warm-up
    callgrind_control -z "$pid" > /dev/null 2>&1
    codes=$(send "$requests" "$@")
    dumps=$(find "$tmp" -name 'cg.out*' | wc -l)
    callgrind_control -d "$pid" > /dev/null 2>&1
    for _ in $(seq 100); do
        [ "$(find "$tmp" -name 'cg.out*' | wc -l)" -gt "$dumps" ] && break
        sleep 0.1
    done
    # the newest dump holds the counts since the zeroing
    after=$(find "$tmp" -name 'cg.out.*' | head -1)
    before=$(awk '/^(summary|totals):/ { print $2; exit }' "$after")
    ir[$name]=$(( before / requests ))
    rm -f "$after"
    printf '  %-10s %s -> %s instructions/request\n' "$name" "$codes" "${ir[$name]}" >&2
}

origin=(-H 'Origin: https://app.example')
preflight=(-H 'Origin: https://app.example' -H 'Access-Control-Request-Method: PUT'
           -H 'Access-Control-Request-Headers: x-custom')

conf noload
start_nginx
measure unloaded GET /file/file.txt "${origin[@]}"
stop_nginx

conf load
start_nginx
measure off GET /off/file.txt "${origin[@]}"
measure actual GET /on/file.txt "${origin[@]}"
measure not-cors GET /on/file.txt
measure preflight OPTIONS /on/file.txt "${preflight[@]}"
stop_nginx

echo "callgrind, $requests requests per scenario on one keep-alive connection," \
     "1 KiB static file, nginx $("$nginx" -v 2>&1 | sed 's/.*nginx\///'), user-space instructions"
printf '%-10s %14s %10s\n' scenario "instr/request" "vs unloaded"
for s in unloaded off actual not-cors preflight; do
    printf '%-10s %14s %10s\n' "$s" "${ir[$s]}" \
        "$(awk -v m="${ir[$s]}" -v b="${ir[unloaded]}" 'BEGIN { printf "%+.1f%%", (m - b) / b * 100 }')"
done
