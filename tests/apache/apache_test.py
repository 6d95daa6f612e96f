#!/usr/bin/env python3
"""End-to-end tests of mod_cors in Debian's Apache httpd (TAP output).

Starts /usr/sbin/apache2 in the foreground (-DFOREGROUND, event MPM) as a
private server: its own ServerRoot in a temporary folder, free 127.0.0.1 ports,
stopped by its PID. The configuration has a server-level policy, <Location>
and <Directory> sections, a virtual host with the seed guide's two levels,
AuthType Basic, Require all denied, ErrorDocument, DirectoryIndex, mod_proxy to
a local upstream that sends its own CORS headers, mod_headers lines, HTTP/2
(h2c). Sends preflights and actual requests with curl and checks every status
and CORS header; checks the reportOnly log line of every decision and reason;
"apache2 -t" on bad configurations prints libcors's diagnostics; a graceful
restart takes a changed policy, and "apache2 -k graceful" refuses a broken one.

usage: apache_test.py --module mod_cors.so --seed-dir DIR [--apache PATH]
                      [--modules DIR] [--curl PATH]

The helpers shared with the other server's suite are in
tests/common/http_server_test.py: meson puts that folder on PYTHONPATH (by
hand: PYTHONPATH=tests/common).
"""

import argparse
import base64
import hashlib
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from http_server_test import *  # noqa: F401,F403 (fixtures and helpers, its __all__)

# --- policies (API_POLICY, PUBLIC_POLICY, STAR_HEADERS_POLICY, BAD_POLICY and
# WARN_POLICY are the shared ones) -------------------------------------------

# the same policy twice: enforced (/reasons/) and reportOnly (/report/)
REASONS_POLICY = """\
allowOrigins:
  - https://app.example
  - https://*.example.org
allowOriginRegex:
  - "^https://[a-z]+\\\\.regex\\\\.test$"
allowMethods: [GET, PUT]
allowHeaders: [X-Custom]
rejectStatus: 403
"""

FORWARD_POLICY = """\
allowOrigins: [https://app.example]
allowMethods: [GET]
forwardRejectedPreflights: true
"""

REJECT_204_POLICY = """\
allowOrigins: [https://app.example]
rejectStatus: 204
"""

RELOAD_POLICY_1 = "allowOrigins: [https://app.example]\n"
RELOAD_POLICY_2 = "allowOrigins: [https://other.example]\n"

# --- response helpers -----------------------------------------------------------


def norm_vary(value):
    """Apache rewrites Vary as "a,b" (its fixup_vary); compare the names."""
    return ", ".join(n.strip() for n in value.split(",") if n.strip())


def cors(r):
    """Every Access-Control-* line plus Vary (normalised), sorted."""
    return sorted((k, norm_vary(v) if k == "vary" else v) for (k, v) in r.headers
                  if k.startswith("access-control-") or k == "vary")


UPSTREAM_VARY = "Accept-Encoding, Origin"

# --- the server -----------------------------------------------------------------

class Env(ServerEnv):
    def __init__(self, args, tmp):
        super().__init__(args, tmp)
        self.seed_port = 0

    def apache(self, *extra, conf="httpd.conf"):
        cmd = [self.args.apache, "-d", self.tmp, "-f", self.path(conf)] + list(extra)
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)


def load_modules(args):
    mods = ["mpm_event", "authz_core", "authn_core", "authn_file", "authz_user", "auth_basic",
            "mime", "dir", "alias", "headers", "proxy", "proxy_http", "http2"]
    return "".join("LoadModule %s_module %s/mod_%s.so\n" % (m, args.modules, m) for m in mods)


def base_conf(env, listen, error_log):
    t = env.tmp
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    return """\
ServerRoot "{t}"
{modules}LoadModule cors_module {module}
{listen}
ServerName 127.0.0.1
PidFile {t}/run/httpd.pid
DefaultRuntimeDir {t}/run
Mutex file:{t}/run default
ErrorLog {error_log}
LogLevel warn cors:info
TypesConfig /etc/mime.types
{user}StartServers 1
ServerLimit 1
ThreadsPerChild 8
ThreadLimit 8
MaxRequestWorkers 8
""".format(t=t, modules=load_modules(env.args), module=env.args.module, listen=listen,
           error_log=error_log, user=user)


