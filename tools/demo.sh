#!/usr/bin/env bash
# README quick start, command 1: on a fresh Debian 12 machine, as root.
# Installs the packages (tools/install-deps.sh), builds libcors and the demo
# server with meson into build-demo/, starts cors-demo-server on a free
# 127.0.0.1 port with the agentgateway guide's two policies (the
# AgentgatewayPolicy for every path, the HTTPRoute for /get and /headers),
# runs the guide's walk-through with curl, printing each response's status
# line and headers (the Date header is left out: it changes every second),
# prints the server's request log, and stops the server by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${DEMO_BUILD_DIR:-build-demo}
work=$(mktemp -d "${TMPDIR:-/tmp}/cors-demo.XXXXXX")
pid=""
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

step() {  # step MESSAGE COMMAND...: runs quietly, shows the log on failure
    local msg=$1
    shift
    printf '[demo] %s ... ' "$msg"
    if "$@" >"$work/step.log" 2>&1; then
        echo "ok"
    else
        echo "FAILED"
        tail -n 40 "$work/step.log" >&2
        exit 1
    fi
}

step "installing packages (tools/install-deps.sh core demo)" bash tools/install-deps.sh core demo
reconfigure=()
if [ -f "$build/build.ninja" ]; then reconfigure=(--reconfigure); fi
step "configuring $build (meson setup -Dtests=enabled -Dyaml=enabled)" \
    meson setup "${reconfigure[@]}" "$build" -Dtests=enabled -Dyaml=enabled
step "building cors-demo-server (meson compile)" meson compile -C "$build" cors-demo-server

server="$build/examples/demo-server/cors-demo-server"
policies=examples/demo-server/policies
echo "[demo] starting: cors-demo-server --policy $policies/agentgatewaypolicy.yaml \\"
echo "[demo]     --route /get=$policies/httproute.yaml --route /headers=$policies/httproute.yaml"
"$server" --policy "$policies/agentgatewaypolicy.yaml" \
    --route "/get=$policies/httproute.yaml" --route "/headers=$policies/httproute.yaml" \
    --port 0 --log "$work/requests.jsonl" >"$work/stdout" 2>"$work/stderr" &
pid=$!
for _ in $(seq 1 100); do
    grep -q '^listening ' "$work/stdout" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
done
if ! grep -q '^listening ' "$work/stdout" 2>/dev/null; then
    echo "[demo] the server did not start:" >&2
    cat "$work/stderr" >&2
    exit 1
fi
BASE=$(sed -n 's/^listening //p' "$work/stdout")
echo "[demo] listening: BASE=$BASE (a free port chosen by the OS)"
echo "[demo] the policies loaded with these diagnostics (FILE:LINE:COL: severity: code: message):"
sed 's/^/[demo]   /' "$work/stderr"

show() {  # show TITLE DISPLAY CURL-ARGS...: prints the command and the response head
    local title=$1 display=$2
    shift 2
    printf '\n# %s\n$ %s\n' "$title" "$display"
    curl -sS "$@" | tr -d '\r' | grep -v '^Date: '
}

show "1. Preflight from an allowed origin (route level: the HTTPRoute policy)" \
    "curl -sS -i -X OPTIONS \$BASE/get -H 'Origin: https://example.com' -H 'Access-Control-Request-Method: GET'" \
    -i -X OPTIONS "$BASE/get" -H 'Origin: https://example.com' -H 'Access-Control-Request-Method: GET'
show "2. Preflight from an origin that is not allowed: rejected, no CORS headers but Vary" \
    "curl -sS -i -X OPTIONS \$BASE/headers -H 'Origin: https://notallowed.com' -H 'Access-Control-Request-Method: GET'" \
    -i -X OPTIONS "$BASE/headers" -H 'Origin: https://notallowed.com' -H 'Access-Control-Request-Method: GET'
show "3. Actual GET with an allowed Origin (headers only; the body is httpbin-like JSON)" \
    "curl -sS -o /dev/null -D - \$BASE/get -H 'Origin: https://example.com'" \
    -o /dev/null -D - "$BASE/get" -H 'Origin: https://example.com'
show "4. Actual GET with an Origin that is not allowed: the handler answers, no CORS headers but Vary" \
    "curl -sS -o /dev/null -D - \$BASE/get -H 'Origin: https://notallowed.com'" \
    -o /dev/null -D - "$BASE/get" -H 'Origin: https://notallowed.com'
show "5. Actual GET without Origin: not a CORS request, only Vary" \
    "curl -sS -o /dev/null -D - \$BASE/get" \
    -o /dev/null -D - "$BASE/get"
show "6. Preflight to /private (gateway level: the AgentgatewayPolicy); no token needed" \
    "curl -sS -i -X OPTIONS \$BASE/private -H 'Origin: https://example.com' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: authorization,content-type'" \
    -i -X OPTIONS "$BASE/private" -H 'Origin: https://example.com' \
    -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: authorization,content-type'
show "7. The actual request to /private without a token: 401, with the CORS headers" \
    "curl -sS -o /dev/null -D - \$BASE/private -H 'Origin: https://example.com'" \
    -o /dev/null -D - "$BASE/private" -H 'Origin: https://example.com'
show "8. A handler that sets its own CORS headers, for an origin the policy denies: they are removed" \
    "curl -sS -o /dev/null -D - \"\$BASE/response-headers?Access-Control-Allow-Origin=https://evil.test&Access-Control-Allow-Credentials=true\" -H 'Origin: https://evil.test'" \
    -o /dev/null -D - "$BASE/response-headers?Access-Control-Allow-Origin=https://evil.test&Access-Control-Allow-Credentials=true" \
    -H 'Origin: https://evil.test'

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
printf '\n# The server logged one JSON line per request:\n'
cat "$work/requests.jsonl"
echo "[demo] stopped the server by its PID (exit status $status)"
exit "$status"
