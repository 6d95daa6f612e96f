# Sourced by bench.sh and bench-callgrind.sh, so both measure the same thing:
# a temporary nginx prefix with the same fixtures (a 1 KiB static file, one
# policy), a free 127.0.0.1 port, and the same server block. The caller sets
# $module and $nginx first; this sets $tmp and $port, keeps the running
# nginx's PID in $pid, and removes everything on exit.
# shellcheck shell=bash disable=SC2154  # $module and $nginx come from the caller

bench_setup() {  # $1: a name for the temporary directory
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    chmod 755 "$tmp"
    pid=
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
    if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
        kill -QUIT "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    fi
    rm -rf "$tmp"
}

# write_conf load|noload MAIN EVENTS HTTP: the configuration with the module
# loaded or not; MAIN, EVENTS and HTTP are extra directives for those levels.
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
