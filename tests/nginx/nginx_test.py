#!/usr/bin/env python3
"""End-to-end tests of ngx_http_cors_module in Debian's nginx (TAP output).

Starts /usr/sbin/nginx in the foreground on a free 127.0.0.1 port with the
module and a configuration with several locations (static files, auth_basic,
auth_request, deny, a proxied upstream that sends its own CORS headers,
"return 404", error_page), sends preflights and actual requests with curl and
checks every status and CORS header. Also: "nginx -t" on bad policies prints
libcors's diagnostics; "nginx -s reload" with a changed policy takes effect;
the module's place in the filter order (a static configure, and a dynamic
variant built without the order, which "nginx -t" must refuse).

usage: nginx_test.py --module ngx_http_cors_module.so --addon-dir examples/nginx
                     --libcors-build BUILDDIR [--nginx PATH] [--curl PATH]

The helpers shared with the other server's suite are in
tests/common/http_server_test.py: meson puts that folder on PYTHONPATH (by
hand: PYTHONPATH=tests/common).
"""

import argparse
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

REPORT_POLICY = """\
allowOrigins:
  - https://app.example
reportOnly: true
"""

# a roll-out: enforced for origins whose bucket (FNV-1a of the Origin, modulo
# 100) is below 50: https://other.example (28) is, https://app.example (89) is
# not and gets the report-only treatment (only Vary: Origin, and a log line)
ROLLOUT_POLICY = """\
allowOrigins: [https://other.example, https://app.example]
enforcePercent: 50
"""

# forwardAllowedPreflights: the location's content (an upstream, "return")
# answers allowed preflights and the module adds the policy's headers;
# timingAllowOrigin: allowed actual responses get Timing-Allow-Origin
FORWARD_POLICY = """\
allowOrigins: [https://app.example]
allowMethods: [GET, PUT]
allowHeaders: [X-Custom]
maxAge: 600
forwardAllowedPreflights: true
timingAllowOrigin: true
"""

# private network access: http://localhost:* is the second entry
PNA_POLICY = """\
allowOrigins: [https://app.example, "http://localhost:*"]
allowMethods: [GET]
allowPrivateNetwork: true
"""

RELOAD_POLICY_1 = """\
allowOrigins: [https://app.example]
"""

RELOAD_POLICY_2 = """\
allowOrigins: [https://other.example]
"""


# --- the server -----------------------------------------------------------------

class Env(ServerEnv):
    def nginx(self, *extra, conf="nginx.conf"):
        cmd = [self.args.nginx, "-p", self.tmp + "/", "-c", self.path(conf),
               "-e", "stderr"] + list(extra)
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=30)


# --- configuration ------------------------------------------------------------

def nginx_conf(env, module, upstream_port, dead_port, server_extra=""):
    t = env.tmp
    return """\
load_module {module};
worker_processes 1;
pid {t}/logs/nginx.pid;
error_log {t}/logs/error.log info;
events {{ worker_connections 64; }}

http {{
    access_log {t}/logs/access.log;
    client_body_temp_path {t}/tmp/body;
    proxy_temp_path {t}/tmp/proxy;
    fastcgi_temp_path {t}/tmp/fastcgi;
    uwsgi_temp_path {t}/tmp/uwsgi;
    scgi_temp_path {t}/tmp/scgi;
    default_type text/plain;

    # http level: the API policy (a relative path: next to nginx.conf)
    cors_policy policies/api.yaml;

    server {{
        listen 127.0.0.1:{port};
        listen 127.0.0.1:{h2port} http2;
        root {t}/www;
{server_extra}
        location /static/ {{ alias {t}/www/; }}

        location /private/ {{
            alias {t}/www/;
            auth_basic "private";
            auth_basic_user_file {t}/htpasswd;
        }}

        location /subreq/ {{
            alias {t}/www/;
            auth_request /auth-check;
        }}
        location = /auth-check {{ internal; cors off; return 401; }}

        location /denied/ {{ deny all; }}

        location /proxy/ {{ proxy_pass http://127.0.0.1:{up}/; }}
        location /dead/ {{ proxy_pass http://127.0.0.1:{dead}/; }}

        location /gone {{ return 404; }}

        # the error page's own location has CORS off: the decision of the
        # location the request was for is kept
        location /redirected/ {{
            alias {t}/www/;
            error_page 404 /errors/404.html;
        }}
        location /errors/ {{ internal; cors off; alias {t}/err/; }}

        location /public/ {{ cors_policy policies/public.yaml; alias {t}/www/; }}
        location /star/ {{ cors_policy policies/star.json; alias {t}/www/; }}
        location /nocors/ {{ cors off; alias {t}/www/; }}
        location /report/ {{ cors_policy policies/report.yaml; alias {t}/www/; }}
        location /reload/ {{ cors_policy policies/reload.yaml; alias {t}/www/; }}
        location /pna/ {{ cors_policy policies/pna.yaml; alias {t}/www/; }}
        location /rollout/ {{ cors_policy policies/rollout.yaml; alias {t}/www/; }}
        location /forward/ {{
            cors_policy policies/forward.yaml;
            proxy_pass http://127.0.0.1:{up}/;
        }}
        location = /forward-return {{ cors_policy policies/forward.yaml; return 204; }}

        # add_header Access-Control-* next to a policy: the decision wins
        # (the module's header filter runs after the headers filter)
        location /addheader/ {{
            alias {t}/www/;
            add_header Access-Control-Allow-Origin "*" always;
            add_header Access-Control-Allow-Credentials "true" always;
            add_header access-control-expose-headers "x-secret" always;
            add_header Vary "Accept" always;
            add_header X-Kept "1" always;
        }}
        location /addheader-proxy/ {{
            proxy_pass http://127.0.0.1:{up}/;
            add_header Access-Control-Allow-Origin "https://evil.example" always;
        }}
        location /addheader-report/ {{
            cors_policy policies/report.yaml;
            alias {t}/www/;
            add_header Access-Control-Allow-Origin "*" always;
        }}
        location /addheader-off/ {{
            cors off;
            alias {t}/www/;
            add_header Access-Control-Allow-Origin "*" always;
        }}
    }}
}}
""".format(module=module, t=t, port=env.port, h2port=env.h2port, up=upstream_port,
           dead=dead_port,
           server_extra=server_extra)