def httpd_conf(env, up_port, dead_port):
    t = env.tmp
    return base_conf(env, "Listen 127.0.0.1:%d\nListen 127.0.0.1:%d" % (env.port, env.seed_port),
                     t + "/logs/error.log") + """\
Protocols h2c http/1.1
LogFormat "%m %U %>s %{{cors-decision}}n %{{cors-allowed}}n %{{cors-reason}}n %{{cors-report-only}}n %{{cors-policy}}n" cors
CustomLog {t}/logs/cors.log cors
DocumentRoot {t}/www
DirectoryIndex index.html
<Directory {t}/www>
    Require all granted
</Directory>

# server level: the API policy (a path relative to ServerRoot)
CorsPolicy policies/api.yaml

<VirtualHost 127.0.0.1:{port}>
    DocumentRoot {t}/www

    <Location /private/>
        AuthType Basic
        AuthName private
        AuthUserFile {t}/htpasswd
        Require valid-user
    </Location>

    <Location /denied/>
        Require all denied
        ErrorDocument 403 "custom forbidden"
    </Location>

    ProxyPass /proxy/ http://127.0.0.1:{up}/
    ProxyPass /dead/ http://127.0.0.1:{dead}/

    # ErrorDocument: an internal redirect to a location with "Cors off"; the
    # decision of the location the request was for is kept
    <Location /redirected/>
        ErrorDocument 404 /errors/404.html
    </Location>
    <Location /errors/>
        Cors off
    </Location>

    # mod_headers lines in the same scope lose to the module
    <Location /headers/>
        Header set Access-Control-Allow-Origin "*"
        Header always set Access-Control-Allow-Credentials "false"
        Header set Access-Control-Max-Age "99"
        Header set Vary "Accept-Language"
        Header set X-Kept "yes"
    </Location>

    # Vary in both tables, Access-Control-* names in other spellings, and a
    # name that only looks like one
    <Location /varies/>
        Header always set Vary "Accept-Language"
        Header add Vary "Cookie"
        Header set ACCESS-CONTROL-MAX-AGE "5"
        Header always set access-control-allow-methods "PATCH"
        Header set Access-Controlled "yes"
    </Location>

    <Location /public/>
        CorsPolicy policies/public.yaml
    </Location>
    <Location /star/>
        CorsPolicy policies/star.json
    </Location>
    <Location /nocors/>
        Cors off
    </Location>
    <Location /reasons/>
        CorsPolicy policies/reasons.yaml
    </Location>
    <Location /report/>
        CorsPolicy policies/report.yaml
    </Location>
    <Location /forward/>
        CorsPolicy policies/forward.yaml
    </Location>
    <Location /reject204/>
        CorsPolicy policies/reject204.yaml
        ProxyPass http://127.0.0.1:{up}/
    </Location>
    <Location /reload/>
        CorsPolicy policies/reload.yaml
    </Location>
    <Directory {t}/www/dirscope>
        CorsPolicy policies/public.yaml
    </Directory>
</VirtualHost>

# the seed guide: the AgentgatewayPolicy for the whole virtual host, the
# HTTPRoute for /get (the route level wins)
<VirtualHost 127.0.0.1:{seed}>
    DocumentRoot {t}/seedwww
    CorsPolicy policies/seed-agentgatewaypolicy.yaml
    <Location /get>
        CorsPolicy policies/seed-httproute.yaml
    </Location>
    <Directory {t}/seedwww>
        Require all granted
    </Directory>
</VirtualHost>
""".format(t=t, port=env.port, seed=env.seed_port, up=up_port, dead=dead_port)


def test_conf(env, body):
    return base_conf(env, "Listen 127.0.0.1:1", env.tmp + "/logs/test-error.log") + body + "\n"


def start_apache(env):
    for _ in range(5):
        env.port = free_port()
        env.seed_port = free_port()
        env.write("httpd.conf", env.conf_for())
        try:
            os.unlink(env.path("logs", "error.log"))
        except OSError:
            pass
        err = open(env.path("logs", "stderr.log"), "w")
        proc = subprocess.Popen([env.args.apache, "-d", env.tmp, "-f", env.path("httpd.conf"),
                                 "-DFOREGROUND"], stdout=err, stderr=err)
        err.close()
        if wait_port(env.port, proc) and wait_port(env.seed_port, proc):
            env.proc = proc
            return True
        stop_apache(proc)
        if "Address already in use" not in env.error_log():
            break
    return False


def stop_apache(proc):
    # the parent stops its children, then exits
    stop_process(proc, ((signal.SIGTERM, 15),))


# --- tests ----------------------------------------------------------------------

