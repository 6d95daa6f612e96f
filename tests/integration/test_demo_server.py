#!/usr/bin/env python3
"""Integration tests of cors-demo-server (meson suite 'integration').

usage: test_demo_server.py SERVER POLICIES_DIR DATA_DIR CASE

Starts the server on a port the OS chooses (127.0.0.1 only), sends real HTTP
requests over raw sockets (so that repeated header lines, CR/LF and oversized
heads can be sent as they are), checks the status and the CORS headers exactly,
checks the server's JSON request log, and stops the server by its PID.
CASE is one of: walkthrough, decisions, handlers, hostile, reload, cli.
"""
import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SERVER = POLICIES = DATA = None

GUIDE_ROUTE = 'httproute.yaml'
GUIDE_GATEWAY = 'agentgatewaypolicy.yaml'

PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'
PREFLIGHT_VARY_PNA = PREFLIGHT_VARY + ', Access-Control-Request-Private-Network'


# --------------------------------------------------------------------------
# A tiny HTTP/1.1 client over a raw socket.

class Response:
    def __init__(self, raw):
        self.raw = raw
        head, sep, body = raw.partition(b'\r\n\r\n')
        if not sep:
            raise AssertionError('incomplete response: %r' % raw[:200])
        lines = head.decode('latin-1').split('\r\n')
        self.status_line = lines[0]
        parts = lines[0].split(' ', 2)
        self.status = int(parts[1])
        self.headers = []
        for line in lines[1:]:
            name, _, value = line.partition(':')
            self.headers.append((name, value.strip(' \t')))
        self.body = body

    def values(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def get(self, name):
        v = self.values(name)
        return v[0] if v else None

    def cors(self):
        """Access-Control-*, Timing-Allow-Origin and Vary headers:
        {lower-case name: [values]}."""
        out = {}
        for n, v in self.headers:
            ln = n.lower()
            if ln.startswith('access-control-') or ln in ('vary', 'timing-allow-origin'):
                out.setdefault(ln, []).append(v)
        return out

    def json(self):
        return json.loads(self.body.decode('ascii'))


def raw_request(port, data, timeout=15, read=True, quiet_ok=False):
    """Sends data, reads until the server closes. With quiet_ok, a server that
    keeps waiting for more bytes (a timeout) gives b''."""
    s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not read:
            return b''
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                if quiet_ok:
                    break
                raise
            if not c:
                break
            chunks.append(c)
        return b''.join(chunks)
    finally:
        s.close()


def build_request(port, method, path, headers=(), body=b''):
    lines = ['%s %s HTTP/1.1' % (method, path), 'Host: 127.0.0.1:%d' % port,
             'Connection: close']
    for n, v in headers:
        lines.append('%s: %s' % (n, v))
    if body:
        lines.append('Content-Length: %d' % len(body))
    data = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')
    return data + body


# --------------------------------------------------------------------------
# The server under test.

class Server:
    def __init__(self, policy, routes=(), extra=(), cwd=None):
        self.tmp = tempfile.mkdtemp(prefix='cors-demo-test-')
        self.log = os.path.join(self.tmp, 'requests.jsonl')
        self.errpath = os.path.join(self.tmp, 'stderr.txt')
        args = [SERVER, '--policy', policy, '--port', '0', '--log', self.log]
        for prefix, f in routes:
            args += ['--route', '%s=%s' % (prefix, f)]
        args += list(extra)
        self.err = open(self.errpath, 'w')
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err, cwd=cwd)
        self.port = None
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        line = self.proc.stdout.readline().decode() if ready else ''
        if not line.startswith('listening http://127.0.0.1:'):
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
            err = self.stderr()
            self.kill()
            raise AssertionError('server did not start: %r; stderr: %s' % (line, err))
        self.port = int(line.strip().rsplit(':', 1)[1])
        self.log_seen = 0

    def request(self, method, path, headers=(), body=b''):
        return Response(raw_request(self.port, build_request(self.port, method, path, headers, body)))

    def raw(self, data, read=True, timeout=15, quiet_ok=False):
        return raw_request(self.port, data, read=read, timeout=timeout, quiet_ok=quiet_ok)

    def stderr(self):
        self.err.flush()
        with open(self.errpath, 'rb') as f:
            return f.read().decode('utf-8', 'replace')

    def logs(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log, 'rb') as f:
            return [json.loads(l) for l in f.read().decode('ascii').splitlines() if l]

    def new_logs(self, wait=True):
        """Log lines written since the last call (waits briefly for one: the
        line is written right after the response is queued)."""
        deadline = time.time() + (5 if wait else 0)
        while True:
            lines = self.logs()
            if len(lines) > self.log_seen or time.time() > deadline:
                break
            time.sleep(0.01)
        new = lines[self.log_seen:]
        self.log_seen = len(lines)
        return new

    def send_signal(self, sig):
        os.kill(self.proc.pid, sig)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        """Stops the server by its PID; returns the exit status."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError('server did not stop on signal %d' % sig)
        self.cleanup()
        return rc

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.cleanup()

    def cleanup(self):
        if self.proc.stdout:
            self.proc.stdout.close()
        if not self.err.closed:
            self.err.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def policy(name):
    return os.path.join(POLICIES, name)


def data(name):
    return os.path.join(DATA, name)


class ServerCase(unittest.TestCase):
    """Starts one server per test class (setUpClass) and stops it at the end,
    asserting a clean exit."""
    server_args = None

    @classmethod
    def setUpClass(cls):
        a = cls.server_args()
        cls.srv = Server(a[0], a[1] if len(a) > 1 else (), a[2] if len(a) > 2 else ())

    @classmethod
    def tearDownClass(cls):
        srv = cls.srv
        alive = srv.alive()
        rc = srv.stop()
        if not alive:
            raise AssertionError('server died during the tests (exit %s)' % rc)
        if rc != 0:
            raise AssertionError('server exit status %d on SIGTERM' % rc)

    def setUp(self):
        self.srv.new_logs(wait=False)  # skip lines of earlier tests

    def assertCors(self, resp, expected):
        self.assertEqual(resp.cors(), {k.lower(): (v if isinstance(v, list) else [v])
                                       for k, v in expected.items()},
                         'CORS headers of %s' % resp.status_line)

    def assertLog(self, **fields):
        lines = self.srv.new_logs()
        self.assertEqual(len(lines), 1, 'one log line per request: %r' % lines)
        line = lines[0]
        for k in ('method', 'path', 'origin', 'decision', 'allowed', 'reason', 'matched',
                  'matchedEntry', 'handler', 'status', 'reportOnly', 'policy'):
            self.assertIn(k, line)
        for k, v in fields.items():
            self.assertEqual(line[k], v, 'log field %s in %r' % (k, line))
        return line


# --------------------------------------------------------------------------
# The guide's walk-through: gateway level = AgentgatewayPolicy, route level =
# HTTPRoute for /get and /headers (the guide's two paths).

ROUTE_ALLOWED_PREFLIGHT = {
    'Access-Control-Allow-Origin': 'https://example.com',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'GET,POST,OPTIONS',
    'Access-Control-Allow-Headers': 'origin',
    'Access-Control-Max-Age': '86400',
    'Access-Control-Expose-Headers': 'origin,x-httproute-header',
    'Vary': PREFLIGHT_VARY,
}

GATEWAY_ALLOWED_PREFLIGHT = {
    'Access-Control-Allow-Origin': 'https://example.com',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'GET,POST,OPTIONS',
    'Access-Control-Allow-Headers': 'origin,authorization,content-type',
    'Access-Control-Max-Age': '86400',
    'Access-Control-Expose-Headers': 'origin,x-trafficpolicy-header',
    'Vary': PREFLIGHT_VARY,
}


class Walkthrough(ServerCase):
    @staticmethod
    def server_args():
        return (policy(GUIDE_GATEWAY),
                [('/get', policy(GUIDE_ROUTE)), ('/headers', policy(GUIDE_ROUTE))])

    def preflight(self, path, origin, method='GET', headers=()):
        return self.srv.request('OPTIONS', path, [('Origin', origin),
                                                 ('Access-Control-Request-Method', method)]
                                + list(headers))

    def test_allowed_preflight_route_level(self):
        for path in ('/get', '/headers'):
            r = self.preflight(path, 'https://example.com')
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, b'')
            self.assertEqual(r.get('Content-Length'), '0')
            self.assertCors(r, ROUTE_ALLOWED_PREFLIGHT)
            self.assertLog(method='OPTIONS', path=path, origin='https://example.com',
                           decision='preflight', allowed=True, reason='allowed',
                           handler=False, status=200, reportOnly=False, policy=path)

    def test_preflight_not_allowed_origin(self):
        r = self.preflight('/get', 'https://notallowed.com')
        self.assertEqual(r.status, 403)
        self.assertEqual(r.body, b'')
        self.assertCors(r, {'Vary': PREFLIGHT_VARY})
        self.assertLog(decision='preflight', allowed=False, reason='origin-not-allowed',
                       handler=False, status=403, policy='/get')

    def test_actual_get_allowed_origin(self):
        r = self.srv.request('GET', '/get?x=1', [('Origin', 'https://example.com')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {
            'Access-Control-Allow-Origin': 'https://example.com',
            'Access-Control-Allow-Credentials': 'true',
            'Access-Control-Expose-Headers': 'origin,x-httproute-header',
            'Vary': 'Origin',
        })
        body = r.json()
        self.assertEqual(body['method'], 'GET')
        self.assertEqual(body['path'], '/get')
        self.assertEqual(body['args'], {'x': '1'})
        self.assertEqual(body['headers']['Origin'], 'https://example.com')
        self.assertEqual(r.get('Content-Type'), 'application/json')
        self.assertLog(method='GET', path='/get', decision='actual', allowed=True,
                       reason='allowed', handler=True, status=200)

    def test_actual_get_without_origin(self):
        r = self.srv.request('GET', '/get')
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Vary': 'Origin'})
        self.assertLog(origin=None, decision='not-cors', allowed=False, reason='not-cors',
                       handler=True, status=200)

    def test_actual_get_other_origin(self):
        r = self.srv.request('GET', '/headers', [('Origin', 'https://notallowed.com')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Vary': 'Origin'})
        self.assertEqual(r.json()['headers']['Origin'], 'https://notallowed.com')
        self.assertLog(decision='actual', allowed=False, reason='origin-not-allowed',
                       handler=True, status=200, policy='/headers')

    def test_preflight_private_gateway_level(self):
        r = self.preflight('/private', 'https://example.com', 'POST',
                           [('Access-Control-Request-Headers', 'authorization,content-type')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, GATEWAY_ALLOWED_PREFLIGHT)
        line = self.assertLog(path='/private', decision='preflight', allowed=True,
                              reason='allowed', handler=False, status=200)
        self.assertNotEqual(line['policy'], '/get')
        self.assertIn('AgentgatewayPolicy', line['policy'])

    def test_private_without_token_gets_cors_on_401(self):
        r = self.srv.request('GET', '/private', [('Origin', 'https://example.com')])
        self.assertEqual(r.status, 401)
        self.assertEqual(r.get('WWW-Authenticate'), 'Bearer realm="cors-demo"')
        self.assertCors(r, {
            'Access-Control-Allow-Origin': 'https://example.com',
            'Access-Control-Allow-Credentials': 'true',
            'Access-Control-Expose-Headers': 'origin,x-trafficpolicy-header',
            'Vary': 'Origin',
        })
        self.assertLog(decision='actual', allowed=True, handler=True, status=401)

    def test_private_with_token(self):
        r = self.srv.request('GET', '/private', [('Origin', 'https://example.com'),
                                                 ('Authorization', 'Bearer demo')])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {'authenticated': True, 'token': 'demo'})
        self.assertEqual(r.get('Access-Control-Allow-Origin'), 'https://example.com')
        r = self.srv.request('GET', '/private', [('Authorization', 'Bearer wrong')])
        self.assertEqual(r.status, 401)

    def test_guide_literal_command_is_not_a_preflight(self):
        # The guide's curl -X OPTIONS has no Access-Control-Request-Method:
        # per Fetch that is an actual OPTIONS request, answered by the handler.
        r = self.srv.request('OPTIONS', '/headers', [('Origin', 'https://example.com'),
                                                     ('Host', 'www.example.com')])
        self.assertEqual(r.status, 204)
        self.assertEqual(r.get('Allow'), 'GET, HEAD, OPTIONS')
        self.assertCors(r, {
            'Access-Control-Allow-Origin': 'https://example.com',
            'Access-Control-Allow-Credentials': 'true',
            'Access-Control-Expose-Headers': 'origin,x-httproute-header',
            'Vary': 'Origin',
        })
        self.assertLog(decision='actual', allowed=True, handler=True, status=204)

    def test_404_and_5xx_get_cors_headers(self):
        for path, status in (('/nope', 404), ('/status/500', 500), ('/status/503', 503)):
            r = self.srv.request('GET', path, [('Origin', 'https://example.com')])
            self.assertEqual(r.status, status)
            self.assertCors(r, {
                'Access-Control-Allow-Origin': 'https://example.com',
                'Access-Control-Allow-Credentials': 'true',
                'Access-Control-Expose-Headers': 'origin,x-trafficpolicy-header',
                'Vary': 'Origin',
            })
            self.assertLog(path=path, decision='actual', handler=True, status=status)


# --------------------------------------------------------------------------
# forwardAllowedPreflights and timingAllowOrigin through the server.

FORWARD_ALLOWED_PREFLIGHT = {
    'Access-Control-Allow-Origin': 'https://app.example',
    'Access-Control-Allow-Methods': 'GET,PUT',
    'Access-Control-Allow-Headers': 'x-custom',
    'Access-Control-Max-Age': '600',
    'Vary': PREFLIGHT_VARY,
}


class Features(ServerCase):
    @staticmethod
    def server_args():
        return (data('forward-allowed.yaml'), [('/anything/timing', data('timing.yaml'))])

    def preflight(self, path, origin, method='PUT', headers=()):
        return self.srv.request('OPTIONS', path, [('Origin', origin),
                                                 ('Access-Control-Request-Method', method)]
                                + list(headers))

    def test_allowed_preflight_answered_by_the_handler(self):
        # forwardAllowedPreflights: the handler's answer to OPTIONS (204 with
        # Allow) plus the headers the library would have answered with
        r = self.preflight('/anything/x', 'https://app.example', 'PUT',
                           [('Access-Control-Request-Headers', 'x-custom')])
        self.assertEqual(r.status, 204)
        self.assertEqual(r.get('Allow'), 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS')
        self.assertCors(r, FORWARD_ALLOWED_PREFLIGHT)
        self.assertLog(method='OPTIONS', decision='preflight', allowed=True, reason='allowed',
                       matched='allowOrigins[0]', handler=True, status=204)

    def test_handler_cors_headers_on_a_forwarded_preflight_are_replaced(self):
        # the application's own Access-Control-* on its OPTIONS answer are
        # removed before the policy's are added; its Vary is merged; other
        # headers stay
        path = ('/response-headers?Access-Control-Allow-Origin=*'
                '&Access-Control-Allow-Methods=DELETE&Access-Control-Allow-Credentials=true'
                '&Vary=Accept&X-App=1')
        r = self.preflight(path, 'https://app.example', 'GET')
        self.assertEqual(r.status, 204)
        self.assertEqual(r.get('X-App'), '1')
        self.assertEqual(r.get('Allow'), 'GET, HEAD, POST, OPTIONS')
        expected = dict(FORWARD_ALLOWED_PREFLIGHT)
        expected['Vary'] = 'Accept, ' + PREFLIGHT_VARY
        self.assertCors(r, expected)
        self.assertLog(decision='preflight', allowed=True, handler=True, status=204)

    def test_method_not_allowed_still_forwarded(self):
        # the origin is allowed, so the handler answers; the headers do not
        # list DELETE, so the browser refuses the actual request
        r = self.preflight('/anything/x', 'https://app.example', 'DELETE')
        self.assertEqual(r.status, 204)
        self.assertCors(r, FORWARD_ALLOWED_PREFLIGHT)
        self.assertLog(decision='preflight', allowed=False, reason='method-not-allowed',
                       handler=True, status=204)

    def test_rejected_preflight_answered_by_the_library(self):
        # an origin the policy refuses never reaches the handler: 403 (the
        # default rejectStatus), only Vary, no Allow
        path = '/response-headers?Access-Control-Allow-Origin=*&X-App=1'
        r = self.preflight(path, 'https://evil.example', 'GET')
        self.assertEqual(r.status, 403)
        self.assertIsNone(r.get('Allow'))
        self.assertIsNone(r.get('X-App'))
        self.assertCors(r, {'Vary': PREFLIGHT_VARY})
        self.assertLog(decision='preflight', allowed=False, reason='origin-not-allowed',
                       handler=False, status=403)

    def test_actual_request_unchanged(self):
        r = self.srv.request('GET', '/anything/x', [('Origin', 'https://app.example')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Access-Control-Allow-Origin': 'https://app.example',
                            'Vary': 'Origin'})
        self.assertLog(decision='actual', allowed=True, handler=True, status=200)

    def test_timing_allow_origin_only_for_allowed_actual_responses(self):
        # timingAllowOrigin: the same value as Access-Control-Allow-Origin
        r = self.srv.request('GET', '/anything/timing', [('Origin', 'https://app.example')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Access-Control-Allow-Origin': 'https://app.example',
                            'Timing-Allow-Origin': 'https://app.example',
                            'Vary': 'Origin'})
        self.assertLog(decision='actual', allowed=True, policy='/anything/timing')
        for hs in ([('Origin', 'https://evil.example')], []):
            r = self.srv.request('GET', '/anything/timing', hs)
            self.assertEqual(r.status, 200)
            self.assertCors(r, {'Vary': 'Origin'})
            self.assertLog(allowed=False)
        # a preflight is not a resource a page times: no Timing-Allow-Origin
        r = self.preflight('/anything/timing', 'https://app.example', 'GET')
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Access-Control-Allow-Origin': 'https://app.example',
                            'Vary': PREFLIGHT_VARY})
        self.assertLog(decision='preflight', allowed=True, handler=False, status=200)
        # the policy without timingAllowOrigin: none
        r = self.srv.request('GET', '/anything/x', [('Origin', 'https://app.example')])
        self.assertIsNone(r.get('Timing-Allow-Origin'))
        self.assertLog(allowed=True)


# --------------------------------------------------------------------------
# Every decision and reason.

class Decisions(ServerCase):
    @staticmethod
    def server_args():
        return (policy(GUIDE_ROUTE),
                [('/anything/star', data('star-headers.yaml')),
                 ('/anything/report', data('report-only.yaml')),
                 ('/anything/public', data('public.yaml')),
                 ('/anything/forward', data('forward.yaml')),
                 ('/anything/pna', data('private-network.yaml')),
                 ('/anything/regex', data('regex.yaml')),
                 ('/anything/rollout', data('rollout.yaml'))])

    def preflight(self, path, origin, method='GET', headers=()):
        return self.srv.request('OPTIONS', path, [('Origin', origin),
                                                 ('Access-Control-Request-Method', method)]
                                + list(headers))

    def test_method_not_allowed_still_full_response(self):
        r = self.preflight('/anything', 'https://example.com', 'PUT')
        self.assertEqual(r.status, 200)
        self.assertCors(r, ROUTE_ALLOWED_PREFLIGHT)
        self.assertLog(decision='preflight', allowed=False, reason='method-not-allowed',
                       handler=False, status=200)

    def test_header_not_allowed(self):
        r = self.preflight('/anything', 'https://example.com', 'GET',
                           [('Access-Control-Request-Headers', 'x-custom')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, ROUTE_ALLOWED_PREFLIGHT)
        self.assertLog(decision='preflight', allowed=False, reason='header-not-allowed')

    def test_method_malformed(self):
        r = self.preflight('/anything', 'https://example.com', 'GET, DELETE')
        self.assertEqual(r.status, 403)
        self.assertCors(r, {'Vary': PREFLIGHT_VARY})
        self.assertLog(decision='preflight', allowed=False, reason='method-malformed',
                       handler=False, status=403)

    def test_empty_request_method_is_malformed(self):
        r = self.preflight('/anything', 'https://example.com', '')
        self.assertEqual(r.status, 403)
        self.assertLog(decision='preflight', reason='method-malformed')

    def test_headers_malformed(self):
        r = self.preflight('/anything', 'https://example.com', 'GET',
                           [('Access-Control-Request-Headers', 'x custom')])
        self.assertEqual(r.status, 403)
        self.assertCors(r, {'Vary': PREFLIGHT_VARY})
        self.assertLog(decision='preflight', allowed=False, reason='headers-malformed')

    def test_origin_malformed(self):
        for origin in ('https://Example.com', 'https://example.com/', 'https://example.com:443',
                       'example.com', ''):
            r = self.srv.request('GET', '/get', [('Origin', origin)])
            self.assertEqual(r.status, 200)
            self.assertCors(r, {'Vary': 'Origin'})
            self.assertLog(decision='actual', allowed=False, reason='origin-malformed',
                           origin=origin)
        r = self.preflight('/get', 'https://example.com:443')
        self.assertEqual(r.status, 403)
        self.assertCors(r, {'Vary': PREFLIGHT_VARY})
        self.assertLog(decision='preflight', reason='origin-malformed')

    def test_origin_multiple(self):
        r = self.srv.request('GET', '/get', [('Origin', 'https://example.com'),
                                             ('Origin', 'https://example.com')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Vary': 'Origin'})
        self.assertLog(decision='actual', allowed=False, reason='origin-multiple',
                       origin='https://example.com, https://example.com')

    # The request-field rules of libcors' cors_request_fields, seen through
    # the server: the host hands over every line, the library decides.
    def test_two_request_method_lines_are_malformed(self):
        # several lines combine into a list (RFC 9110 §5.3), never one method token
        r = self.srv.request('OPTIONS', '/anything', [
            ('Origin', 'https://example.com'), ('Access-Control-Request-Method', 'GET'),
            ('Access-Control-Request-Method', 'GET')])
        self.assertEqual(r.status, 403)
        self.assertCors(r, {'Vary': PREFLIGHT_VARY})
        self.assertLog(decision='preflight', allowed=False, reason='method-malformed',
                       handler=False, status=403)

    def test_two_private_network_lines_are_not_a_request(self):
        # only a single "true" asks for private network access (Private Network
        # Access §3.1): two lines ask nothing, so a policy without
        # allowPrivateNetwork allows the preflight ...
        pna = [('Access-Control-Request-Private-Network', 'true')] * 2
        r = self.preflight('/get', 'https://example.com', 'GET', pna)
        self.assertEqual(r.status, 200)
        self.assertCors(r, ROUTE_ALLOWED_PREFLIGHT)
        self.assertLog(decision='preflight', allowed=True, reason='allowed')
        # ... and one with it grants nothing
        r = self.preflight('/anything/pna', 'http://localhost:3000', 'GET', pna)
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.get('Access-Control-Allow-Private-Network'))
        self.assertEqual(r.get('Access-Control-Allow-Origin'), 'http://localhost:3000')
        self.assertLog(decision='preflight', allowed=True, reason='allowed')

    def test_log_names_the_matching_entry(self):
        # (origin, path, matched, matchedEntry): the entry that allowed the
        # origin, whatever the method verdict; null when none did
        cases = [
            ('GET', '/get', 'https://example.com', 'allowOrigins[0]', 'https://example.com'),
            ('GET', '/anything/pna', 'http://localhost:8080', 'allowOrigins[1]',
             'http://localhost:*'),
            ('GET', '/anything/public', 'https://anyone.example', 'allowOrigins[0]', '*'),
            ('GET', '/anything/regex', 'https://aaa.example.com', 'allowOriginRegex[0]',
             'https://(a+)+\\.example\\.com'),
            ('GET', '/anything/report', 'https://example.com', 'allowOrigins[0]',
             'https://example.com'),  # report-only decides (and attributes) too
            ('GET', '/get', 'https://notallowed.com', None, None),
            ('GET', '/get', None, None, None),
        ]
        for method, path, origin, matched, entry in cases:
            self.srv.request(method, path, [('Origin', origin)] if origin else [])
            self.assertLog(path=path, matched=matched, matchedEntry=entry)
        r = self.preflight('/anything', 'https://example.com', 'PUT')
        self.assertLog(reason='method-not-allowed', matched='allowOrigins[0]',
                       matchedEntry='https://example.com')

    def test_rollout_report_only_share_gets_vary(self):
        # enforcePercent 50: b.example (bucket 0) is enforced, example.com
        # (bucket 79) gets the report-only treatment: only Vary: Origin
        r = self.srv.request('GET', '/anything/rollout', [('Origin', 'https://b.example')])
        self.assertCors(r, {'Access-Control-Allow-Origin': 'https://b.example', 'Vary': 'Origin'})
        self.assertLog(decision='actual', allowed=True, reportOnly=False,
                       matched='allowOrigins[0]', matchedEntry='https://b.example')
        r = self.srv.request('GET', '/anything/rollout', [('Origin', 'https://example.com')])
        self.assertCors(r, {'Vary': 'Origin'})
        self.assertLog(decision='actual', allowed=True, reportOnly=True,
                       matched='allowOrigins[1]', matchedEntry='https://example.com')

    def test_origin_too_long(self):
        origin = 'https://' + 'a' * 5000 + '.example.com'
        r = self.srv.request('GET', '/get', [('Origin', origin)])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Vary': 'Origin'})
        line = self.assertLog(decision='actual', allowed=False, reason='origin-too-long')
        self.assertLess(len(line['origin']), 300)  # truncated in the log
        self.assertTrue(line['origin'].endswith('...'))

    def test_star_headers_echoed_per_line(self):
        r = self.preflight('/anything/star', 'https://example.com', 'PUT',
                           [('Access-Control-Request-Headers', 'x-a, x-b'),
                            ('Access-Control-Request-Headers', 'authorization')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {
            'Access-Control-Allow-Origin': 'https://example.com',
            'Access-Control-Allow-Credentials': 'true',
            'Access-Control-Allow-Methods': 'GET,PUT',
            'Access-Control-Allow-Headers': ['x-a, x-b', 'authorization'],
            'Vary': PREFLIGHT_VARY,
        })
        self.assertLog(decision='preflight', allowed=True, reason='allowed', policy='/anything/star')

    def test_headers_too_many_lines(self):
        hs = [('Access-Control-Request-Headers', 'x-h%d' % i) for i in range(9)]
        r = self.preflight('/anything/star', 'https://example.com', 'GET', hs)
        self.assertEqual(r.status, 403)
        self.assertCors(r, {'Vary': PREFLIGHT_VARY})
        self.assertLog(decision='preflight', allowed=False, reason='headers-too-many-lines')

    def test_report_only(self):
        r = self.preflight('/anything/report', 'https://notallowed.com')
        self.assertEqual(r.status, 204)  # the handler's answer to OPTIONS
        self.assertEqual(r.get('Allow'), 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS')
        self.assertCors(r, {})
        self.assertLog(decision='preflight', allowed=False, reason='origin-not-allowed',
                       handler=True, status=204, reportOnly=True, policy='/anything/report')
        r = self.srv.request('GET', '/anything/report', [('Origin', 'https://example.com')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {})
        self.assertLog(decision='actual', allowed=True, reason='allowed', handler=True,
                       reportOnly=True)

    def test_public_policy(self):
        for hs in ([], [('Origin', 'https://anyone.example')]):
            r = self.srv.request('GET', '/anything/public', hs)
            self.assertEqual(r.status, 200)
            self.assertCors(r, {'Access-Control-Allow-Origin': '*',
                                'Access-Control-Expose-Headers': 'x-total-count'})
        r = self.preflight('/anything/public', 'null', 'POST')
        self.assertEqual(r.status, 200)
        self.assertEqual(r.get('Access-Control-Allow-Origin'), '*')

    def test_forward_rejected_preflight_and_204(self):
        r = self.preflight('/anything/forward', 'https://app.example', 'DELETE')
        self.assertEqual(r.status, 204)
        self.assertEqual(r.get('Access-Control-Allow-Origin'), 'https://app.example')
        self.assertEqual(r.get('Access-Control-Allow-Methods'), 'GET,DELETE')
        self.assertIsNone(r.get('Allow'))
        self.assertLog(decision='preflight', allowed=True, handler=False, status=204)
        r = self.preflight('/anything/forward', 'https://evil.example')
        self.assertEqual(r.status, 204)
        self.assertEqual(r.get('Allow'), 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS')
        self.assertCors(r, {'Vary': PREFLIGHT_VARY})
        self.assertLog(decision='preflight', allowed=False, reason='origin-not-allowed',
                       handler=True, status=204)

    def test_private_network(self):
        r = self.preflight('/anything/pna', 'http://localhost:3000', 'GET',
                           [('Access-Control-Request-Private-Network', 'true')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {
            'Access-Control-Allow-Origin': 'http://localhost:3000',
            'Access-Control-Allow-Methods': 'GET',
            'Access-Control-Allow-Private-Network': 'true',
            'Vary': PREFLIGHT_VARY_PNA,
        })
        self.assertLog(decision='preflight', allowed=True, reason='allowed')
        r = self.preflight('/anything/pna', 'https://evil.example')
        self.assertEqual(r.status, 204)  # rejectStatus
        self.assertCors(r, {'Vary': PREFLIGHT_VARY_PNA})
        self.assertLog(decision='preflight', allowed=False, reason='origin-not-allowed',
                       status=204)
        # a policy without allowPrivateNetwork: full response, verdict false
        r = self.preflight('/get', 'https://example.com', 'GET',
                           [('Access-Control-Request-Private-Network', 'true')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, ROUTE_ALLOWED_PREFLIGHT)
        self.assertLog(decision='preflight', allowed=False,
                       reason='private-network-not-allowed')

    def test_regex_origin_and_limit(self):
        r = self.srv.request('GET', '/anything/regex', [('Origin', 'https://aaa.example.com')])
        self.assertEqual(r.get('Access-Control-Allow-Origin'), 'https://aaa.example.com')
        self.assertLog(decision='actual', allowed=True, reason='allowed', policy='/anything/regex')
        # the regex only runs for hosts ending in example.com (its key); this
        # near-miss makes (a+)+ backtrack until the request's budget runs out
        r = self.srv.request('GET', '/anything/regex', [('Origin', 'https://' + 'a' * 40 + '-.example.com')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Vary': 'Origin'})
        self.assertLog(decision='actual', allowed=False, reason='origin-regex-limit')

    def test_longest_prefix_wins(self):
        # prefixes are plain string prefixes: /anything/publicity starts with
        # /anything/public; /anything/pub matches no route (gateway level)
        r = self.srv.request('GET', '/anything/publicity', [('Origin', 'https://x.example')])
        self.assertEqual(r.get('Access-Control-Allow-Origin'), '*')
        self.assertLog(policy='/anything/public', status=200)
        r = self.srv.request('GET', '/anything/pub', [('Origin', 'https://x.example')])
        self.assertCors(r, {'Vary': 'Origin'})
        line = self.assertLog(status=200, reason='origin-not-allowed')
        self.assertIn('HTTPRoute', line['policy'])


# --------------------------------------------------------------------------
# Handlers, methods and Vary merging.

class Handlers(ServerCase):
    @staticmethod
    def server_args():
        return (policy(GUIDE_GATEWAY), [('/anything/route', policy(GUIDE_ROUTE))])

    def test_anything_echo_all_methods(self):
        for method in ('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'FOO'):
            body = b'{"k": "v\\u00e9"}\n' if method != 'GET' else b''
            r = self.srv.request(method, '/anything/x?a=1&a=2&b',
                                 [('Origin', 'https://example.com'), ('X-Thing', 'one'),
                                  ('x-thing', 'two')], body)
            self.assertEqual(r.status, 200, method)
            j = r.json()
            self.assertEqual(j['method'], method)
            self.assertEqual(j['path'], '/anything/x')
            self.assertEqual(j['body'], body.decode())
            self.assertEqual(j['headers']['X-Thing'], 'one, two')
            self.assertEqual(r.get('Access-Control-Allow-Origin'), 'https://example.com')
            self.assertLog(method=method, path='/anything/x', decision='actual', status=200)

    def test_keep_alive_requests_are_independent(self):
        c = http.client.HTTPConnection('127.0.0.1', self.srv.port, timeout=10)
        try:
            seen = []
            for origin in ('https://example.com', 'https://notallowed.com', None,
                           'https://example.com'):
                c.request('GET', '/get', headers={'Origin': origin} if origin else {})
                r = c.getresponse()
                r.read()
                seen.append((r.status, r.getheader('Access-Control-Allow-Origin'),
                             r.getheader('Vary')))
        finally:
            c.close()
        self.assertEqual(seen, [(200, 'https://example.com', 'Origin'), (200, None, 'Origin'),
                                (200, None, 'Origin'), (200, 'https://example.com', 'Origin')])
        lines = self.srv.new_logs()
        deadline = time.time() + 5
        while len(lines) < 4 and time.time() < deadline:
            lines += self.srv.new_logs()
        self.assertEqual([l['reason'] for l in lines],
                         ['allowed', 'origin-not-allowed', 'not-cors', 'allowed'])

    def test_head(self):
        r = self.srv.request('HEAD', '/get', [('Origin', 'https://example.com')])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b'')
        self.assertEqual(r.get('Access-Control-Allow-Origin'), 'https://example.com')
        self.assertLog(method='HEAD', status=200)

    def test_options_without_preflight(self):
        for path, allow in (('/get', 'GET, HEAD, OPTIONS'),
                            ('/private', 'GET, HEAD, POST, OPTIONS'),
                            ('/anything', 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS')):
            r = self.srv.request('OPTIONS', path)
            self.assertEqual(r.status, 204)
            self.assertEqual(r.get('Allow'), allow)
            self.assertIsNone(r.get('Content-Length'))
            self.assertCors(r, {'Vary': 'Origin'})
            self.assertLog(decision='not-cors', handler=True, status=204)

    def test_method_not_allowed_405(self):
        r = self.srv.request('POST', '/get', [('Origin', 'https://example.com')], b'x')
        self.assertEqual(r.status, 405)
        self.assertEqual(r.get('Allow'), 'GET, HEAD, OPTIONS')
        self.assertEqual(r.get('Access-Control-Allow-Origin'), 'https://example.com')

    def test_route_prefix_on_anything(self):
        r = self.srv.request('OPTIONS', '/anything/route/1', [
            ('Origin', 'https://example.com'), ('Access-Control-Request-Method', 'POST')])
        self.assertCors(r, ROUTE_ALLOWED_PREFLIGHT)
        self.assertLog(policy='/anything/route')
        r = self.srv.request('OPTIONS', '/anything/rout', [
            ('Origin', 'https://example.com'), ('Access-Control-Request-Method', 'POST')])
        self.assertCors(r, GATEWAY_ALLOWED_PREFLIGHT)

    def test_vary_merged_and_acao_replaced(self):
        r = self.srv.request('GET', '/response-headers?Vary=Accept-Encoding,%20origin'
                             '&Access-Control-Allow-Origin=https://stale.example'
                             '&Cache-Control=max-age%3D60',
                             [('Origin', 'https://example.com')])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.values('Vary'), ['Accept-Encoding, origin'])
        self.assertEqual(r.values('Access-Control-Allow-Origin'), ['https://example.com'])
        self.assertEqual(r.get('Cache-Control'), 'max-age=60')
        r = self.srv.request('GET', '/response-headers?Vary=Accept', [])
        self.assertEqual(r.values('Vary'), ['Accept, Origin'])
        r = self.srv.request('GET', '/response-headers?Vary=*', [('Origin', 'https://a.example')])
        self.assertEqual(r.values('Vary'), ['*'])

    # The response contract: the policy owns Access-Control-* on every
    # response it is in force on; whatever the handler set there is removed
    # before libcors' headers are applied.
    HANDLER_CORS = ('/response-headers?Access-Control-Allow-Origin=https://evil.test'
                    '&Access-Control-Allow-Credentials=true&Access-Control-Expose-Headers=x')

    def test_handler_cors_headers_never_reach_a_denied_origin(self):
        # the README's demo request: before 0.2 this answered
        # Access-Control-Allow-Origin: https://evil.test (and credentials)
        r = self.srv.request('GET', self.HANDLER_CORS, [('Origin', 'https://evil.test')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Vary': 'Origin'})
        self.assertEqual(r.json()['headers']['Access-Control-Allow-Origin'], 'https://evil.test')
        self.assertLog(decision='actual', allowed=False, reason='origin-not-allowed',
                       matched=None, handler=True, status=200)
        # not a CORS request: still nothing of the handler's
        r = self.srv.request('GET', self.HANDLER_CORS)
        self.assertCors(r, {'Vary': 'Origin'})
        self.assertLog(decision='not-cors')

    def test_handler_cors_headers_replaced_for_an_allowed_origin(self):
        r = self.srv.request('GET', self.HANDLER_CORS + '&Access-Control-Allow-Methods=PUT'
                             '&access-control-max-age=1', [('Origin', 'https://example.com')])
        self.assertEqual(r.status, 200)
        self.assertCors(r, {'Access-Control-Allow-Origin': 'https://example.com',
                            'Access-Control-Allow-Credentials': 'true',
                            'Access-Control-Expose-Headers': 'origin,x-trafficpolicy-header',
                            'Vary': 'Origin'})

    def test_report_only_leaves_handler_cors_headers(self):
        # a report-only policy is not in force: the response is the handler's
        srv = Server(data('report-only.yaml'))
        try:
            r = srv.request('GET', self.HANDLER_CORS, [('Origin', 'https://evil.test')])
            self.assertEqual(r.status, 200)
            self.assertCors(r, {'Access-Control-Allow-Origin': 'https://evil.test',
                                'Access-Control-Allow-Credentials': 'true',
                                'Access-Control-Expose-Headers': 'x'})
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_response_headers_refuses_bad_input(self):
        for q in ('X%0d%0aInjected=1', 'X-A=b%0d%0aSet-Cookie:%20x=1', 'X-A=%c3%a9',
                  'bad%20name=1', 'Content-Length=1', 'transfer-encoding=chunked',
                  'Connection=keep-alive', 'Content-Type=text/html'):
            r = self.srv.request('GET', '/response-headers?' + q, [('Origin', 'https://example.com')])
            self.assertEqual(r.status, 400, q)
            self.assertIsNone(r.get('Set-Cookie'))
            self.assertIsNone(r.get('Injected'))
            self.assertNotIn(b'\r\nInjected', r.raw)
            self.assertNotIn(b'\r\nSet-Cookie', r.raw)
            self.assertEqual(r.get('Access-Control-Allow-Origin'), 'https://example.com')

    def test_status_and_delay_endpoints(self):
        r = self.srv.request('GET', '/status/204')
        self.assertEqual(r.status, 204)
        r = self.srv.request('GET', '/status/99')
        self.assertEqual(r.status, 400)
        r = self.srv.request('GET', '/delay/0.1')
        self.assertEqual(r.status, 200)
        r = self.srv.request('GET', '/delay/11')
        self.assertEqual(r.status, 400)
        r = self.srv.request('GET', '/delay/-1')
        self.assertEqual(r.status, 400)

    def test_body_too_large(self):
        r = self.srv.request('POST', '/anything', [('Origin', 'https://example.com')],
                             b'x' * (1024 * 1024 + 1))
        self.assertEqual(r.status, 413)
        self.assertEqual(r.get('Access-Control-Allow-Origin'), 'https://example.com')
        self.assertLog(status=413, handler=True)


# --------------------------------------------------------------------------
# Hostile input: never a crash, never echoed into a header.

class Hostile(ServerCase):
    @staticmethod
    def server_args():
        return (policy(GUIDE_ROUTE),)

    def tearDown(self):
        self.assertTrue(self.srv.alive(), 'server died')
        r = self.srv.request('GET', '/get', [('Origin', 'https://example.com')])
        self.assertEqual(r.status, 200)

    def assertNotEchoed(self, raw, needle):
        head = raw.partition(b'\r\n\r\n')[0]
        self.assertNotIn(needle, head)

    def test_header_injection_in_origin(self):
        # A CR/LF inside Origin just starts another header line in the request.
        data = build_request(self.srv.port, 'GET', '/status/200',
                             [('Origin', 'https://example.com\r\nX-Evil: 1')])
        raw = self.srv.raw(data)
        resp = Response(raw)
        self.assertNotEchoed(raw, b'X-Evil')
        self.assertEqual(resp.get('Access-Control-Allow-Origin'), 'https://example.com')

    def test_bare_cr_and_nul_in_origin(self):
        for bad in (b'https://exa\rmple.com', b'https://example.com\x00evil',
                    b'https://ex\xc3\xa4mple.com', b'https://example.com\x7f',
                    b'https://example.com\tx'):
            data = (b'GET /status/200 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: ' +
                    bad + b'\r\n\r\n')
            raw = self.srv.raw(data)
            self.assertTrue(raw.startswith(b'HTTP/1.1 '), raw[:100])
            resp = Response(raw)
            if b'\x00' in bad:
                # libmicrohttpd ends a header value at a NUL byte: the library
                # then sees the canonical origin before it; the rest never
                # reaches the response.
                self.assertIn(resp.get('Access-Control-Allow-Origin'), (None, 'https://example.com'))
            else:
                self.assertIsNone(resp.get('Access-Control-Allow-Origin'), bad)
            self.assertNotEchoed(raw, b'evil')
            self.assertNotEchoed(raw, b'exa\rmple')
            self.assertNotEchoed(raw, b'\xc3\xa4')
        # the log stays pure-ASCII JSON, one line per request: control and
        # non-ASCII bytes are written as \u00XX escapes
        with open(self.srv.log, 'rb') as f:
            text = f.read()
        self.assertTrue(all(b < 0x7f and (b >= 0x20 or b == 0x0a) for b in text))
        lines = self.srv.new_logs()
        self.assertEqual(len(lines), 5)
        self.assertEqual(lines[0]['origin'], 'https://exa\rmple.com')
        self.assertEqual(lines[2]['origin'], 'https://ex\u00c3\u00a4mple.com')

    def test_preflight_with_hostile_values(self):
        for acrm, acrh in (('GET\x0bX', 'x-a'), ('GET', 'x-a\x01'), ('G ET', 'a,,b'),
                           ('GET', ','.join(['x'] * 3000))):
            r = self.srv.request('OPTIONS', '/get', [('Origin', 'https://example.com'),
                                                     ('Access-Control-Request-Method', acrm),
                                                     ('Access-Control-Request-Headers', acrh)])
            self.assertIn(r.status, (200, 403))
            for n, v in r.headers:
                self.assertNotIn('\x0b', v)
                self.assertNotIn('\x01', v)

    def test_huge_headers_rejected_cleanly(self):
        data = build_request(self.srv.port, 'GET', '/get',
                             [('Origin', 'https://example.com'), ('X-Big', 'a' * 200000)])
        raw = self.srv.raw(data)
        if raw:  # MHD answers 431 (or closes the connection)
            self.assertTrue(raw.startswith(b'HTTP/1.1 4'), raw[:100])
            self.assertNotIn(b'aaaaaaaaaa', raw)

    def test_many_header_lines(self):
        hs = [('Origin', 'https://example.com')] * 2000
        raw = self.srv.raw(build_request(self.srv.port, 'GET', '/get', hs))
        if raw:
            self.assertTrue(raw.startswith(b'HTTP/1.1 '))
            self.assertIsNone(Response(raw).get('Access-Control-Allow-Origin'))
        hs = [('Access-Control-Request-Headers', 'x-%d' % i) for i in range(500)]
        r = self.srv.request('OPTIONS', '/get', [('Origin', 'https://example.com'),
                                                 ('Access-Control-Request-Method', 'GET')] + hs)
        # more lines than libcors reads (CORS_REQUEST_HEADER_LINES_MAX): refused
        self.assertEqual(r.status, 403)
        self.assertLog(reason='headers-too-many-lines')

    def test_long_origin_and_path(self):
        r = self.srv.request('GET', '/' + 'p' * 20000, [('Origin', 'https://' + 'a' * 30000)])
        self.assertEqual(r.status, 404)
        self.assertNotIn(b'aaaaaaaaaa', r.raw.partition(b'\r\n\r\n')[0])
        line = self.assertLog(reason='origin-too-long', status=404)
        self.assertLess(len(line['path']), 300)

    def test_garbage_and_truncated_requests(self):
        for data in (b'\x00\x01\x02garbage\r\n\r\n', b'GET / HTTP/9.9\r\n\r\n',
                     b'GET /get HTTP/1.1\r\nHost: x\r\nOrigin https://example.com\r\n\r\n',
                     b'GET /get HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n',
                     b'POST /anything HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
                     b'POST /anything HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
                     b'\r\nzz\r\n'):
            # the server answers with an error, or keeps waiting for a valid
            # request (the client gives up after 2 s)
            raw = self.srv.raw(data, timeout=2, quiet_ok=True)
            if raw:
                self.assertTrue(raw.startswith(b'HTTP/1.'), raw[:80])
                self.assertNotIn(b'X-Evil', raw)
        for data in (b'GET /get HTTP/1.1\r\nHost: x\r\nOrigin: https://exa',
                     b'POST /anything HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc'):
            self.srv.raw(data, read=False)

    def test_concurrent_hostile_burst(self):
        errors = []

        def worker(i):
            try:
                for k in range(20):
                    origin = ['https://example.com', 'https://e\u00e9.com'.encode().decode('latin-1'),
                              'null', 'https://' + 'b' * 5000][k % 4]
                    r = self.srv.request('GET', '/get', [('Origin', origin)])
                    if r.status != 200:
                        errors.append(r.status_line)
            except Exception as e:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(e))
        ts = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])


# --------------------------------------------------------------------------
# Hot reload on SIGHUP, while requests are running.

class Reload(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='cors-demo-reload-')
        self.gw = os.path.join(self.dir, 'gateway.yaml')
        self.route = os.path.join(self.dir, 'route.yaml')
        shutil.copy(data('reload-a.yaml'), self.gw)
        shutil.copy(policy(GUIDE_ROUTE), self.route)
        try:
            self.srv = Server(self.gw, [('/headers', self.route)])
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def tearDown(self):
        alive = self.srv.alive()
        rc = self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.assertTrue(alive, 'server died')
        self.assertEqual(rc, 0)

    def put(self, src, dst):
        tmp = dst + '.tmp'
        shutil.copy(src, tmp)
        os.replace(tmp, dst)

    def wait_stderr(self, needle, count=1, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.srv.stderr().count(needle) >= count:
                return
            time.sleep(0.02)
        self.fail('no %r in stderr: %s' % (needle, self.srv.stderr()))

    def get(self, origin, path='/get'):
        return self.srv.request('GET', path, [('Origin', origin)])

    A = {'access-control-allow-origin': ['https://example.com'],
         'access-control-expose-headers': ['x-original'], 'vary': ['Origin']}
    B = {'access-control-allow-origin': ['https://new.example'],
         'access-control-expose-headers': ['x-reloaded'], 'vary': ['Origin']}
    NONE = {'vary': ['Origin']}

    def test_valid_reload_in_flight_and_invalid_refused(self):
        self.assertEqual(self.get('https://example.com').cors(), self.A)
        self.assertEqual(self.get('https://new.example').cors(), self.NONE)

        # A slow request in flight takes its policy reference before the swap.
        slow = {}

        def slow_request():
            slow['resp'] = self.srv.request('GET', '/delay/1.5', [('Origin', 'https://example.com')])
        t = threading.Thread(target=slow_request, daemon=True)
        t.start()
        time.sleep(0.4)

        self.put(data('reload-b.yaml'), self.gw)
        self.srv.send_signal(signal.SIGHUP)
        self.wait_stderr('reloaded 2 policies')
        self.assertEqual(self.get('https://new.example').cors(), self.B)
        self.assertEqual(self.get('https://example.com').cors(), self.NONE)
        t.join(10)
        self.assertFalse(t.is_alive())
        self.assertEqual(slow['resp'].status, 200)
        self.assertEqual(slow['resp'].cors(), self.A, 'the in-flight request finishes on the old policy')

        # An invalid policy is refused: diagnostics, and the last good policy stays.
        self.put(data('invalid.yaml'), self.gw)
        self.srv.send_signal(signal.SIGHUP)
        self.wait_stderr('reload refused')
        err = self.srv.stderr()
        self.assertIn(self.gw + ':', err)
        self.assertIn('error: origin-wildcard-misplaced', err)
        self.assertEqual(self.get('https://new.example').cors(), self.B)
        self.assertEqual(self.get('https://example.com').cors(), self.NONE)

        # A missing file is refused the same way.
        os.unlink(self.gw)
        self.srv.send_signal(signal.SIGHUP)
        self.wait_stderr('reload refused', 2)
        self.assertEqual(self.get('https://new.example').cors(), self.B)

        # One bad file among several: nothing changes (all or nothing).
        self.put(data('reload-a.yaml'), self.gw)
        self.put(data('invalid.yaml'), self.route)
        self.srv.send_signal(signal.SIGHUP)
        self.wait_stderr('reload refused', 3)
        self.assertEqual(self.get('https://new.example').cors(), self.B)
        self.assertEqual(self.get('https://example.com', '/headers').get('Access-Control-Expose-Headers'),
                         'origin,x-httproute-header')

        self.put(policy(GUIDE_ROUTE), self.route)
        self.srv.send_signal(signal.SIGHUP)
        self.wait_stderr('reloaded 2 policies', 2)
        self.assertEqual(self.get('https://example.com').cors(), self.A)

    def test_reload_storm_under_load(self):
        stop = threading.Event()
        errors = []
        seen = {'A': 0, 'B': 0}

        def worker():
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    if n % 2:
                        r, ok = self.get('https://example.com'), (self.A, self.NONE)
                    else:
                        r, ok = self.get('https://new.example'), (self.B, self.NONE)
                    c = r.cors()
                    if r.status != 200 or c not in ok:
                        errors.append((r.status_line, c))
                    elif c == self.A:
                        seen['A'] += 1
                    elif c == self.B:
                        seen['B'] += 1
                except Exception as e:  # noqa: BLE001 - collected and asserted below
                    errors.append(repr(e))
        ts = [threading.Thread(target=worker, daemon=True) for _ in range(4)]
        for t in ts:
            t.start()
        srcs = [data('reload-b.yaml'), data('invalid.yaml'), data('reload-a.yaml')]
        try:
            for i in range(30):
                self.put(srcs[i % 3], self.gw)
                self.srv.send_signal(signal.SIGHUP)
                self.wait_stderr('SIGHUP', i + 1)
                time.sleep(0.03)
        finally:
            stop.set()
            for t in ts:
                t.join(20)
        self.assertEqual(errors, [])
        self.assertGreater(seen['A'], 0)
        self.assertGreater(seen['B'], 0)
        self.wait_stderr('reloaded 2 policies', 20)
        self.wait_stderr('reload refused', 10)
        self.assertTrue(self.srv.alive())
        # the last file written was reload-a: its policy is in force
        time.sleep(0.2)
        self.assertEqual(self.get('https://example.com').cors(), self.A)


# --------------------------------------------------------------------------
# Command line, start-up failures, strict mode, signals.

class Cli(unittest.TestCase):
    def run_server(self, args, timeout=10):
        p = subprocess.run([SERVER] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def test_usage_errors(self):
        for args in ([], ['--port', '70000', '--policy', policy(GUIDE_ROUTE)],
                     ['--policy'], ['--route', 'nofile', '--policy', policy(GUIDE_ROUTE)],
                     ['--route', 'get=x.yaml', '--policy', policy(GUIDE_ROUTE)],
                     ['--bogus']):
            rc, out, err = self.run_server(args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(out, '')
            self.assertIn('cors-demo-server', err)

    def test_help(self):
        rc, out, _ = self.run_server(['--help'])
        self.assertEqual(rc, 0)
        self.assertIn('--route PREFIX=FILE', out)

    def test_invalid_policy_at_start(self):
        rc, out, err = self.run_server(['--policy', data('invalid.yaml')])
        self.assertEqual(rc, 1)
        self.assertEqual(out, '')
        self.assertRegex(err, r'invalid\.yaml:\d+:\d+: error: origin-wildcard-misplaced: ')
        rc, out, err = self.run_server(['--policy', '/nonexistent/p.yaml'])
        self.assertEqual(rc, 1)
        self.assertIn('/nonexistent/p.yaml: error: cannot open', err)

    def test_invalid_methods_and_headers_refused(self):
        rc, out, err = self.run_server(['--policy', data('invalid-method.yaml')])
        self.assertEqual(rc, 1, 'exit status (negative: killed by a signal); stderr: ' + err)
        self.assertRegex(err, r'invalid-method\.yaml:5:\d+: error: method-forbidden: ')
        self.assertRegex(err, r'invalid-method\.yaml:6:\d+: error: method-invalid: ')
        self.assertRegex(err, r'invalid-method\.yaml:8:\d+: error: header-invalid: ')

    def test_strict_refuses_guide_warnings(self):
        rc, out, err = self.run_server(['--strict', '--policy', policy(GUIDE_ROUTE)])
        self.assertEqual(rc, 1)
        self.assertRegex(err, r'httproute\.yaml:\d+:\d+: error: max-age-above-chromium-cap: ')
        # without --strict the same file starts, the warnings printed
        srv = Server(policy(GUIDE_ROUTE))
        try:
            self.assertRegex(srv.stderr(), r'httproute\.yaml:\d+:\d+: warning: max-age-above-chromium-cap: ')
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_both_documents_in_one_file(self):
        srv = Server(policy('guide-both.yaml'))
        try:
            r = srv.request('OPTIONS', '/headers', [('Origin', 'https://example.com'),
                                                    ('Access-Control-Request-Method', 'GET')])
            self.assertCors(r)
            line = srv.new_logs()[0]
            self.assertIn('HTTPRoute', line['policy'])
        finally:
            self.assertEqual(srv.stop(), 0)

    def assertCors(self, r):
        self.assertEqual(r.status, 200)
        self.assertEqual(r.get('Access-Control-Expose-Headers'), 'origin,x-httproute-header')
        self.assertEqual(r.get('Access-Control-Allow-Headers'), 'origin')

    def test_sigint_and_log_to_stderr(self):
        srv = Server(policy(GUIDE_ROUTE))
        try:
            self.assertEqual(srv.request('GET', '/get').status, 200)
        finally:
            self.assertEqual(srv.stop(signal.SIGINT), 0)
        # without --log the request lines go to stderr
        p = subprocess.Popen([SERVER, '--policy', policy(GUIDE_ROUTE)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            line = p.stdout.readline().decode()
            port = int(line.strip().rsplit(':', 1)[1])
            Response(raw_request(port, build_request(port, 'GET', '/get', [('Origin', 'https://example.com')])))
        finally:
            os.kill(p.pid, signal.SIGTERM)
            _, err = p.communicate(timeout=20)
        self.assertEqual(p.returncode, 0)
        lines = [json.loads(l) for l in err.decode().splitlines() if l.startswith('{')]
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]['reason'], 'allowed')

    def test_static_dir(self):
        d = tempfile.mkdtemp(prefix='cors-demo-static-')
        try:
            www = os.path.join(d, 'www')
            os.makedirs(os.path.join(www, 'sub'))
            with open(os.path.join(www, 'index.html'), 'w') as f:
                f.write('<p>page</p>\n')
            with open(os.path.join(www, 'sub', 'app.js'), 'w') as f:
                f.write('fetch("/get")\n')
            with open(os.path.join(d, 'secret.txt'), 'w') as f:
                f.write('secret\n')
            os.symlink('../secret.txt', os.path.join(www, 'link.txt'))
            srv = Server(policy(GUIDE_ROUTE), extra=['--static', www])
            try:
                r = srv.request('GET', '/', [('Origin', 'https://example.com')])
                self.assertEqual((r.status, r.body), (200, b'<p>page</p>\n'))
                self.assertEqual(r.get('Content-Type'), 'text/html; charset=utf-8')
                self.assertEqual(r.get('Access-Control-Allow-Origin'), 'https://example.com')
                r = srv.request('GET', '/sub/app.js')
                self.assertEqual(r.status, 200)
                self.assertEqual(r.get('Content-Type'), 'text/javascript; charset=utf-8')
                self.assertEqual(srv.request('GET', '/get').json()['path'], '/get')  # endpoints first
                self.assertEqual(srv.request('POST', '/index.html', body=b'x').status, 405)
                for path in ('/link.txt', '/../secret.txt', '/%2e%2e/secret.txt',
                             '/sub/..%2f..%2fsecret.txt', '/sub/', '/missing.html'):
                    r = srv.request('GET', path)
                    self.assertEqual(r.status, 404, path)
                    self.assertNotIn(b'secret', r.body)
            finally:
                self.assertEqual(srv.stop(), 0)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_port_in_use(self):
        srv = Server(policy(GUIDE_ROUTE))
        try:
            rc, out, err = self.run_server(['--policy', policy(GUIDE_ROUTE), '--port', str(srv.port)])
            self.assertEqual(rc, 1)
            self.assertIn('cannot listen on 127.0.0.1:%d' % srv.port, err)
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_listens_on_loopback_only(self):
        srv = Server(policy(GUIDE_ROUTE))
        try:
            with open('/proc/net/tcp') as f:
                rows = [l.split() for l in f.read().splitlines()[1:]]
            local = ['%s' % r[1] for r in rows if r[3] == '0A']  # LISTEN
            ours = [a for a in local if int(a.split(':')[1], 16) == srv.port]
            self.assertEqual(ours, ['0100007F:%04X' % srv.port])
        finally:
            self.assertEqual(srv.stop(), 0)


CASES = {'walkthrough': Walkthrough, 'decisions': Decisions, 'features': Features,
         'handlers': Handlers, 'hostile': Hostile, 'reload': Reload, 'cli': Cli}


def main():
    global SERVER, POLICIES, DATA
    if len(sys.argv) != 5 or sys.argv[4] not in CASES:
        sys.stderr.write(__doc__)
        return 2
    SERVER, POLICIES, DATA = (os.path.abspath(a) for a in sys.argv[1:4])
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(CASES[sys.argv[4]])
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
