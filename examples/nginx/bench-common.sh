# Sourced by the overhead scripts of both modules (examples/nginx/bench.sh and
# bench-callgrind.sh, examples/apache/bench-callgrind.sh), so that they measure
# the same thing the same way:
#  - bench_setup: a temporary directory with the fixtures (a 1 KiB static
#    file, one policy), a free 127.0.0.1 port; everything removed on exit;
#  - send and cg_*: requests on one keep-alive connection with curl, a server
#    run under valgrind's callgrind, instructions per request from its dumps;
#  - write_conf and stop_nginx: nginx's configuration and stop.
# The caller sets $module (and $nginx for nginx) first; this sets $tmp and
# $port, and keeps the running server's PID in $pid.
# shellcheck shell=bash disable=SC2154,SC2034  # $module, $nginx, $requests come from the caller; the callers use what this sets

# cg_args MODULE_FILE SERVER ARGS...: the arguments of a bench-callgrind.sh,
# --module PATH (into $module) and --requests N (into $requests, default
# 500); anything else prints the script's leading comment. Checks that the
# module and the programs are there.
cg_args() {
    local file=$1 server=$2 name
    name=$(basename "$0")
    shift 2
    module=
    requests=500
    while [ $# -gt 0 ]; do
        case $1 in
            --module) module=$(realpath "${2:?}"); shift 2 ;;
            --requests) requests=${2:?}; shift 2 ;;
            *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
               exit 2 ;;
        esac
    done
    if [ -z "$module" ] || [ ! -f "$module" ]; then
        echo "$name: --module PATH/$file is required" >&2
        exit 2
    fi
    for prog in valgrind callgrind_control callgrind_annotate curl python3 "$server"; do
        command -v "$prog" > /dev/null || { echo "$name: $prog not found" >&2; exit 1; }
    done
}