def run_requests(tap, env):
    # static files (server-level policy)
    r = env.curl("/static/file.txt")
    tap.eq((r.status, r.body, cors(r)), (200, b"hello\n", ONLY_VARY),
           "static, no Origin: 200 with Vary: Origin only")

    r = env.curl("/static/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.body, cors(r)), (200, b"hello\n", api_actual()),
           "static, allowed origin: ACAO echoed, credentials, expose, Vary")

    r = env.curl("/static/file.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, cors(r)), (200, ONLY_VARY),
           "static, other origin: no Access-Control-*, Vary: Origin")

    r = env.curl("/static/file.txt", headers=["Origin: " + APP, "Origin: " + APP])
    tap.eq((r.status, cors(r)), (200, ONLY_VARY),
           "two Origin lines (Apache joins them into one list): not allowed")

    r = env.curl("/static/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.body, r.get("content-length"), cors(r)),
           (200, b"", "0", api_preflight()),
           "static, preflight allowed: answered 200, empty body, all headers")

    r = env.curl("/static/file.txt", "OPTIONS", PRE_EVIL)
    tap.eq((r.status, r.body, cors(r)), (403, b"", PREFLIGHT_REJECTED),
           "static, preflight from other origin: rejectStatus 403, empty body, Vary only")

    r = env.curl("/static/file.txt", "OPTIONS", ["Origin: " + APP])
    tap.eq((r.status, r.get("allow") is not None, cors(r)), (200, True, api_actual()),
           "OPTIONS without ACRM is an actual request: Apache's own OPTIONS answer + headers")

    r = env.curl("/static/missing.txt", headers=["Origin: " + APP])
    tap.eq((r.status, cors(r)), (404, api_actual()), "static 404: headers on the error page")

    r = env.curl("/static/", headers=["Origin: " + APP])
    tap.eq((r.status, r.body, cors(r)), (200, b"index\n", api_actual()),
           "DirectoryIndex (a subrequest made the response): headers once")

    r = env.curl("/static/file.txt", "HEAD", ["Origin: " + APP])
    tap.eq((r.status, cors(r)), (200, api_actual()), "HEAD: headers added")

    # AuthType Basic + Require valid-user: preflight answered before authentication
    r = env.curl("/private/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.get("www-authenticate"), cors(r)), (200, None, api_preflight()),
           "AuthType Basic: preflight answered without credentials, no challenge")

    r = env.curl("/private/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, cors(r), r.get("www-authenticate") is not None),
           (401, api_actual(), True),
           "AuthType Basic: the 401 carries the CORS headers and WWW-Authenticate")

    r = env.curl("/private/file.txt", headers=["Origin: " + APP], user="alice:secret")
    tap.eq((r.status, r.body, cors(r)), (200, b"hello\n", api_actual()),
           "AuthType Basic with credentials: 200 with headers")

    r = env.curl("/private/file.txt", "OPTIONS", PRE_EVIL)
    tap.eq((r.status, cors(r)), (403, PREFLIGHT_REJECTED),
           "AuthType Basic: a rejected preflight gets rejectStatus, not 401")

    # Require all denied + ErrorDocument with a text
    r = env.curl("/denied/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, cors(r)), (200, api_preflight()),
           "Require all denied: preflight answered before access control")

    r = env.curl("/denied/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.body, cors(r)), (403, b"custom forbidden", api_actual()),
           "Require all denied: the 403 (ErrorDocument text) carries the headers")

    # mod_proxy: an upstream with its own Access-Control-* headers
    r = env.curl("/proxy/ok", headers=["Origin: " + APP])
    tap.eq((r.status, r.get("x-upstream"), cors(r)),
           (200, "1", api_actual(vary=UPSTREAM_VARY)),
           "proxy: upstream's ACAO/ACAM/ACAC replaced, Vary merged")

    r = env.curl("/proxy/ok", headers=["Origin: " + EVIL])
    tap.eq((r.status, cors(r)), (200, [("vary", UPSTREAM_VARY)]),
           "proxy, other origin: upstream's ACAO * removed")

    r = env.curl("/proxy/ok")
    tap.eq((r.status, cors(r)), (200, [("vary", UPSTREAM_VARY)]),
           "proxy, no Origin: upstream's CORS headers removed")

    r = env.curl("/proxy/ok", "OPTIONS", PRE)
    tap.eq((r.status, r.get("x-upstream"), cors(r)), (200, None, api_preflight()),
           "proxy: preflight answered by Apache, never forwarded")

    r = env.curl("/proxy/ok", "OPTIONS", PRE_EVIL)
    tap.eq((r.status, r.get("x-upstream"), cors(r)), (403, None, PREFLIGHT_REJECTED),
           "proxy: a rejected preflight gets rejectStatus and Vary, never the upstream")

    r = env.curl("/reject204/ok", "OPTIONS", PRE_EVIL)
    tap.eq((r.status, r.get("x-upstream"), r.body, cors(r)), (204, None, b"", PREFLIGHT_REJECTED),
           "rejectStatus 204: a rejected preflight gets 204 and Vary, never the upstream")

    r = env.curl("/proxy/fail", headers=["Origin: " + APP])
    tap.eq((r.status, cors(r)), (500, api_actual(vary=UPSTREAM_VARY)),
           "proxy: upstream 500 carries the CORS headers")

    r = env.curl("/dead/x", headers=["Origin: " + APP])
    tap.eq((r.status, cors(r)), (503, api_actual()),
           "proxy to a closed port: Apache's 503 carries the CORS headers")

    # ErrorDocument: internal redirect to a location with "Cors off"
    r = env.curl("/redirected/missing.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.body, cors(r)), (404, b"custom 404\n", api_actual()),
           "ErrorDocument redirect: the original location's headers, once each")

    r = env.curl("/redirected/missing.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.body, cors(r)), (404, b"custom 404\n", ONLY_VARY),
           "ErrorDocument redirect, other origin: Vary once")

    r = env.curl("/redirected/missing.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.body, cors(r)), (200, b"", api_preflight()),
           "ErrorDocument location: a preflight is answered, never redirected")

    # mod_headers in the same scope loses
    r = env.curl("/headers/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.get("x-kept"), cors(r)),
           (200, "yes", api_actual(vary="Accept-Language, Origin")),
           "mod_headers Header set/always set Access-Control-*: the policy's headers win")

    r = env.curl("/headers/file.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, cors(r)), (200, [("vary", "Accept-Language, Origin")]),
           "mod_headers ACAO * never reaches a denied origin")

    # both header tables walked for Access-Control-* in any spelling; the
    # Vary lines of both merged into one
    r = env.curl("/varies/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.get("access-controlled"), len(r.get_all("vary")), cors(r)),
           (200, "yes", 1, api_actual(vary="Accept-Language, Cookie, Origin")),
           "Vary in headers_out and err_headers_out merged into one line; "
           "ACCESS-CONTROL-MAX-AGE and access-control-allow-methods removed, "
           "Access-Controlled kept")
    r = env.curl("/varies/file.txt")
    tap.eq((r.status, r.get("access-controlled"), cors(r)),
           (200, "yes", [("vary", "Accept-Language, Cookie, Origin")]),
           "no Origin: the same removal and Vary merge")

    # request field names in any case reach libcors (the module picks the
    # header table's entries by first letter and length only)
    r = env.curl("/static/file.txt", headers=["oRIGIN: " + APP])
    tap.eq((r.status, cors(r)), (200, api_actual()),
           "request field names in any case: oRIGIN is Origin")
    r = env.curl("/static/file.txt", "OPTIONS",
                 ["origin: " + APP, "ACCESS-CONTROL-REQUEST-METHOD: PUT",
                  "access-control-request-headers: X-Custom"])
    tap.eq((r.status, cors(r)), (200, api_preflight()),
           "request field names in any case: a preflight in lower and upper case")

    r = env.curl("/headers/missing.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, cors(r)), (404, ONLY_VARY),
           "mod_headers 'always' line on a 404: removed for a denied origin")

    # inner sections replace outer ones
    r = env.curl("/public/file.txt")
    tap.eq((r.status, cors(r)),
           (200, [("access-control-allow-origin", "*"),
                  ("access-control-expose-headers", "x-upstream")]),
           "<Location> policy replaces the server's: ACAO *, no Vary")

    r = env.curl("/dirscope/file.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, cors(r)),
           (200, [("access-control-allow-origin", "*"),
                  ("access-control-expose-headers", "x-upstream")]),
           "<Directory> policy replaces the server's")

    r = env.curl("/nocors/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, cors(r)), (200, []), "Cors off: no headers at all")

    r = env.curl("/nocors/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.get("allow") is not None, cors(r)), (200, True, []),
           "Cors off: the preflight reaches Apache's own OPTIONS handling")

    # allowHeaders "*" and the joined request header lines
    r = env.curl("/star/file.txt", "OPTIONS",
                 ["Origin: " + APP, "Access-Control-Request-Method: PATCH",
                  "Access-Control-Request-Headers: x-one, x-two",
                  "Access-Control-Request-Headers: authorization"])
    tap.eq((r.status, cors(r)),
           (204, sorted([("access-control-allow-origin", APP),
                         ("access-control-allow-methods", "PATCH"),
                         ("access-control-allow-headers", "x-one, x-two, authorization"),
                         ("vary", PREFLIGHT_VARY)])),
           "allowHeaders *: Apache joins ACRH lines, echoed as one list, status 204")

    star_pre = ["Origin: " + APP, "Access-Control-Request-Method: PATCH"]
    r = env.curl("/star/file.txt", "OPTIONS",
                 star_pre + ["Access-Control-Request-Headers: x-%d" % i for i in range(9)])
    tap.eq((r.status, r.get("access-control-allow-headers")),
           (204, ", ".join("x-%d" % i for i in range(9))),
           "9 ACRH lines reach libcors as one joined line: allowed")

    r = env.curl("/star/file.txt", "OPTIONS",
                 ["Origin: " + APP, "Access-Control-Request-Method: PUT",
                  "Access-Control-Request-Method: GET"])
    tap.eq((r.status, cors(r)), (403, PREFLIGHT_REJECTED),
           "two ACRM lines: rejected (method-malformed)")

    # forwardRejectedPreflights: the handler answers a rejected preflight
    r = env.curl("/forward/file.txt", "OPTIONS", PRE_EVIL)
    tap.eq((r.status, r.get("allow") is not None, cors(r)), (200, True, PREFLIGHT_REJECTED),
           "forwardRejectedPreflights: the rejected preflight goes on to the handler")

    # two preflights with a request body on one keep-alive connection
    cmd = [env.args.curl, "-sS", "-i", "--http1.1", "--max-time", "10", "-X", "OPTIONS",
           "--data-binary", "x" * 3000, "-w", "connects=%{num_connects}\n"] + \
        sum([["-H", h] for h in PRE], []) + \
        ["http://127.0.0.1:%d/private/file.txt" % env.port] * 2
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    statuses = re.findall(rb"^HTTP/1.1 (\d+)", out.stdout, re.M)
    connects = re.findall(rb"^connects=(\d+)", out.stdout, re.M)
    tap.ok(out.returncode == 0 and statuses == [b"200", b"200"] and connects == [b"1", b"0"],
           "preflights with a body, twice on one keep-alive connection: both answered",
           out.stdout.decode("latin-1") + out.stderr.decode())

    # HTTP/2 (h2c, mod_http2)
    r = env.curl("/private/file.txt", "OPTIONS", PRE, h2=True)
    tap.eq((r.status_line.split(" ")[0], r.status, r.body, cors(r)),
           ("HTTP/2", 200, b"", api_preflight()), "HTTP/2: preflight answered before auth")
    r = env.curl("/proxy/ok", headers=["Origin: " + APP], h2=True)
    tap.eq((r.status, cors(r)), (200, api_actual(vary=UPSTREAM_VARY)),
           "HTTP/2: proxied response, upstream's headers replaced")
    r = env.curl("/redirected/missing.txt", headers=["Origin: " + APP], h2=True)
    tap.eq((r.status, cors(r)), (404, api_actual()), "HTTP/2: ErrorDocument redirect")
    r = env.curl("/private/file.txt", headers=["Origin: " + APP], h2=True)
    tap.eq((r.status, cors(r)), (401, api_actual()), "HTTP/2: 401 carries the headers")

    # Apache's own 400s, some before the request headers are read
    for name, raw in [("garbage request line", b"GARBAGE\r\n\r\n"),
                      ("invalid header line",
                       b"GET /static/file.txt HTTP/1.1\r\nHost: x\r\n"
                       b"Origin: https://app.example\r\nBad Header\r\n\r\n"),
                      ("no Host", b"GET /static/file.txt HTTP/1.1\r\n"
                                  b"Origin: https://app.example\r\n\r\n")]:
        got = raw_request(env.port, raw)
        tap.ok(got.startswith(b"HTTP/1.1 400"), "Apache answers 400 to a " + name, got[:300])

    # the decision in request notes, for LogFormat
    env.curl("/static/file.txt?notes", "OPTIONS", PRE_EVIL)
    env.curl("/report/file.txt?notes", headers=["Origin: " + APP])
    env.curl("/nocors/file.txt?notes", headers=["Origin: " + APP])
    want = ["OPTIONS /static/file.txt 403 preflight false origin-not-allowed false " +
            env.path("policies", "api.yaml"),
            "GET /report/file.txt 200 actual true allowed true " + env.path("policies", "report.yaml"),
            "GET /nocors/file.txt 200 - - - - -"]
    got = []
    end = time.monotonic() + 5
    while time.monotonic() < end and got != want:     # logged after each answer
        with open(env.path("logs", "cors.log")) as f:
            got = f.read().splitlines()[-3:]
        time.sleep(0.05)
    tap.eq(got, want, "request notes for LogFormat: decision, allowed, reason, reportOnly, policy")

    r = env.curl("/static/file.txt", headers=["Origin: https://" + "a" * 5000 + ".example"])
    tap.eq((r.status, cors(r)), (200, ONLY_VARY), "a 5 KB Origin: not allowed, no crash")


def run_seed(tap, env):
    """The seed guide's walk-through: HTTPRoute on /get, AgentgatewayPolicy elsewhere."""
    p = env.seed_port
    pre = lambda origin: ["Origin: " + origin, "Access-Control-Request-Method: POST"]
    route = sorted([("access-control-allow-origin", "https://example.com"),
                    ("access-control-allow-credentials", "true"),
                    ("access-control-allow-methods", "GET,POST,OPTIONS"),
                    ("access-control-allow-headers", "origin"),
                    ("access-control-max-age", "86400"),
                    ("access-control-expose-headers", "origin,x-httproute-header"),
                    ("vary", PREFLIGHT_VARY)])
    policy = sorted([("access-control-allow-origin", "https://example.com"),
                     ("access-control-allow-credentials", "true"),
                     ("access-control-allow-methods", "GET,POST,OPTIONS"),
                     ("access-control-allow-headers", "origin,authorization,content-type"),
                     ("access-control-max-age", "86400"),
                     ("access-control-expose-headers", "origin,x-trafficpolicy-header"),
                     ("vary", PREFLIGHT_VARY)])

    r = env.curl("/get", "OPTIONS", pre("https://example.com"), port=p)
    tap.eq((r.status, r.body, cors(r)), (200, b"", route),
           "seed: preflight to /get answered by the HTTPRoute's policy (X-HTTPRoute-Header)")
    r = env.curl("/headers", "OPTIONS", pre("https://example.com"), port=p)
    tap.eq((r.status, r.body, cors(r)), (200, b"", policy),
           "seed: preflight to /headers answered by the AgentgatewayPolicy (X-TrafficPolicy-Header)")
    r = env.curl("/get", "OPTIONS", pre("https://notallowed.com"), port=p)
    tap.eq((r.status, cors(r)), (403, PREFLIGHT_REJECTED),
           "seed: notallowed.com gets 403 and no configured header")
    r = env.curl("/headers", "OPTIONS", pre("https://notallowed.com"), port=p)
    tap.eq((r.status, cors(r)), (403, PREFLIGHT_REJECTED),
           "seed: notallowed.com at the policy level: 403 too")
    # the guide's literal command has no Access-Control-Request-Method: an
    # OPTIONS request that is not a preflight (Fetch §3.2.2)
    r = env.curl("/get", "OPTIONS", ["Origin: https://example.com"], port=p)
    tap.eq((r.status, cors(r)),
           (200, sorted([("access-control-allow-origin", "https://example.com"),
                         ("access-control-allow-credentials", "true"),
                         ("access-control-expose-headers", "origin,x-httproute-header"),
                         ("vary", "Origin")])),
           "seed: the guide's OPTIONS without ACRM is an actual request")
    r = env.curl("/get", headers=["Origin: https://example.com"], port=p)
    tap.eq((r.status, r.body, r.get("access-control-expose-headers")),
           (200, b"get\n", "origin,x-httproute-header"), "seed: GET /get from example.com")
    log = env.error_log()
    tap.ok(re.search(r"seed-httproute\.yaml:26:21: warning: max-age-above-chromium-cap: .*"
                     r"\(CorsPolicy on line \d+ of ", log) is not None,
           "seed: the policy's warnings are in the error log with FILE:LINE:COL", log[-3000:])


# every decision and reason: the enforced policy's answer, and the reportOnly
# policy's log line for the same request (Fetch §4.8 CORS-preflight fetch,
# §4.10 CORS check; libcors reasons)
REASON_CASES = [
    # name, method, headers, enforced status, enforced ACAO, log text
    ("not-cors", "GET", [], 200, None, 'not-cors rejected, reason "not-cors", origin ""'),
    ("actual allowed (exact)", "GET", ["Origin: " + APP], 200, APP,
     'actual allowed, reason "allowed", origin "https://app.example", '
     'matched allowOrigins[0] "https://app.example"'),
    ("actual allowed (wildcard)", "GET", ["Origin: https://a.b.example.org"], 200,
     "https://a.b.example.org",
     'actual allowed, reason "allowed", origin "https://a.b.example.org", '
     'matched allowOrigins[1] "https://*.example.org"'),
    ("actual allowed (regex)", "GET", ["Origin: https://abc.regex.test"], 200,
     "https://abc.regex.test",
     'actual allowed, reason "allowed", origin "https://abc.regex.test", '
     # Apache's error log writes a backslash as two
     'matched allowOriginRegex[0] "^https://[a-z]+\\\\.regex\\\\.test$"'),
    ("origin-not-allowed", "GET", ["Origin: " + EVIL], 200, None,
     'actual rejected, reason "origin-not-allowed", origin "https://evil.example"'),
    ("origin-malformed", "GET", ["Origin: https://app.example/path"], 200, None,
     'actual rejected, reason "origin-malformed"'),
    ("origin-too-long", "GET", ["Origin: https://" + "a" * 4100 + ".example"], 200, None,
     'actual rejected, reason "origin-too-long"'),
    ("preflight allowed", "OPTIONS", ["Origin: " + APP, "Access-Control-Request-Method: PUT",
                                      "Access-Control-Request-Headers: x-custom"], 200, APP,
     'preflight allowed, reason "allowed", origin "https://app.example", '
     'matched allowOrigins[0] "https://app.example"'),
    ("preflight origin-not-allowed", "OPTIONS",
     ["Origin: " + EVIL, "Access-Control-Request-Method: PUT"], 403, None,
     'preflight rejected, reason "origin-not-allowed"'),
    ("method-not-allowed", "OPTIONS", ["Origin: " + APP, "Access-Control-Request-Method: PATCH"],
     200, APP, 'preflight rejected, reason "method-not-allowed", origin "https://app.example", '
                'matched allowOrigins[0]'),
    ("method-malformed", "OPTIONS", ["Origin: " + APP, "Access-Control-Request-Method: P U T"],
     403, None, 'preflight rejected, reason "method-malformed"'),
    ("header-not-allowed", "OPTIONS",
     ["Origin: " + APP, "Access-Control-Request-Method: PUT",
      "Access-Control-Request-Headers: x-other"], 200, APP,
     'preflight rejected, reason "header-not-allowed"'),
    ("headers-malformed", "OPTIONS",
     ["Origin: " + APP, "Access-Control-Request-Method: PUT",
      "Access-Control-Request-Headers: x custom"], 403, None,
     'preflight rejected, reason "headers-malformed"'),
    ("private-network-not-allowed", "OPTIONS",
     ["Origin: " + APP, "Access-Control-Request-Method: PUT",
      "Access-Control-Request-Private-Network: true"], 200, APP,
     'preflight rejected, reason "private-network-not-allowed"'),
    ("two Origin lines (joined by Apache)", "GET", ["Origin: " + APP, "Origin: " + APP], 200, None,
     'actual rejected, reason "origin-malformed"'),
]


def run_reasons(tap, env):
    for name, method, headers, status, acao, text in REASON_CASES:
        r = env.curl("/reasons/file.txt", method, headers)
        want_status = status
        tap.eq((r.status, r.get("access-control-allow-origin")), (want_status, acao),
               "enforced, %s: %d, ACAO %s" % (name, status, acao))
        before = len([l for l in env.error_log().splitlines() if "cors report-only:" in l])
        r = env.curl("/report/file.txt", method, headers)
        tap.eq((r.status, cors(r)), (200, []),
               "reportOnly, %s: the response is not touched" % name)
        lines = env.wait_log(r"cors report-only:", before + 1)[before:]
        tap.ok(len(lines) == 1 and "[cors:info]" in lines[0] and text in lines[0],
               "reportOnly log, %s: one info line: %s" % (name, text), "\n".join(lines))
    # decided once per request: DirectoryIndex (a subrequest copied into the
    # request) and a 404 log one line each
    for path, name in (("/report/", "DirectoryIndex"), ("/report/missing.txt", "404")):
        before = len([l for l in env.error_log().splitlines() if "cors report-only:" in l])
        r = env.curl(path, headers=["Origin: https://once.example"])
        time.sleep(0.3)
        lines = env.wait_log(r"cors report-only:", before + 1)[before:]
        tap.ok(len(lines) == 1 and 'origin "https://once.example"' in lines[0],
               "reportOnly, %s (%d): evaluated once, one log line" % (name, r.status),
               "\n".join(lines))

    line = "".join(env.wait_log(r'reason "origin-too-long"'))
    tap.ok('origin "https://' + "a" * 248 + '..."' in line,
           "reportOnly log: a long Origin is quoted shortened to 256 bytes", line[:400])
    r = env.curl("/report/file.txt", headers=["Origin: bad\u00e9value\"x\\"])
    line = "".join(env.wait_log(r'origin "bad\?\?value\?x\?"'))
    tap.ok(r.status == 200 and line != "",
           "reportOnly log: bytes outside printable ASCII, quotes and backslashes replaced",
           env.error_log()[-600:])


def run_config_errors(tap, env):
    env.write("policies/bad.yaml", BAD_POLICY)
    env.write("policies/warn.yaml", WARN_POLICY)
    env.write("policies/empty.yaml", "")
    env.write("policies/methods.yaml",
              'allowOrigins: [https://a.example]\nallowMethods: [GET, "POST PUT", TRACE]\n')

    env.write("bad.conf", test_conf(env, "<Location />\n    CorsPolicy policies/bad.yaml\n</Location>"))
    out = env.apache("-t", conf="bad.conf")
    err = out.stderr.decode(errors="replace")
    bad = env.path("policies", "bad.yaml")
    tap.eq(out.returncode, 1, "apache2 -t fails (exit 1) on an invalid policy")
    m = re.search(re.escape(bad) + r":(\d+):(\d+): error: ([a-z-]+): (.+)", err)
    tap.ok(m is not None, "apache2 -t prints FILE:LINE:COL: error: CODE: message", err)
    if m:
        tap.eq((m.group(1), m.group(2), m.group(3)), ("3", "5", "origin-malformed"),
               "the diagnostic points at line 3, column 5, origin-malformed")
    tap.ok(re.search(r"Syntax error on line \d+ of " + re.escape(env.path("bad.conf")), err)
           and "is not a valid CORS policy" in err,
           "apache2 -t names the configuration line and the policy", err)

    # several errors: the first in the message, each on its own line
    with open(os.path.join(env.args.seed_dir, "invalid.yaml")) as f:
        env.write("policies/invalid.yaml", f.read())
    env.write("multi.conf", test_conf(env, "CorsPolicy policies/invalid.yaml"))
    out = env.apache("-t", conf="multi.conf")
    err = out.stderr.decode(errors="replace")
    inv = re.escape(env.path("policies", "invalid.yaml"))
    found = re.findall("^" + inv + r":(\d+:\d+): error: ([a-z-]+):", err, re.M)
    tap.ok(out.returncode == 1 and len(set(found)) == 5 and
           ("4:1", "text-unknown-key") in found and ("3:5", "origin-wildcard-misplaced") in found
           and "5 error(s), each listed above" in err,
           "apache2 -t with five errors: each on its own line with FILE:LINE:COL and code", err)

    env.write("strict.conf", test_conf(env, "CorsStrict on\n<Location />\n"
                                            "    CorsPolicy policies/warn.yaml\n</Location>"))
    out = env.apache("-t", conf="strict.conf")
    err = out.stderr.decode(errors="replace")
    tap.ok(out.returncode != 0 and
           re.search(re.escape(env.path("policies", "warn.yaml")) + r":3:\d+: error: origin-null: ",
                     err) is not None and "CorsStrict on" in err,
           "CorsStrict on (server level, policy in <Location>): a warning fails apache2 -t", err)

    env.write("strict2.conf", test_conf(env, "<Location />\n    CorsPolicy policies/warn.yaml\n"
                                             "    CorsStrict on\n</Location>"))
    out = env.apache("-t", conf="strict2.conf")
    tap.ok(out.returncode != 0 and b"origin-null" in out.stderr,
           "CorsStrict on after CorsPolicy in the same section: fails too",
           out.stderr.decode(errors="replace"))

    env.write("warn.conf", test_conf(env, "<Location />\n    CorsPolicy policies/warn.yaml\n</Location>"))
    out = env.apache("-t", conf="warn.conf")
    err = out.stderr.decode(errors="replace")
    tap.ok(out.returncode == 0 and
           re.search(r"warn\.yaml:3:\d+: warning: origin-null: ", err) is not None
           and "Syntax OK" in err,
           "CorsStrict off: apache2 -t passes and prints the warning", err)

    cases = [
        ("missing file", "CorsPolicy policies/nope.yaml",
         'cannot open "' + env.path("policies", "nope.yaml") + '"'),
        ("empty file", "CorsPolicy policies/empty.yaml", "is not a valid CORS policy"),
        ("invalid methods", "CorsPolicy policies/methods.yaml",
         "methods.yaml:2:21: error: method-invalid: "),
        ("Cors on", "Cors on", 'the only value is "off"'),
        ("policy and off", "CorsPolicy policies/warn.yaml\nCors off",
         "Cors off conflicts with CorsPolicy"),
        ("off and policy", "Cors off\nCorsPolicy policies/warn.yaml",
         'CorsPolicy conflicts with "Cors off"'),
        ("duplicate policy", "CorsPolicy policies/warn.yaml\nCorsPolicy policies/warn.yaml",
         "CorsPolicy is duplicate"),
        ("bad CorsStrict value", "CorsStrict maybe", "CorsStrict must be On or Off"),
        ("a directory", "CorsPolicy policies", "is not a regular file"),
    ]
    for name, body, expect in cases:
        env.write("case.conf", test_conf(env, "<Location />\n%s\n</Location>" % body))
        out = env.apache("-t", conf="case.conf")
        err = out.stderr.decode(errors="replace")
        tap.ok(out.returncode != 0 and expect in err,
               "apache2 -t rejects %s: %s" % (name, expect), err)


def run_reload(tap, env):
    r = env.curl("/reload/file.txt", headers=["Origin: " + APP])
    tap.eq(r.get("access-control-allow-origin"), APP, "reload: first policy in effect")

    env.write("policies/reload.yaml", RELOAD_POLICY_2)
    env.proc.send_signal(signal.SIGUSR1)          # graceful restart
    got = old = None
    end = time.monotonic() + 20
    while time.monotonic() < end:
        try:
            got = cors(env.curl("/reload/file.txt", headers=["Origin: " + OTHER]))
            old = cors(env.curl("/reload/file.txt", headers=["Origin: " + APP]))
        except RuntimeError:
            pass        # the listener is handed over
        if old == ONLY_VARY and got != ONLY_VARY:
            break
        time.sleep(0.1)
    tap.eq(got, [("access-control-allow-origin", OTHER), ("vary", "Origin")],
           "graceful restart (SIGUSR1): the changed policy takes effect")
    tap.eq(old, ONLY_VARY, "graceful restart: the old origin is no longer allowed")

    # a broken policy: "apache2 -k graceful" (what apachectl graceful runs
    # after its configtest) reads the configuration first and refuses
    env.write("policies/reload.yaml", BAD_POLICY)
    out = env.apache("-k", "graceful")
    err = out.stderr.decode(errors="replace")
    tap.ok(out.returncode == 1 and
           re.search(r"reload\.yaml:3:5: error: origin-malformed", err) is not None,
           "apache2 -k graceful with a broken policy fails and prints the diagnostic", err)
    time.sleep(0.5)
    r = env.curl("/reload/file.txt", headers=["Origin: " + OTHER])
    tap.eq((env.proc.poll(), r.get("access-control-allow-origin")), (None, OTHER),
           "broken policy refused: the server runs on with the previous policy")
    env.write("policies/reload.yaml", RELOAD_POLICY_2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", required=True)
    ap.add_argument("--seed-dir", required=True)
    ap.add_argument("--apache", default="/usr/sbin/apache2")
    ap.add_argument("--modules", default="/usr/lib/apache2/modules")
    ap.add_argument("--curl", default="curl")
    args = ap.parse_args()
    args.module = os.path.abspath(args.module)

    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="libcors-apache-")
    os.chmod(tmp, 0o755)       # the children run as www-data when started as root
    env = Env(args, tmp)
    upstream = None

    try:
        for d in ("logs", "run", "www/static", "www/private", "www/denied", "www/redirected",
                  "www/headers", "www/varies", "www/public", "www/dirscope", "www/nocors", "www/star",
                  "www/reasons", "www/report", "www/forward", "www/reload", "www/errors",
                  "seedwww", "policies"):
            os.makedirs(env.path(d), exist_ok=True)
            os.chmod(env.path(d), 0o755)
        for d in ("static", "private", "denied", "redirected", "headers", "varies", "public",
                  "dirscope",
                  "nocors", "star", "reasons", "report", "forward", "reload"):
            env.write("www/%s/file.txt" % d, "hello\n")
        env.write("www/static/index.html", "index\n")
        env.write("www/report/index.html", "index\n")
        env.write("www/errors/404.html", "custom 404\n")
        env.write("seedwww/get", "get\n")
        env.write("seedwww/headers", "headers\n")
        sha = base64.b64encode(hashlib.sha1(b"secret").digest()).decode()
        env.write("htpasswd", "alice:{SHA}%s\n" % sha)
        env.write("policies/api.yaml", API_POLICY)
        env.write("policies/public.yaml", PUBLIC_POLICY)
        env.write("policies/star.json", STAR_HEADERS_POLICY)
        env.write("policies/reasons.yaml", REASONS_POLICY)
        env.write("policies/report.yaml", REASONS_POLICY + "reportOnly: true\n")
        env.write("policies/forward.yaml", FORWARD_POLICY)
        env.write("policies/reject204.yaml", REJECT_204_POLICY)
        env.write("policies/reload.yaml", RELOAD_POLICY_1)
        for name in ("seed-agentgatewaypolicy.yaml", "seed-httproute.yaml"):
            with open(os.path.join(args.seed_dir, name)) as f:
                env.write("policies/" + name, f.read())

        upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
        up_port = upstream.server_address[1]
        dead_port = free_port()
        env.conf_for = lambda: httpd_conf(env, up_port, dead_port)

        env.port, env.seed_port = 1, 2       # "apache2 -t" does not bind
        env.write("httpd.conf", env.conf_for())
        out = env.apache("-t")
        tap.ok(out.returncode == 0, "apache2 -t accepts the test configuration",
               out.stderr.decode(errors="replace"))

        if not tap.ok(start_apache(env), "apache2 starts with the module",
                      env.error_log() + open(env.path("logs", "stderr.log")).read()):
            return tap.done()

        run_requests(tap, env)
        run_seed(tap, env)
        run_reasons(tap, env)
        run_reload(tap, env)
        run_config_errors(tap, env)

        bad = [l for l in env.error_log().splitlines()
               if re.search(r":(alert|crit|emerg)\]", l)]
        tap.ok(not bad, "no alert/crit/emerg in the error log", "\n".join(bad))
    except Exception as e:  # report, never hide
        tap.ok(False, "unexpected exception: %r" % (e,), env.error_log()[-3000:])
    finally:
        if env.proc is not None:
            stop_apache(env.proc)
            tap.eq(env.proc.returncode, 0, "apache2 stops cleanly (SIGTERM to its PID)")
        if upstream is not None:
            upstream.shutdown()
            upstream.server_close()
        shutil.rmtree(tmp, ignore_errors=True)

    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
