"""What the end-to-end suites of the server modules share (tests/nginx,
tests/apache): the origins and policies both use, TAP output, free ports, raw
requests, response parsing, curl, the upstream that sends its own CORS
headers, and stopping a server by its PID.

meson runs the suites with this folder on PYTHONPATH; by hand:
PYTHONPATH=tests/common python3 tests/nginx/nginx_test.py ...
"""

import http.server
import os
import re
import socket
import subprocess
import sys
import time

# what the suites import ("from http_server_test import *")
__all__ = ["APP", "OTHER", "EVIL", "PREFLIGHT_VARY", "API_POLICY", "PUBLIC_POLICY",
           "STAR_HEADERS_POLICY", "BAD_POLICY", "WARN_POLICY", "PRE", "PRE_EVIL", "ONLY_VARY",
           "PREFLIGHT_REJECTED", "api_actual", "api_preflight", "Tap", "Response", "ServerEnv",
           "Upstream", "free_port", "wait_port", "raw_request", "stop_process"]

APP = "https://app.example"
OTHER = "https://other.example"
EVIL = "https://evil.example"

PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"

# --- policies -----------------------------------------------------------------

API_POLICY = """\
# the API's policy: credentials, two methods beyond the safelisted ones
allowOrigins:
  - https://app.example
allowMethods: [GET, POST, PUT, DELETE]
allowHeaders: [X-Custom, Content-Type]
exposeHeaders: [X-Upstream, X-Request-Id]
maxAge: 600
allowCredentials: true
"""

PUBLIC_POLICY = """\
allowOrigins: ["*"]
allowMethods: [GET]
exposeHeaders: [X-Upstream]
"""

STAR_HEADERS_POLICY = """\
{"allowOrigins": ["https://app.example"], "allowMethods": ["*"],
 "allowHeaders": ["*"], "preflightStatus": 204}
"""

# line 3, column 5: a malformed origin
BAD_POLICY = """\
allowOrigins:
  - https://app.example
  - https://exa mple.com/path
allowMethods: [GET]
"""

# builds with a warning ("null" origin) on line 3
WARN_POLICY = """\
allowOrigins:
  - https://app.example
  - "null"
"""

# --- requests and what the API policy answers ---------------------------------

PRE = ["Origin: " + APP, "Access-Control-Request-Method: PUT",
       "Access-Control-Request-Headers: x-custom"]
PRE_EVIL = ["Origin: " + EVIL, "Access-Control-Request-Method: PUT"]

ONLY_VARY = [("vary", "Origin")]
PREFLIGHT_REJECTED = [("vary", PREFLIGHT_VARY)]


def api_actual(origin=APP, vary="Origin"):
    """The API policy's headers on an allowed actual request, sorted."""
    return sorted([("access-control-allow-credentials", "true"),
                   ("access-control-allow-origin", origin),
                   ("access-control-expose-headers", "x-upstream,x-request-id"),
                   ("vary", vary)])


def api_preflight(origin=APP):
    """The API policy's answer to PRE, sorted as Response.cors() gives it."""
    return sorted([("access-control-allow-credentials", "true"),
                   ("access-control-allow-headers", "x-custom,content-type"),
                   ("access-control-allow-methods", "GET,POST,PUT,DELETE"),
                   ("access-control-allow-origin", origin),
                   ("access-control-expose-headers", "x-upstream,x-request-id"),
                   ("access-control-max-age", "600"),
                   ("vary", PREFLIGHT_VARY)])


# --- TAP ----------------------------------------------------------------------

class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, detail=""):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in str(detail).splitlines():
                print("#   " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line)

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


# --- requests and responses ---------------------------------------------------

def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc=None, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def raw_request(port, data):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
        c.sendall(data)
        chunks = []
        while True:
            try:
                b = c.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)


class Response:
    def __init__(self, raw):
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        parts = lines[0].split(" ", 2)
        self.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        self.headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip()))
        self.body = body

    def get_all(self, name):
        return [v for (k, v) in self.headers if k == name.lower()]

    def get(self, name):
        values = self.get_all(name)
        return values[0] if values else None

    def cors(self):
        """Every Access-Control-* line plus Vary, sorted: what the module owns."""
        return sorted((k, v) for (k, v) in self.headers
                      if k.startswith("access-control-") or k == "vary")

    def __repr__(self):
        return "%s %r" % (self.status_line, self.headers)


class ServerEnv:
    """A server's temporary folder and port(s); the suites add how to run it."""

    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.port = 0
        self.h2port = 0     # 0: HTTP/2 on self.port
        self.proc = None

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def curl(self, path, method="GET", headers=(), user=None, port=None, h2=False):
        cmd = [self.args.curl, "-sS", "-i", "--max-time", "10",
               "--http2-prior-knowledge" if h2 else "--http1.1"]
        cmd += ["-I"] if method == "HEAD" else ["-X", method]
        for h in headers:
            cmd += ["-H", h]
        if user:
            cmd += ["-u", user]
        cmd.append("http://127.0.0.1:%d%s" % (port or (self.h2port if h2 and self.h2port
                                                      else self.port), path))
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=20)
        if out.returncode != 0:
            raise RuntimeError("curl failed (%d): %s" % (out.returncode,
                                                        out.stderr.decode()))
        return Response(out.stdout)

    def write(self, name, text, mode=0o644):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def error_log(self):
        try:
            with open(self.path("logs", "error.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, pattern, count=1, timeout=5.0):
        """The error log lines matching pattern, once there are count of them."""
        lines = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            lines = [l for l in self.error_log().splitlines() if re.search(pattern, l)]
            if len(lines) >= count:
                break
            time.sleep(0.05)
        return lines


# --- the upstream: sends its own CORS headers ---------------------------------

class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def answer(self, body=True):
        status = 500 if self.path.startswith("/fail") else 200
        payload = b"upstream %s\n" % self.path.encode("latin-1")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "*")
        self.send_header("access-control-allow-credentials", "true")
        self.send_header("Vary", "Accept-Encoding")
        if self.path.startswith("/varies"):
            # a second Vary line and CORS-like names in other spellings
            self.send_header("vary", "Cookie")
            self.send_header("ACCESS-CONTROL-MAX-AGE", "5")
            self.send_header("Access-Controlled", "yes")
        self.send_header("X-Upstream", "1")
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def do_GET(self):
        self.answer()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        self.answer()

    def do_OPTIONS(self):
        self.answer()


# --- stopping a server --------------------------------------------------------

def stop_process(proc, signals):
    """Sends each of signals in turn, (signal, seconds to wait) pairs, until
    proc has exited; kills it after the last."""
    if proc.poll() is not None:
        return
    for sig, timeout in signals:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            pass
    proc.kill()
    proc.wait()