bench_setup() {  # $1: a name for the temporary directory
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    chmod 755 "$tmp"
    pid=
    cg_pid=
    stop_signal=QUIT
    cg_as=()
    trap bench_cleanup EXIT

    mkdir -p "$tmp/www" "$tmp/logs" "$tmp/tmp"
    head -c 1024 /dev/zero | tr '\0' 'x' > "$tmp/www/file.txt"
    chmod -R a+rX "$tmp"

    cat > "$tmp/policy.yaml" <<'POLICY'
allowOrigins: [https://app.example]
allowMethods: [GET, POST, PUT]
allowHeaders: [x-custom]
exposeHeaders: [x-request-id]
maxAge: 600
allowCredentials: true
POLICY

    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
}

# shellcheck disable=SC2317  # called through the EXIT trap
bench_cleanup() {
    local p
    for p in "$cg_pid" "$pid"; do
        if [ -n "$p" ] && kill -0 "$p" 2> /dev/null; then
            kill -"$stop_signal" "$p" 2> /dev/null || true
        fi
    done
    if [ -n "$pid" ]; then wait "$pid" 2> /dev/null || true; fi
    rm -rf "$tmp"
}

# The requests of every scenario, and the response headers an allowed actual
# request gets from the policy above (for the "same-headers" scenario: the
# server's own configuration sets them, no module loaded).
origin=(-H 'Origin: https://app.example')
preflight=(-H 'Origin: https://app.example' -H 'Access-Control-Request-Method: PUT'
           -H 'Access-Control-Request-Headers: x-custom')
same_headers=("Access-Control-Allow-Origin" "https://app.example"
              "Access-Control-Allow-Credentials" "true"
              "Access-Control-Expose-Headers" "x-request-id"
              "Vary" "Origin")

# send COUNT METHOD PATH [curl args...]: COUNT requests on one connection;
# prints how many got which status on how many connections
send() {
    local count=$1 method=$2 path=$3 urls=()
    shift 3
    for _ in $(seq "$count"); do urls+=(-o /dev/null "http://127.0.0.1:$port$path"); done
    curl -s --http1.1 -w '%{http_code} %{num_connects}\n' -X "$method" "$@" "${urls[@]}" \
        | sort | uniq -c | awk '{ printf "%s x HTTP %s (%s new connection%s) ", $1, $2, $3 == 1 ? "one" : "no", $3 == 1 ? "" : "s" }'
}

# cg_start CMD...: runs CMD (the server, in the foreground, one process)
# under callgrind as ${cg_as[@]} and waits for its port; $pid is the job,
# $cg_pid the valgrind process that callgrind_control talks to.
cg_start() {
    "${cg_as[@]}" valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" \
        2> "$tmp/logs/valgrind.log" &
    pid=$!
    for _ in $(seq 600); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
            cg_pid=$(pgrep -f -- "--callgrind-out-file=$tmp/cg.out" | tail -1)
            return 0
        fi
        sleep 0.1
    done
    echo "$(basename "$0"): the server did not start" >&2
    cat "$tmp"/logs/*.log >&2
    exit 1
}

# cg_stop: stops the server started by cg_start (with $stop_signal)
cg_stop() {
    kill -"$stop_signal" "$cg_pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    pid=
    cg_pid=
    rm -f "$tmp"/cg.out*
}

declare -A ir lib
# cg_measure NAME METHOD PATH [curl args...]: $requests requests after a
# warm-up, counted from zeroed counters; ir[NAME] gets the instructions per
# request, lib[NAME] the part in the libcors functions the modules call
# (inclusive, from callgrind_annotate)
cg_measure() {
    local name=$1 codes dumps newest total
    shift
    send 20 "$@" > /dev/null
    "${cg_as[@]}" callgrind_control -z "$cg_pid" > /dev/null 2>&1
    codes=$(send "$requests" "$@")
    dumps=$(find "$tmp" -name 'cg.out.*' | wc -l)
    "${cg_as[@]}" callgrind_control -d "$cg_pid" > /dev/null 2>&1
    for _ in $(seq 100); do
        [ "$(find "$tmp" -name 'cg.out.*' | wc -l)" -gt "$dumps" ] && break
        sleep 0.1
    done
    # the newest dump holds the counts since the zeroing
    newest=$(find "$tmp" -name 'cg.out.*' -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2)
    total=$(awk '/^(summary|totals):/ { print $2; exit }' "$newest")
    ir[$name]=$(( total / requests ))
    lib[$name]=$(callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$newest" 2> /dev/null \
        | awk '/:(cors_evaluate|cors_request_fields_[a-z_]+|cors_merge_vary|cors_is_access_control_header) / { gsub(",", "", $1); s += $1 } END { print int(s) }')
    lib[$name]=$(( lib[$name] / requests ))
    if [ -n "${CG_KEEP:-}" ]; then cp "$newest" "$CG_KEEP-$name.out"; fi
    rm -f "$newest"
    printf '  %-16s %s -> %s instructions/request\n' "$name" "$codes" "${ir[$name]}" >&2
}

# cg_measure_module OFF ON: the scenarios with the module loaded, OFF and ON
# the paths of a location with "cors off" and of one with the policy
cg_measure_module() {
    cg_measure off GET "$1/file.txt" "${origin[@]}"
    cg_measure actual GET "$2/file.txt" "${origin[@]}"
    cg_measure not-cors GET "$2/file.txt"
    cg_measure preflight OPTIONS "$2/file.txt" "${preflight[@]}"
}

# cg_header SERVER: the title and column names of the table
cg_header() {
    echo "callgrind, $requests requests per scenario on one keep-alive connection," \
         "1 KiB static file, $1, user-space instructions"
    printf '%-16s %14s %12s %12s\n' scenario "instr/request" "vs baseline" "in libcors"
}

# cg_row NAME BASELINE: one scenario, compared with another
cg_row() {
    printf '%-16s %14s %12s %12s\n' "$1" "${ir[$1]}" \
        "$(awk -v m="${ir[$1]}" -v b="${ir[$2]}" 'BEGIN { printf "%+.1f%%", (m - b) / b * 100 }')" \
        "${lib[$1]}"
}

# --- nginx --------------------------------------------------------------------

# write_conf load|noload MAIN EVENTS HTTP: the configuration with the module
# loaded or not; MAIN, EVENTS and HTTP are extra directives for those levels.
# Without the module, /headers/ sets the module's headers with add_header.
write_conf() {
    {
        if [ "$1" = load ]; then echo "load_module $module;"; fi
        cat <<CONF
$2
pid $tmp/logs/nginx.pid;
error_log $tmp/logs/error.log warn;
events { $3 }
http {
    access_log off;
    $4
    client_body_temp_path $tmp/tmp/body;
    proxy_temp_path $tmp/tmp/proxy;
    fastcgi_temp_path $tmp/tmp/fastcgi;
    uwsgi_temp_path $tmp/tmp/uwsgi;
    scgi_temp_path $tmp/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        location /file/ { alias $tmp/www/; }
CONF
        if [ "$1" = load ]; then
            cat <<CONF
        location /off/ { cors off; alias $tmp/www/; }
        location /on/ { cors_policy $tmp/policy.yaml; alias $tmp/www/; }
CONF
        else
            printf '        location /headers/ {\n            alias %s/www/;\n' "$tmp"
            printf '            add_header %s "%s";\n' "${same_headers[@]}"
            printf '        }\n'
        fi
        echo "    }"
        echo "}"
    } > "$tmp/nginx.conf"
}

stop_nginx() {
    kill -QUIT "$pid"
    wait "$pid" || true
    pid=
}
