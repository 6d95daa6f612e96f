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
# actual (allowed Origin), not-cors (no Origin, Vary added), preflight; and
# same-headers: no module, the headers of an allowed actual request set by
# add_header (what emitting them costs nginx). The last column is the part
# spent in the libcors functions the module calls (inclusive).
# CG_KEEP=PREFIX keeps each scenario's callgrind dump as PREFIX-NAME.out.
set -euo pipefail

nginx=${NGINX:-/usr/sbin/nginx}
# shellcheck source=SCRIPTDIR/bench-common.sh
. "$(dirname "$0")/bench-common.sh"
cg_args ngx_http_cors_module.so "$nginx" "$@"
bench_setup libcors-nginx-cg

conf() {  # $1: "load" or "noload"
    write_conf "$1" "master_process off;" "worker_connections 64;" "keepalive_requests 100000;"
}

start_nginx() {
    cg_start "$nginx" -p "$tmp/" -c "$tmp/nginx.conf" \
        -e "$tmp/logs/error.log" -g 'daemon off;'
}

conf noload
start_nginx
cg_measure unloaded GET /file/file.txt "${origin[@]}"
cg_measure same-headers GET /headers/file.txt "${origin[@]}"
cg_stop

conf load
start_nginx
cg_measure_module /off /on
cg_stop

cg_header "nginx $("$nginx" -v 2>&1 | sed 's/.*nginx\///')"
for s in unloaded same-headers off actual not-cors preflight; do
    cg_row "$s" unloaded
done
echo "(same-headers: no module, the four headers of an allowed actual request set by add_header)"
