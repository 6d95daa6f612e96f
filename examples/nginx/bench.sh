#!/usr/bin/env bash
# Overhead of ngx_http_cors_module, measured with wrk against Debian's nginx
# serving a small static file on 127.0.0.1 (one worker, access log off).
#
#   bench.sh --module PATH/ngx_http_cors_module.so [--runs N] [--seconds S]
#            [--connections C]
#
# Scenarios (runs interleaved; the median of each is reported, as requests/s
# and as the nginx worker's own CPU time per request, from
# /proc/PID/schedstat, which other load on the machine disturbs far less):
#   unloaded   nginx without load_module
#   off        module loaded, "cors off" in the location
#   actual     GET with an allowed Origin (headers added by the filter)
#   preflight  OPTIONS preflight, answered by the module
# Overhead is against "unloaded". Not a test: figures depend on the machine.
set -euo pipefail

module=
runs=5
seconds=3
connections=16
nginx=${NGINX:-/usr/sbin/nginx}

while [ $# -gt 0 ]; do
    case $1 in
        --module) module=$(realpath "${2:?}"); shift 2 ;;
        --runs) runs=${2:?}; shift 2 ;;
        --seconds) seconds=${2:?}; shift 2 ;;
        --connections) connections=${2:?}; shift 2 ;;
        *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

if [ -z "$module" ] || [ ! -f "$module" ]; then
    echo "bench.sh: --module PATH/ngx_http_cors_module.so is required" >&2
    exit 2
fi
for prog in wrk "$nginx" python3; do
    command -v "$prog" > /dev/null || { echo "bench.sh: $prog not found" >&2; exit 1; }
done

# shellcheck source=SCRIPTDIR/bench-common.sh
. "$(dirname "$0")/bench-common.sh"
bench_setup libcors-nginx-bench

# nginx's worker on CPU 0, wrk on CPU 1, when there are two
affinity=
pin=()
if [ "$(nproc)" -ge 2 ] && command -v taskset > /dev/null; then
    affinity="worker_cpu_affinity 01;"
    pin=(taskset -c 1)
fi

conf() {  # $1: "load" or "noload"
    write_conf "$1" "worker_processes 1; $affinity" "worker_connections 1024;" ""
}

start_nginx() {
    "$nginx" -p "$tmp/" -c "$tmp/nginx.conf" -e "$tmp/logs/error.log" -g 'daemon off;' &
    pid=$!
    for _ in $(seq 100); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then return 0; fi
        sleep 0.05
    done
    echo "bench.sh: nginx did not start" >&2
    cat "$tmp/logs/error.log" >&2
    exit 1
}

cat > "$tmp/actual.lua" <<'EOF'
wrk.method = "GET"
wrk.headers["Origin"] = "https://app.example"
EOF
cat > "$tmp/preflight.lua" <<'EOF'
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "https://app.example"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "x-custom"
EOF
cat > "$tmp/plain.lua" <<'EOF'
wrk.method = "GET"
wrk.headers["Origin"] = "https://app.example"
EOF

worker_pid() {
    local w
    for _ in $(seq 100); do
        w=$(awk -v m="$pid" '$4 == m { print $1; exit }' /proc/[0-9]*/stat 2> /dev/null)
        if [ -n "$w" ]; then echo "$w"; return 0; fi
        sleep 0.05
    done
    echo "bench.sh: no nginx worker" >&2
    exit 1
}

# measure NAME SCRIPT PATH: one wrk run; appends requests/s to rps[NAME] and
# the worker's CPU nanoseconds per request to cpu[NAME]
measure() {
    local w c0 c1 out reqs
    w=$(worker_pid)
    c0=$(awk '{ print $1 }' "/proc/$w/schedstat")
    out=$("${pin[@]}" wrk -t1 -c"$connections" -d"${seconds}s" -s "$2" "http://127.0.0.1:$port$3")
    c1=$(awk '{ print $1 }' "/proc/$w/schedstat")
    reqs=$(echo "$out" | awk '/requests in/ { print $1 }')
    if echo "$out" | grep -q 'Non-2xx'; then
        echo "bench.sh: $1: wrk saw non-2xx responses" >&2
        echo "$out" >&2
        exit 1
    fi
    rps[$1]+="$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }') "
    cpu[$1]+="$(awk -v a="$c0" -v b="$c1" -v n="$reqs" 'BEGIN { printf "%.0f", (b - a) / n }') "
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# sanity: the scenarios really do what they claim
conf load
start_nginx
check() {
    local out
    out=$(curl -si "$@")
    echo "$out" | tr -d '\r'
}
if ! check -H 'Origin: https://app.example' "http://127.0.0.1:$port/on/file.txt" | grep -q '^Access-Control-Allow-Origin: https://app.example$'; then
    echo "bench.sh: /on/ does not add Access-Control-Allow-Origin" >&2; exit 1
fi
if ! check -X OPTIONS -H 'Origin: https://app.example' -H 'Access-Control-Request-Method: PUT' \
        "http://127.0.0.1:$port/on/file.txt" | grep -q '^Access-Control-Allow-Methods: '; then
    echo "bench.sh: /on/ does not answer preflights" >&2; exit 1
fi
if check -H 'Origin: https://app.example' "http://127.0.0.1:$port/off/file.txt" | grep -qi '^Access-Control-'; then
    echo "bench.sh: /off/ adds CORS headers" >&2; exit 1
fi
stop_nginx

declare -A rps cpu
for run in $(seq "$runs"); do
    conf noload
    start_nginx
    measure warmup "$tmp/plain.lua" /file/file.txt
    measure unloaded "$tmp/plain.lua" /file/file.txt
    stop_nginx

    conf load
    start_nginx
    measure warmup "$tmp/plain.lua" /off/file.txt
    measure off "$tmp/plain.lua" /off/file.txt
    measure actual "$tmp/actual.lua" /on/file.txt
    measure preflight "$tmp/preflight.lua" /on/file.txt
    stop_nginx
    echo "run $run/$runs done" >&2
done

med() { echo "$1" | tr ' ' '\n' | sed '/^$/d' | median; }

echo "wrk -t1 -c$connections -d${seconds}s, $runs runs each, 1 KiB static file," \
     "nginx $("$nginx" -v 2>&1 | sed 's/.*nginx\///'), 1 worker${affinity:+ (pinned)}"
base_rps=$(med "${rps[unloaded]}")
base_cpu=$(med "${cpu[unloaded]}")
printf '%-10s %10s %8s %14s %8s\n' scenario "req/s" "" "worker ns/req" ""
for s in unloaded off actual preflight; do
    r=$(med "${rps[$s]}")
    c=$(med "${cpu[$s]}")
    printf '%-10s %10s %8s %14s %8s\n' "$s" "$r" \
        "$(awk -v m="$r" -v b="$base_rps" 'BEGIN { printf "%+.1f%%", (m - b) / b * 100 }')" \
        "$c" "$(awk -v m="$c" -v b="$base_cpu" 'BEGIN { printf "%+.1f%%", (m - b) / b * 100 }')"
done
echo
echo "all runs (req/s | worker ns/req):"
for s in unloaded off actual preflight; do
    printf '  %-10s %s| %s\n' "$s" "${rps[$s]}" "${cpu[$s]}"
done
