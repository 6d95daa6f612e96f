#!/usr/bin/env bash
# Instructions per request spent by Apache httpd itself (user space, all code:
# httpd, APR, the module, libcors, libc), counted with valgrind's callgrind.
# Unlike requests/s this does not move with other load on the machine.
#
#   bench-callgrind.sh --module PATH/mod_cors.so [--requests N]
#
# apache2 runs under callgrind as one process (-X; the prefork MPM, whose
# counts repeat to within a few instructions: under APACHE_MPM=event the
# listener thread's wake-ups make them vary by some 300 per request); for each
# scenario the counters are zeroed after a warm-up, N requests are sent on one
# keep-alive connection with curl, and the counters are dumped. Scenarios:
# unloaded (no LoadModule cors_module), off ("Cors off"), actual (allowed
# Origin), not-cors (no Origin, Vary added), preflight (answered by the module),
# and same-headers: no module, mod_headers sets the headers of an allowed
# actual request (what emitting them costs Apache).
# Each is compared with the same request without the module (unloaded,
# unloaded-loc for the <Location> of "off", unloaded-options for the preflight).
# The last column is the part spent in the libcors functions the module calls
# (cors_evaluate, cors_request_fields_*, cors_merge_vary,
# cors_is_access_control_header; inclusive), from callgrind_annotate.
# Run as root, apache2 is started as www-data (so that it does not switch users
# under callgrind, which then could not write its output). The fixtures and
# the measure are those of examples/nginx/bench-callgrind.sh (bench-common.sh
# there). CG_KEEP=PREFIX keeps each scenario's callgrind dump as PREFIX-NAME.out.
set -euo pipefail

apache=${APACHE:-/usr/sbin/apache2}
moddir=${APACHE_MODULES:-/usr/lib/apache2/modules}
mpm=${APACHE_MPM:-prefork}
# the fixtures, the requests and the callgrind measure shared with nginx's script
# shellcheck source=SCRIPTDIR/../nginx/bench-common.sh
. "$(dirname "$0")/../nginx/bench-common.sh"
cg_args mod_cors.so "$apache" "$@"
bench_setup libcors-apache-cg
stop_signal=TERM

# callgrind_control and valgrind meet in $tmp (vgdb pipes): both run as the
# user apache2 runs as
if [ "$(id -u)" = 0 ]; then
    cg_as=(runuser -u www-data -- env USER=www-data LOGNAME=www-data TMPDIR="$tmp")
else
    cg_as=(env TMPDIR="$tmp")
fi

mkdir -p "$tmp/www/on" "$tmp/www/off" "$tmp/www/headers" "$tmp/run"
for d in on off headers; do cp "$tmp/www/file.txt" "$tmp/www/$d/file.txt"; done
[ "$(id -u)" = 0 ] && chown -R www-data "$tmp"

conf() {  # $1: "load", "noload" or "headers" (no module; mod_headers sets its headers)
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
LoadModule mpm_${mpm}_module $moddir/mod_mpm_${mpm}.so
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
        # the same <Location> in all, so that only the module differs
        case $1 in
        load)
            printf 'LoadModule cors_module %s\nCorsPolicy policy.yaml\n' "$module"
            printf '<Location /off/>\n    Cors off\n</Location>\n' ;;
        noload)
            printf '<Location /off/>\n</Location>\n' ;;
        headers)
            printf 'LoadModule headers_module %s/mod_headers.so\n<Location /headers/>\n' "$moddir"
            printf '    Header set %s "%s"\n' "${same_headers[@]}"
            printf '</Location>\n' ;;
        esac
    } > "$tmp/httpd.conf"
}

start_apache() {
    cg_start "$apache" -d "$tmp" -f "$tmp/httpd.conf" -X
}

conf noload
start_apache
cg_measure unloaded GET /on/file.txt "${origin[@]}"
cg_measure unloaded-loc GET /off/file.txt "${origin[@]}"
cg_measure unloaded-options OPTIONS /on/file.txt "${preflight[@]}"
cg_stop

conf headers
start_apache
cg_measure same-headers GET /headers/file.txt "${origin[@]}"
cg_stop

conf load
start_apache
cg_measure_module /off /on
cg_stop

cg_header "$("$apache" -v | sed -n 's/^Server version: //p'), $mpm MPM"
for s in unloaded unloaded-loc unloaded-options same-headers off actual not-cors preflight; do
    base=unloaded
    [ "$s" = preflight ] && base=unloaded-options
    [ "$s" = off ] && base=unloaded-loc
    cg_row "$s" "$base"
done
echo "(each scenario is compared with the same request without the module: off with unloaded-loc," \
     "a GET into the same <Location>; preflight with unloaded-options, Apache's own OPTIONS answer;" \
     "same-headers: no module, mod_headers sets the four headers of an allowed actual request)"