def test_conf(env, module, body):
    t = env.tmp
    return """\
load_module {module};
pid {t}/logs/test.pid;
error_log stderr;
events {{ worker_connections 16; }}
http {{
    access_log off;
    client_body_temp_path {t}/tmp/body;
    proxy_temp_path {t}/tmp/proxy;
    fastcgi_temp_path {t}/tmp/fastcgi;
    uwsgi_temp_path {t}/tmp/uwsgi;
    scgi_temp_path {t}/tmp/scgi;
{body}
}}
""".format(module=module, t=t, body=body)


# --- tests --------------------------------------------------------------------

def run_requests(tap, env):
    # static files
    r = env.curl("/static/file.txt")
    tap.eq((r.status, r.body, r.cors()), (200, b"hello\n", ONLY_VARY),
           "static, no Origin: 200 with Vary: Origin only")

    r = env.curl("/static/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.body, r.cors()), (200, b"hello\n", api_actual()),
           "static, allowed origin: ACAO echoed, credentials, expose, Vary")

    r = env.curl("/static/file.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.cors()), (200, ONLY_VARY),
           "static, other origin: no Access-Control-*, Vary: Origin")

    r = env.curl("/static/file.txt", headers=["Origin: " + APP, "Origin: " + APP])
    tap.eq((r.status, r.cors()), (200, ONLY_VARY),
           "two Origin lines: not allowed (origin-multiple)")

    r = env.curl("/static/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.body, r.get("content-length"), r.cors()),
           (200, b"", "0", api_preflight()),
           "static, preflight allowed: answered 200, empty body, all headers")

    r = env.curl("/static/file.txt", "OPTIONS", PRE_EVIL)
    tap.eq((r.status, r.body, r.cors()), (403, b"", PREFLIGHT_REJECTED),
           "static, preflight from other origin: 403, empty body, Vary only")

    r = env.curl("/static/file.txt", "OPTIONS", ["Origin: " + APP])
    tap.eq((r.status, r.cors()), (405, api_actual()),
           "OPTIONS without ACRM is an actual request: static 405 with headers")

    r = env.curl("/static/missing.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()), (404, api_actual()),
           "static 404: headers on the error page")

    # auth_basic: preflight answered before authentication
    r = env.curl("/private/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.cors()), (200, api_preflight()),
           "auth_basic: preflight answered without credentials")

    r = env.curl("/private/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors(), r.get("www-authenticate") is not None),
           (401, api_actual(), True),
           "auth_basic: 401 carries the CORS headers and WWW-Authenticate")

    r = env.curl("/private/file.txt", headers=["Origin: " + APP], user="alice:secret")
    tap.eq((r.status, r.body, r.cors()), (200, b"hello\n", api_actual()),
           "auth_basic with credentials: 200 with headers")

    # auth_request
    r = env.curl("/subreq/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.cors()), (200, api_preflight()),
           "auth_request: preflight answered before the auth subrequest")

    r = env.curl("/subreq/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()), (401, api_actual()),
           "auth_request denied: 401 carries the CORS headers")

    # deny all
    r = env.curl("/denied/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.cors()), (200, api_preflight()),
           "deny all: preflight answered before access control")

    r = env.curl("/denied/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()), (403, api_actual()),
           "deny all: 403 carries the CORS headers")

    # proxied upstream with its own Access-Control-* headers
    r = env.curl("/proxy/ok", headers=["Origin: " + APP])
    tap.eq((r.status, r.get("x-upstream"), r.cors()),
           (200, "1", sorted(api_actual()[:3] + [("vary", "Accept-Encoding, Origin")])),
           "proxy: upstream's ACAO/ACAM/ACAC replaced, Vary merged")

    r = env.curl("/proxy/ok", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.cors()), (200, [("vary", "Accept-Encoding, Origin")]),
           "proxy, other origin: upstream's ACAO * removed")

    r = env.curl("/proxy/ok")
    tap.eq((r.status, r.cors()), (200, [("vary", "Accept-Encoding, Origin")]),
           "proxy, no Origin: upstream's CORS headers removed")

    r = env.curl("/proxy/ok", "OPTIONS", PRE)
    tap.eq((r.status, r.get("x-upstream"), r.cors()), (200, None, api_preflight()),
           "proxy: preflight answered by nginx, never forwarded")

    # the response's header list is walked once for Access-Control-* and Vary
    # lines: any case, several Vary lines (merged into one), and a name that
    # only looks like one (kept)
    r = env.curl("/proxy/varies", headers=["Origin: " + APP])
    tap.eq((r.status, r.get_all("vary"), r.get("access-controlled"), r.cors()),
           (200, ["Accept-Encoding, Cookie, Origin"], "yes",
            sorted(api_actual()[:3] + [("vary", "Accept-Encoding, Cookie, Origin")])),
           "proxy: upstream's two Vary lines merged, ACCESS-CONTROL-MAX-AGE removed, "
           "Access-Controlled kept")

    # request field names in any case reach libcors (the module's walk
    # picks them by length and first letter only)
    r = env.curl("/static/file.txt", headers=["oRIGIN: " + APP])
    tap.eq((r.status, r.cors()), (200, api_actual()),
           "request field names in any case: oRIGIN is Origin")
    r = env.curl("/static/file.txt", "OPTIONS",
                 ["origin: " + APP, "ACCESS-CONTROL-REQUEST-METHOD: PUT",
                  "access-control-request-headers: X-Custom"])
    tap.eq((r.status, r.cors()), (200, api_preflight()),
           "request field names in any case: a preflight in lower and upper case")

    r = env.curl("/proxy/fail", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()),
           (500, sorted(api_actual()[:3] + [("vary", "Accept-Encoding, Origin")])),
           "proxy: upstream 500 carries the CORS headers")

    r = env.curl("/dead/x", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()), (502, api_actual()),
           "proxy to a closed port: nginx's 502 carries the CORS headers")

    # add_header Access-Control-* in a location with a policy: removed like
    # an upstream's, whatever the origin; other add_header headers stay
    r = env.curl("/addheader/file.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.get("x-kept"), r.cors()),
           (200, "1", [("vary", "Accept, Origin")]),
           "add_header ACAO * and ACAC, other origin: removed, only Vary (merged)")

    r = env.curl("/addheader/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.get("x-kept"), r.cors()),
           (200, "1", sorted(api_actual()[:3] + [("vary", "Accept, Origin")])),
           "add_header ACAO *, allowed origin: the policy's headers, not add_header's")

    r = env.curl("/addheader/file.txt")
    tap.eq((r.status, r.cors()), (200, [("vary", "Accept, Origin")]),
           "add_header ACAO *, no Origin: removed")

    r = env.curl("/addheader/file.txt", "OPTIONS", PRE_EVIL)
    tap.eq((r.status, r.cors()), (403, [("vary", "Accept, " + PREFLIGHT_VARY)]),
           "add_header ACAO *, rejected preflight: 403 without add_header's ACAO")

    r = env.curl("/addheader/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.cors()),
           (200, sorted([h for h in api_preflight() if h[0] != "vary"] +
                        [("vary", "Accept, " + PREFLIGHT_VARY)])),
           "add_header ACAO *, allowed preflight: the policy's headers only")

    r = env.curl("/addheader/missing.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.cors()), (404, [("vary", "Accept, Origin")]),
           "add_header ... always on a 404, other origin: removed")

    r = env.curl("/addheader-proxy/ok", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.get("x-upstream"), r.cors()),
           (200, "1", [("vary", "Accept-Encoding, Origin")]),
           "proxy + add_header: neither the upstream's nor add_header's ACAO reaches "
           "another origin")

    r = env.curl("/addheader-proxy/ok", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()),
           (200, sorted(api_actual()[:3] + [("vary", "Accept-Encoding, Origin")])),
           "proxy + add_header, allowed origin: the policy's headers only")

    r = env.curl("/addheader-report/file.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.cors()), (200, [("access-control-allow-origin", "*")]),
           "add_header with a reportOnly policy: left alone (the policy is not in force)")

    r = env.curl("/addheader-off/file.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.cors()), (200, [("access-control-allow-origin", "*")]),
           "add_header with cors off: left alone")

    # private network access: only a single "true" line asks
    pna = ["Origin: http://localhost:3000", "Access-Control-Request-Method: GET"]
    r = env.curl("/pna/file.txt", "OPTIONS",
                 pna + ["Access-Control-Request-Private-Network: true"])
    tap.eq((r.status, r.get("access-control-allow-private-network")), (200, "true"),
           "one ACRPN line: private network access granted")
    r = env.curl("/pna/file.txt", "OPTIONS",
                 pna + ["Access-Control-Request-Private-Network: true"] * 2)
    tap.eq((r.status, r.get("access-control-allow-origin"),
            r.get("access-control-allow-private-network")),
           (200, "http://localhost:3000", None),
           "two ACRPN lines: not a request, nothing granted")

    # enforcePercent: the report-only treatment still gets Vary: Origin
    r = env.curl("/rollout/file.txt", headers=["Origin: " + OTHER])
    tap.eq((r.status, r.cors()),
           (200, [("access-control-allow-origin", OTHER), ("vary", "Origin")]),
           "enforcePercent 50, origin in the enforced share: the policy's headers")
    r = env.curl("/rollout/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()), (200, [("vary", "Origin")]),
           "enforcePercent 50, origin outside the share: report-only, only Vary: Origin")

    # forwardAllowedPreflights: an allowed preflight goes to the upstream,
    # whose own Access-Control-* are removed and whose Vary is merged
    fwd_pre = sorted([("access-control-allow-headers", "x-custom"),
                      ("access-control-allow-methods", "GET,PUT"),
                      ("access-control-allow-origin", APP),
                      ("access-control-max-age", "600")])
    fwd_req = ["Origin: " + APP, "Access-Control-Request-Method: PUT",
               "Access-Control-Request-Headers: x-custom"]
    r = env.curl("/forward/ok", "OPTIONS", fwd_req)
    tap.eq((r.status, r.get("x-upstream"), r.body, r.get("timing-allow-origin"), r.cors()),
           (200, "1", b"upstream /ok\n", None,
            sorted(fwd_pre + [("vary", "Accept-Encoding, " + PREFLIGHT_VARY)])),
           "forwardAllowedPreflights, proxy: the upstream answers OPTIONS, "
           "the policy's headers replace its own")
    r = env.curl("/forward/ok", "OPTIONS",
                 ["Origin: " + EVIL, "Access-Control-Request-Method: PUT"])
    tap.eq((r.status, r.get("x-upstream"), r.body, r.cors()),
           (403, None, b"", [("vary", PREFLIGHT_VARY)]),
           "forwardAllowedPreflights, proxy, other origin: 403 from the module, "
           "never forwarded")
    r = env.curl("/forward-return", "OPTIONS", fwd_req)
    tap.eq((r.status, r.cors()), (204, sorted(fwd_pre + [("vary", PREFLIGHT_VARY)])),
           "forwardAllowedPreflights, \"return 204\": the location's answer, "
           "the policy's headers")
    # "return" runs in the rewrite phase, before the module's PREACCESS
    # handler: a refused preflight also gets the location's 204, with only
    # Vary, so the browser still refuses it (no Access-Control-Allow-Origin)
    r = env.curl("/forward-return", "OPTIONS",
                 ["Origin: " + EVIL, "Access-Control-Request-Method: PUT"])
    tap.eq((r.status, r.cors()), (204, [("vary", PREFLIGHT_VARY)]),
           "\"return 204\", other origin: the location's answer, only Vary")

    # timingAllowOrigin: Timing-Allow-Origin = Access-Control-Allow-Origin
    r = env.curl("/forward/ok", headers=["Origin: " + APP])
    tap.eq((r.status, r.get("timing-allow-origin"), r.cors()),
           (200, APP, [("access-control-allow-origin", APP),
                       ("vary", "Accept-Encoding, Origin")]),
           "timingAllowOrigin, allowed origin: Timing-Allow-Origin echoes the origin")
    r = env.curl("/forward/ok", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.get("timing-allow-origin"), r.cors()),
           (200, None, [("vary", "Accept-Encoding, Origin")]),
           "timingAllowOrigin, other origin: no Timing-Allow-Origin")
    r = env.curl("/proxy/ok", headers=["Origin: " + APP])
    tap.eq(r.get("timing-allow-origin"), None,
           "a policy without timingAllowOrigin: no Timing-Allow-Origin")

    # return 404 (rewrite phase, before the module's phase handler)
    r = env.curl("/gone", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()), (404, api_actual()),
           "return 404: headers added by the header filter")

    # error_page: internal redirect to a location with "cors off"
    r = env.curl("/redirected/missing.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.body, r.cors()), (404, b"custom 404\n", api_actual()),
           "error_page redirect: original location's headers, once each")

    r = env.curl("/redirected/missing.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.body, r.cors()), (404, b"custom 404\n", ONLY_VARY),
           "error_page redirect, other origin: Vary once")

    # inner level replaces the outer one
    r = env.curl("/public/file.txt")
    tap.eq((r.status, r.cors()),
           (200, [("access-control-allow-origin", "*"),
                  ("access-control-expose-headers", "x-upstream")]),
           "public policy, no Origin: ACAO * and no Vary")

    r = env.curl("/public/file.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.cors()),
           (200, [("access-control-allow-origin", "*"),
                  ("access-control-expose-headers", "x-upstream")]),
           "public policy, any origin: ACAO *, no credentials")

    r = env.curl("/star/file.txt", "OPTIONS",
                 ["Origin: " + APP, "Access-Control-Request-Method: PATCH",
                  "Access-Control-Request-Headers: x-one, x-two",
                  "Access-Control-Request-Headers: authorization"])
    tap.eq((r.status, r.cors()),
           (204, sorted([("access-control-allow-origin", APP),
                         ("access-control-allow-methods", "PATCH"),
                         ("access-control-allow-headers", "x-one, x-two"),
                         ("access-control-allow-headers", "authorization"),
                         ("vary", PREFLIGHT_VARY)])),
           "allowHeaders *: every ACRH line echoed on its own line, status 204")

    star_pre = ["Origin: " + APP, "Access-Control-Request-Method: PATCH"]
    r = env.curl("/star/file.txt", "OPTIONS",
                 star_pre + ["Access-Control-Request-Headers: x-%d" % i for i in range(9)])
    tap.eq((r.status, r.cors()), (403, PREFLIGHT_REJECTED),
           "allowHeaders *: 9 ACRH lines rejected (headers-too-many-lines)")

    r = env.curl("/star/file.txt", "OPTIONS",
                 star_pre + ["Access-Control-Request-Headers: x-%d" % i for i in range(70)])
    tap.eq((r.status, r.cors()), (403, PREFLIGHT_REJECTED),
           "70 ACRH lines: rejected as malformed, no crash")

    r = env.curl("/star/file.txt", "OPTIONS",
                 ["Origin: " + APP, "Access-Control-Request-Method: PUT",
                  "Access-Control-Request-Method: GET"])
    tap.eq((r.status, r.cors()), (403, PREFLIGHT_REJECTED),
           "two ACRM lines: rejected (method-malformed)")

    # two preflights with a request body on one keep-alive connection
    cmd = [env.args.curl, "-sS", "-i", "--http1.1", "--max-time", "10", "-X", "OPTIONS",
           "--data-binary", "x" * 3000, "-w", "connects=%{num_connects}\n"] + \
          sum([["-H", h] for h in PRE], []) + \
          ["http://127.0.0.1:%d/static/file.txt" % env.port] * 2
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    statuses = re.findall(rb"^HTTP/1.1 (\d+)", out.stdout, re.M)
    connects = re.findall(rb"^connects=(\d+)", out.stdout, re.M)
    tap.ok(out.returncode == 0 and statuses == [b"200", b"200"] and
           connects == [b"1", b"0"],
           "preflights with a body, twice on one keep-alive connection: both answered",
           out.stdout.decode("latin-1") + out.stderr.decode())

    r = env.curl("/static/file.txt", "HEAD", ["Origin: " + APP])
    tap.eq((r.status, r.cors()), (200, api_actual()), "HEAD: headers added")

    # HTTP/2 (h2c): the same answers through nginx's HTTP/2 header filter
    r = env.curl("/private/file.txt", "OPTIONS", PRE, h2=True)
    tap.eq((r.status_line.split(" ")[0], r.status, r.body, r.cors()),
           ("HTTP/2", 200, b"", api_preflight()), "HTTP/2: preflight answered")
    r = env.curl("/proxy/ok", headers=["Origin: " + APP], h2=True)
    tap.eq((r.status, r.cors()),
           (200, sorted(api_actual()[:3] + [("vary", "Accept-Encoding, Origin")])),
           "HTTP/2: proxied response, upstream's headers replaced")
    r = env.curl("/redirected/missing.txt", headers=["Origin: " + APP], h2=True)
    tap.eq((r.status, r.cors()), (404, api_actual()), "HTTP/2: error_page redirect")

    # nginx's own 400s, some before the request headers are parsed at all
    for name, raw in [("garbage request line", b"GARBAGE\r\n\r\n"),
                      ("invalid header line",
                       b"GET /static/file.txt HTTP/1.1\r\nHost: x\r\n"
                       b"Origin: https://app.example\r\nBad Header\r\n\r\n"),
                      ("no Host", b"GET /static/file.txt HTTP/1.1\r\n"
                                  b"Origin: https://app.example\r\n\r\n")]:
        got = raw_request(env.port, raw)
        tap.ok(got.startswith(b"HTTP/1.1 400"), "nginx answers 400 to a " + name,
               got[:300])

    r = env.curl("/static/file.txt", headers=["Origin: https://" + "a" * 5000 + ".example"])
    tap.eq((r.status, r.cors()), (200, ONLY_VARY), "a 5 KB Origin: not allowed, no crash")

    r = env.curl("/nocors/file.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()), (200, []), "cors off: no headers at all")

    r = env.curl("/nocors/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.cors()), (405, []),
           "cors off: preflight reaches the static handler (405)")

    # report-only
    before = env.error_log().count("cors report-only:")
    r = env.curl("/report/file.txt", headers=["Origin: " + EVIL])
    tap.eq((r.status, r.cors()), (200, []),
           "reportOnly, other origin: nothing added to the response")
    r = env.curl("/report/file.txt", "OPTIONS", PRE)
    tap.eq((r.status, r.cors()), (405, []),
           "reportOnly, preflight: not answered, nothing added")
    r = env.curl("/report/missing.txt", headers=["Origin: " + APP])
    tap.eq((r.status, r.cors()), (404, []), "reportOnly, 404: nothing added")
    lines = []
    end = time.monotonic() + 5
    while time.monotonic() < end:
        lines = [l for l in env.error_log().splitlines() if "cors report-only:" in l][before:]
        if len(lines) >= 3:
            break
        time.sleep(0.05)
    tap.eq(len(lines), 3, "reportOnly: one log line per request")
    want = [('[info]', 'cors report-only: actual rejected, reason "origin-not-allowed", '
                       'origin "https://evil.example", client'),
            ('[info]', 'cors report-only: preflight rejected, reason "method-not-allowed", '
                       'origin "https://app.example", matched allowOrigins[0] '
                       '"https://app.example", client'),
            ('[info]', 'cors report-only: actual allowed, reason "allowed", '
                       'origin "https://app.example", matched allowOrigins[0] '
                       '"https://app.example", client')]
    for (level, text), line in zip(want, lines):
        tap.ok(level in line and text in line, "reportOnly log: " + text, line)

    r = env.curl("/report/file.txt", headers=["Origin: bad\x01value\"x"])
    tap.eq(r.status, 200, "reportOnly: control characters in Origin do not break the request")
    end = time.monotonic() + 5
    line = ""
    while time.monotonic() < end and not line:
        line = "".join(l for l in env.error_log().splitlines()
                       if 'reason "origin-malformed"' in l)
        time.sleep(0.05)
    tap.ok('origin "bad?value?x"' in line and "\x01" not in line,
           "reportOnly log: a malformed Origin is logged with unsafe bytes replaced", line)


def run_config_errors(tap, env, module):
    env.write("policies/bad.yaml", BAD_POLICY)
    env.write("policies/warn.yaml", WARN_POLICY)
    env.write("policies/empty.yaml", "")
    env.write("policies/methods.yaml",
              'allowOrigins: [https://a.example]\nallowMethods: [GET, "POST PUT", TRACE]\n')

    env.write("bad.conf", test_conf(env, module,
              "    server { listen 127.0.0.1:1; location / { cors_policy policies/bad.yaml; } }"))
    out = env.nginx("-t", conf="bad.conf")
    err = out.stderr.decode(errors="replace")
    bad = env.path("policies", "bad.yaml")
    tap.eq(out.returncode, 1, "nginx -t fails (exit 1) on an invalid policy")
    m = re.search(re.escape(bad) + r":(\d+):(\d+): error: ([a-z-]+): (.+?) in " +
                  re.escape(env.path("bad.conf")) + r":\d+", err)
    tap.ok(m is not None,
           "nginx -t prints FILE:LINE:COL: error: CODE: message in nginx.conf:LINE", err)
    if m:
        tap.eq((m.group(1), m.group(3)), ("3", "origin-malformed"),
               "diagnostic points at line 3 with code origin-malformed")
    tap.ok("is not a valid CORS policy" in err, "nginx -t names the policy as invalid", err)

    env.write("strict.conf", test_conf(env, module,
              "    cors_strict on;\n"
              "    server { listen 127.0.0.1:1; location / { cors_policy policies/warn.yaml; } }"))
    out = env.nginx("-t", conf="strict.conf")
    err = out.stderr.decode(errors="replace")
    tap.ok(out.returncode == 1 and
           re.search(re.escape(env.path("policies", "warn.yaml")) +
                     r":3:\d+: error: origin-null: ", err) is not None
           and "cors_strict on" in err,
           "cors_strict on: a warning fails nginx -t, reported as an error", err)

    env.write("warn.conf", test_conf(env, module,
              "    server { listen 127.0.0.1:1; location / { cors_policy policies/warn.yaml; } }"))
    out = env.nginx("-t", conf="warn.conf")
    err = out.stderr.decode(errors="replace")
    tap.ok(out.returncode == 0 and "[warn]" in err and
           re.search(r"warn\.yaml:3:\d+: warning: origin-null: ", err) is not None,
           "cors_strict off: nginx -t passes and prints the warning", err)

    cases = [
        ("missing file", "location / { cors_policy policies/nope.yaml; }",
         "open() \"" + env.path("policies", "nope.yaml") + "\" failed"),
        ("empty file", "location / { cors_policy policies/empty.yaml; }",
         "is not a valid CORS policy"),
        ("invalid methods",
         "location / { cors_policy policies/methods.yaml; }",
         "methods.yaml:2:21: error: method-invalid: "),
        ("cors on", "location / { cors on; }", "it must be \"off\""),
        ("policy and off", "location / { cors_policy policies/warn.yaml; cors off; }",
         "\"cors\" directive conflicts with \"cors_policy\""),
        ("duplicate policy",
         "location / { cors_policy policies/warn.yaml; cors_policy policies/warn.yaml; }",
         "\"cors_policy\" directive is duplicate"),
        ("bad strict value", "location / { cors_strict maybe; }",
         "invalid value \"maybe\""),
    ]
    for name, body, expect in cases:
        env.write("case.conf", test_conf(env, module,
                  "    server { listen 127.0.0.1:1; %s }" % body))
        out = env.nginx("-t", conf="case.conf")
        err = out.stderr.decode(errors="replace")
        tap.ok(out.returncode == 1 and expect in err,
               "nginx -t rejects %s: %s" % (name, expect), err)


def run_module_order(tap, env, module):
    """The module's header filter must run after the headers filter
    (add_header). config orders it: checked for a static build (the module
    list configure writes) and, for a dynamic module built without that order,
    nginx -t must refuse with a message saying why."""
    addon = env.args.addon_dir
    src = "/usr/share/nginx/src"
    work = env.path("order")
    os.makedirs(work, exist_ok=True)
    pc = dict(os.environ,
              PKG_CONFIG_PATH=os.path.join(env.args.libcors_build, "meson-uninstalled"),
              LIBCORS_PC="libcors-uninstalled")

    # static (--add-module): configure writes ngx_modules.c in module order
    out = subprocess.run(["./configure", "--builddir=" + os.path.join(work, "static"),
                          "--add-module=" + addon, "--without-http_rewrite_module",
                          "--without-http_gzip_module", "--without-pcre"],
                         cwd=src, env=pc, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=120)
    order = []
    try:
        with open(os.path.join(work, "static", "ngx_modules.c")) as f:
            text = f.read()
        names = text[text.index("char *ngx_module_names[]"):]
        order = re.findall(r'"(ngx_http_[a-z_]+_module)"', names)
    except (OSError, ValueError):
        pass
    at = order.index("ngx_http_cors_module") if "ngx_http_cors_module" in order else -1
    tap.ok(out.returncode == 0 and at >= 0 and order[at + 1:at + 2] ==
           ["ngx_http_headers_filter_module"],
           "static build: config puts the module right before ngx_http_headers_filter_module",
           out.stdout.decode(errors="replace")[-2000:] + "\norder: %r" % order)

    # dynamic, built without ngx_module_order: nginx -t refuses
    variant = os.path.join(work, "unordered")
    os.makedirs(variant, exist_ok=True)
    shutil.copy(os.path.join(addon, "ngx_http_cors_module.c"), variant)
    with open(os.path.join(addon, "config")) as f:
        config = f.read()
    stripped = re.sub(r"^ngx_module_order=.*$", "ngx_module_order=", config, flags=re.M)
    with open(os.path.join(variant, "config"), "w") as f:
        f.write(stripped)
    so = os.path.join(work, "unordered.so")
    out = subprocess.run(["bash", os.path.join(addon, "build.sh"), "--addon-dir", variant,
                          "--libcors-build", env.args.libcors_build,
                          "--builddir", os.path.join(work, "dynamic"), "--output", so],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    if not tap.ok(out.returncode == 0 and stripped != config,
                  "a module variant without ngx_module_order builds",
                  out.stdout.decode(errors="replace")[-2000:]):
        return
    env.write("unordered.conf", test_conf(env, so,
              "    server { listen 127.0.0.1:1; location / { cors_policy policies/api.yaml; } }"))
    out = env.nginx("-t", conf="unordered.conf")
    err = out.stderr.decode(errors="replace")
    tap.ok(out.returncode == 1 and
           "ngx_http_cors_module comes after ngx_http_headers_filter_module" in err and
           "would override the CORS policy's decision" in err,
           "nginx -t refuses a module that would run before add_header, saying why", err)


def run_reload(tap, env):
    r = env.curl("/reload/file.txt", headers=["Origin: " + APP])
    tap.eq(r.get("access-control-allow-origin"), APP, "reload: first policy in effect")

    env.write("policies/reload.yaml", RELOAD_POLICY_2)
    out = env.nginx("-s", "reload")
    tap.eq(out.returncode, 0, "nginx -s reload succeeds")

    # until the old worker has stopped accepting, either may answer
    got = old = None
    end = time.monotonic() + 15
    while time.monotonic() < end:
        got = env.curl("/reload/file.txt", headers=["Origin: " + OTHER]).cors()
        old = env.curl("/reload/file.txt", headers=["Origin: " + APP]).cors()
        if old == ONLY_VARY and got != ONLY_VARY:
            break
        time.sleep(0.1)
    tap.eq(got, [("access-control-allow-origin", OTHER), ("vary", "Origin")],
           "reload: the changed policy takes effect")
    tap.eq(old, ONLY_VARY, "reload: the old origin is no longer allowed")

    # a broken policy on reload: "nginx -s reload" reads the configuration
    # first, so it refuses and prints the diagnostic itself
    env.write("policies/reload.yaml", BAD_POLICY)
    out = env.nginx("-s", "reload")
    err = out.stderr.decode(errors="replace")
    tap.ok(out.returncode == 1 and
           re.search(r"reload\.yaml:3:\d+: error: origin-malformed", err) is not None,
           "nginx -s reload with a broken policy fails and prints the diagnostic", err)

    # the master itself, told to reload (SIGHUP), keeps the running
    # configuration and logs the diagnostic
    env.proc.send_signal(signal.SIGHUP)
    found = False
    end = time.monotonic() + 15
    while time.monotonic() < end:
        if re.search(r"reload\.yaml:3:\d+: error: origin-malformed", env.error_log()):
            found = True
            break
        time.sleep(0.1)
    tap.ok(found, "reload with a broken policy: the diagnostic is in the error log",
           env.error_log()[-2000:])
    r = env.curl("/reload/file.txt", headers=["Origin: " + OTHER])
    tap.eq(r.get("access-control-allow-origin"), OTHER,
           "reload with a broken policy: the running policy stays")


def start_nginx(env):
    for attempt in range(5):
        env.port = free_port()
        env.h2port = free_port()
        env.write("nginx.conf", env.conf_for(env.port))
        for name in ("error.log",):
            try:
                os.unlink(env.path("logs", name))
            except OSError:
                pass
        err = open(env.path("logs", "stderr.log"), "w")
        proc = subprocess.Popen([env.args.nginx, "-p", env.tmp + "/", "-c",
                                 env.path("nginx.conf"), "-e",
                                 env.path("logs", "error.log"),
                                 "-g", "daemon off;"],
                                stdout=err, stderr=err)
        err.close()
        if wait_port(env.port, proc):
            env.proc = proc
            return True
        if proc.poll() is None:
            stop_nginx(proc)
        if "Address already in use" not in env.error_log():
            break
    return False


def stop_nginx(proc):
    # graceful (workers finish first), then fast (still stops the workers)
    stop_process(proc, ((signal.SIGQUIT, 10), (signal.SIGTERM, 10)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", required=True)
    ap.add_argument("--nginx", default="/usr/sbin/nginx")
    ap.add_argument("--curl", default="curl")
    ap.add_argument("--addon-dir", required=True, help="examples/nginx (config, sources)")
    ap.add_argument("--libcors-build", required=True, help="the meson build tree")
    args = ap.parse_args()
    args.module = os.path.abspath(args.module)
    args.addon_dir = os.path.abspath(args.addon_dir)
    args.libcors_build = os.path.abspath(args.libcors_build)

    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="libcors-nginx-")
    os.chmod(tmp, 0o755)       # workers run as "nobody" when started as root
    env = Env(args, tmp)
    upstream = None

    try:
        for d in ("logs", "tmp", "www", "err", "policies"):
            os.makedirs(env.path(d), exist_ok=True)
            os.chmod(env.path(d), 0o755)
        env.write("www/file.txt", "hello\n")
        env.write("err/404.html", "custom 404\n")
        env.write("htpasswd", "alice:{PLAIN}secret\n")
        env.write("policies/api.yaml", API_POLICY)
        env.write("policies/public.yaml", PUBLIC_POLICY)
        env.write("policies/star.json", STAR_HEADERS_POLICY)
        env.write("policies/report.yaml", REPORT_POLICY)
        env.write("policies/reload.yaml", RELOAD_POLICY_1)
        env.write("policies/pna.yaml", PNA_POLICY)
        env.write("policies/rollout.yaml", ROLLOUT_POLICY)
        env.write("policies/forward.yaml", FORWARD_POLICY)

        upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
        up_port = upstream.server_address[1]
        dead_port = free_port()

        env.conf_for = lambda port: nginx_conf(env, args.module, up_port, dead_port)

        env.port, env.h2port = 1, 2      # "nginx -t" does not bind
        env.write("nginx.conf", env.conf_for(1))
        out = env.nginx("-t")
        tap.ok(out.returncode == 0, "nginx -t accepts the test configuration",
               out.stderr.decode(errors="replace"))

        if not tap.ok(start_nginx(env), "nginx starts with the module",
                      env.error_log()):
            return tap.done()

        run_requests(tap, env)
        run_reload(tap, env)
        run_config_errors(tap, env, args.module)
        run_module_order(tap, env, args.module)

        # nothing went wrong inside nginx
        log = env.error_log()
        bad = [l for l in log.splitlines()
               if re.search(r"\[(alert|crit|emerg)\]", l) and "reload.yaml" not in l
               and "is not a valid CORS policy" not in l]
        tap.ok(not bad, "no alert/crit/emerg in the error log", "\n".join(bad))
    except Exception as e:  # report, never hide
        tap.ok(False, "unexpected exception: %r" % (e,), env.error_log()[-3000:])
    finally:
        if env.proc is not None:
            stop_nginx(env.proc)
            tap.eq(env.proc.returncode, 0, "nginx stops cleanly")
        if upstream is not None:
            upstream.shutdown()
            upstream.server_close()
        shutil.rmtree(tmp, ignore_errors=True)

    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
