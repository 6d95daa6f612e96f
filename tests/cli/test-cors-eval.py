#!/usr/bin/env python3
"""Command-line tests of cors-eval (suite 'cli').

Usage: test-cors-eval.py CORS_EVAL DATA_DIR HAVE_YAML(0|1)

Runs cors-eval as a user would and checks standard output, standard error and
the exit status: every flag, every exit status, and the seed guide's
walk-through as golden outputs.
"""
import json
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from tap import check, expect, finish, runner  # noqa: E402  (tests/common/tap.py)

run = runner(sys.argv[1])  # cors-eval
DATA = sys.argv[2]
HAVE_YAML = sys.argv[3] == "1"


def data(name):
    return os.path.join(DATA, name)


PREFLIGHT_VARY = "vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\n"
DIAG_RE = re.compile(r"^(.+?):(\d+):(\d+): (error|warning): ([a-z0-9-]+): (.+)$")
DIAG_NOPOS_RE = re.compile(r"^(.+?): (error|warning): ([a-z0-9-]+): (.+)$")
JSON_KEYS = ["decision", "allowed", "reason", "handler", "status", "reportOnly", "matched",
             "removesAccessControl", "headers", "policySource"]

SEED_ROUTE_ALLOWED = (
    "HTTP/1.1 200 OK\n"
    "access-control-allow-origin: https://example.com\n"
    "access-control-allow-credentials: true\n"
    "access-control-allow-methods: GET,POST,OPTIONS\n"
    "access-control-allow-headers: origin\n"
    "access-control-max-age: 86400\n"
    "access-control-expose-headers: origin,x-httproute-header\n" + PREFLIGHT_VARY
)
SEED_POLICY_ALLOWED = (
    "HTTP/1.1 200 OK\n"
    "access-control-allow-origin: https://example.com\n"
    "access-control-allow-credentials: true\n"
    "access-control-allow-methods: GET,POST,OPTIONS\n"
    "access-control-allow-headers: origin,authorization,content-type\n"
    "access-control-max-age: 86400\n"
    "access-control-expose-headers: origin,x-trafficpolicy-header\n" + PREFLIGHT_VARY
)
SEED_REJECTED = "HTTP/1.1 403 Forbidden\n" + PREFLIGHT_VARY


def seed_preflight(policy, origin, *extra):
    return run("--policy", data(policy), "-X", "OPTIONS", "-H", f"Origin: {origin}",
               "-H", "Access-Control-Request-Method: POST", *extra)


def test_seed_golden():
    # the guide's walk-through, offline
    for policy, allowed in (("seed-httproute.yaml", SEED_ROUTE_ALLOWED),
                            ("seed-agentgatewaypolicy.yaml", SEED_POLICY_ALLOWED),
                            ("seed-both.yaml", SEED_ROUTE_ALLOWED)):
        rc, out, err = seed_preflight(policy, "https://example.com")
        expect(f"{policy} allowed: exit", rc, 0)
        expect(f"{policy} allowed: output", out, allowed)
        rc, out, err = seed_preflight(policy, "https://notallowed.com")
        expect(f"{policy} notallowed: exit", rc, 0)
        expect(f"{policy} notallowed: output", out, SEED_REJECTED)
        # the guide's policies have warnings; they go to standard error
        lines = err.splitlines()
        check(f"{policy} warnings on stderr", lines and all(DIAG_RE.match(l) for l in lines), err)
        check(f"{policy} max-age warning",
              any(": warning: max-age-above-chromium-cap: " in l for l in lines), err)
    rc, out, err = seed_preflight("seed-both.yaml", "https://example.com")
    check("both levels: warning names the winner",
          any(m and m.group(5) == "text-both-levels" and m.group(2) == "42" and m.group(3) == "5"
              for m in map(DIAG_RE.match, err.splitlines())), err)


def test_seed_json():
    rc, out, err = seed_preflight("seed-httproute.yaml", "https://example.com", "--json")
    expect("json: exit", rc, 0)
    obj = json.loads(out)
    expect("json: keys in order", list(obj.keys()), JSON_KEYS)
    expect("json: object", obj, {
        "decision": "preflight",
        "allowed": True,
        "reason": "allowed",
        "handler": False,
        "status": 200,
        "reportOnly": False,
        "matched": {"field": "allowOrigins", "index": 0, "entry": "https://example.com"},
        "removesAccessControl": True,
        "headers": [
            ["Access-Control-Allow-Origin", "https://example.com"],
            ["Access-Control-Allow-Credentials", "true"],
            ["Access-Control-Allow-Methods", "GET,POST,OPTIONS"],
            ["Access-Control-Allow-Headers", "origin"],
            ["Access-Control-Max-Age", "86400"],
            ["Access-Control-Expose-Headers", "origin,x-httproute-header"],
            ["Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"],
        ],
        "policySource": "HTTPRoute httpbin/httpbin (document 1)",
    })
    rc, out, err = seed_preflight("seed-agentgatewaypolicy.yaml", "https://notallowed.com",
                                  "--json")
    obj = json.loads(out)
    expect("json rejected: object", obj, {
        "decision": "preflight",
        "allowed": False,
        "reason": "origin-not-allowed",
        "handler": False,
        "status": 403,
        "reportOnly": False,
        "matched": None,
        "removesAccessControl": True,
        "headers": [["Vary", "Origin, Access-Control-Request-Method, "
                             "Access-Control-Request-Headers"]],
        "policySource": "AgentgatewayPolicy agentgateway-system/httpbin-cors (document 1)",
    })
    # the handler answers: status null
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-H", "Origin: https://example.com",
                       "--json")
    obj = json.loads(out)
    expect("json actual: decision", obj["decision"], "actual")
    expect("json actual: handler", obj["handler"], True)
    expect("json actual: status", obj["status"], None)
    # not CORS at all
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "--json")
    obj = json.loads(out)
    expect("json not-cors", (obj["decision"], obj["allowed"], obj["reason"], obj["handler"],
                             obj["status"], obj["headers"]),
           ("not-cors", False, "not-cors", True, None, [["Vary", "Origin"]]))


def test_default_method_and_actual():
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-H", "Origin: https://example.com")
    expect("GET by default: output", out,
           "HTTP/1.1 200 OK\n"
           "access-control-allow-origin: https://example.com\n"
           "access-control-allow-credentials: true\n"
           "access-control-expose-headers: origin,x-httproute-header\n"
           "vary: Origin\n")
    expect("GET by default: exit", rc, 0)
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-H", "Origin: https://evil.example")
    expect("actual, origin not allowed", out, "HTTP/1.1 200 OK\nvary: Origin\n")
    # OPTIONS without Access-Control-Request-Method is an actual request
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-X", "OPTIONS",
                       "-H", "Origin: https://example.com", "--json")
    expect("OPTIONS without ACRM is actual", json.loads(out)["decision"], "actual")


def test_header_parsing():
    # names are case-insensitive, values trimmed, other headers ignored, curl's "Name;"
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-X", "OPTIONS",
                       "-H", "oRiGiN:   https://example.com  ",
                       "-H", "ACCESS-CONTROL-REQUEST-METHOD: POST",
                       "-H", "Host: www.example.com", "-H", "X-Empty;")
    expect("case-insensitive names", out, SEED_ROUTE_ALLOWED)
    # long forms and attached values
    rc, out, err = run("--policy=" + data("seed-httproute.yaml"), "--request", "OPTIONS",
                       "--header", "Origin: https://example.com",
                       "--header=Access-Control-Request-Method: POST")
    expect("long options", out, SEED_ROUTE_ALLOWED)
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-XOPTIONS",
                       "-HOrigin: https://example.com", "-HAccess-Control-Request-Method: POST")
    expect("attached short options", out, SEED_ROUTE_ALLOWED)
    # repeated Origin headers are passed on as several values: malformed
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-H", "Origin: https://example.com",
                       "-H", "Origin: https://example.com", "--json")
    obj = json.loads(out)
    expect("repeated Origin", (rc, obj["reason"], obj["allowed"]), (0, "origin-multiple", False))
    # an empty Access-Control-Request-Method (curl's "Name;") is a malformed preflight
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-X", "OPTIONS",
                       "-H", "Origin: https://example.com", "-H", "Access-Control-Request-Method;",
                       "--json")
    expect("empty ACRM", json.loads(out)["reason"], "method-malformed")
    # repeated ACRM lines are one combined value: not a single method
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-X", "OPTIONS",
                       "-H", "Origin: https://example.com",
                       "-H", "Access-Control-Request-Method: GET",
                       "-H", "Access-Control-Request-Method: POST", "--json")
    expect("repeated ACRM", json.loads(out)["reason"], "method-malformed")


def test_extensions_and_repeated_request_headers():
    rc, out, err = run("--policy", data("extensions.yaml"), "-X", "OPTIONS",
                       "-H", "Origin: https://app.example",
                       "-H", "Access-Control-Request-Method: PUT",
                       "-H", "Access-Control-Request-Headers: x-a, x-b",
                       "-H", "access-control-request-headers: authorization",
                       "-H", "Access-Control-Request-Private-Network: true")
    expect("extensions: exit", rc, 0)
    expect("extensions: output", out,
           "HTTP/1.1 204 No Content\n"
           "access-control-allow-origin: https://app.example\n"
           "access-control-allow-methods: GET,POST,PUT\n"
           "access-control-allow-headers: x-a, x-b\n"
           "access-control-allow-headers: authorization\n"
           "access-control-max-age: 600\n"
           "access-control-expose-headers: x-request-id\n"
           "access-control-allow-private-network: true\n"
           "vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
           "Access-Control-Request-Private-Network\n")
    rc, out, err = run("--policy", data("extensions.yaml"), "-X", "OPTIONS",
                       "-H", "Origin: https://app.example",
                       "-H", "Access-Control-Request-Method: PUT",
                       "-H", "Access-Control-Request-Headers: x-a",
                       "-H", "Access-Control-Request-Headers: x-b", "--json")
    hdrs = json.loads(out)["headers"]
    expect("two ACAH lines in JSON",
           [h for h in hdrs if h[0] == "Access-Control-Allow-Headers"],
           [["Access-Control-Allow-Headers", "x-a"], ["Access-Control-Allow-Headers", "x-b"]])
    # wildcard and regex origins
    for origin in ("https://a.example.net", "https://pr-7.preview.example.org"):
        rc, out, err = run("--policy", data("extensions.yaml"), "-X", "OPTIONS",
                           "-H", f"Origin: {origin}", "-H", "Access-Control-Request-Method: GET",
                           "--json")
        expect(f"allowed {origin}", json.loads(out)["allowed"], True)


def test_forward_and_report_only():
    rc, out, err = run("--policy", data("forward.json"), "-X", "OPTIONS",
                       "-H", "Origin: https://evil.example",
                       "-H", "Access-Control-Request-Method: PUT")
    expect("forwarded rejected preflight", (rc, out), (0, "HTTP/1.1 200 OK\n" + PREFLIGHT_VARY))
    rc, out, err = run("--policy", data("forward.json"), "-X", "OPTIONS",
                       "-H", "Origin: https://evil.example",
                       "-H", "Access-Control-Request-Method: PUT", "--json")
    obj = json.loads(out)
    expect("forwarded: JSON", (obj["handler"], obj["status"], obj["reason"]),
           (True, None, "origin-not-allowed"))
    rc, out, err = run("--policy", data("forward.json"), "-X", "OPTIONS",
                       "-H", "Origin: https://app.example",
                       "-H", "Access-Control-Request-Method: PUT")
    check("JSON policy: duration maxAge", "access-control-max-age: 5400\n" in out, out)
    rc, out, err = run("--policy", data("report-only.yaml"), "-X", "OPTIONS",
                       "-H", "Origin: https://app.example",
                       "-H", "Access-Control-Request-Method: GET")
    expect("report-only: output", (rc, out), (0, "HTTP/1.1 200 OK\n"))
    rc, out, err = run("--policy", data("report-only.yaml"), "-X", "OPTIONS",
                       "-H", "Origin: https://evil.example",
                       "-H", "Access-Control-Request-Method: GET", "--json")
    obj = json.loads(out)
    expect("report-only: JSON", (obj["allowed"], obj["reason"], obj["handler"], obj["headers"]),
           (False, "origin-not-allowed", True, []))


def test_features_0_2():
    # forwardAllowedPreflights, timingAllowOrigin, enforcePercent (README "Features")
    policy = ('{"allowOrigins": ["https://*.example"], "allowMethods": ["PUT"], '
              '"forwardAllowedPreflights": true, "timingAllowOrigin": true}')
    rc, out, err = run("--policy", "-", "-X", "OPTIONS", "-H", "Origin: https://a.example",
                       "-H", "Access-Control-Request-Method: PUT", "--json",
                       stdin=policy.encode())
    obj = json.loads(out)
    expect("forwardAllowedPreflights: the handler answers",
           (rc, obj["handler"], obj["status"], obj["allowed"]), (0, True, None, True))
    check("forwardAllowedPreflights: the preflight headers",
          ["Access-Control-Allow-Methods", "PUT"] in obj["headers"], obj["headers"])
    rc, out, err = run("--policy", "-", "-H", "Origin: https://a.example", stdin=policy.encode())
    check("timingAllowOrigin: curl output", "timing-allow-origin: https://a.example\n" in out, out)
    rc, out, err = run("--policy", "-", "-H", "Origin: https://a.example", "--json",
                       stdin=policy.encode())
    obj = json.loads(out)
    expect("matched: wildcard entry", obj["matched"],
           {"field": "allowOrigins", "index": 0, "entry": "https://*.example"})
    # https://example.com is in bucket 79 (FNV-1a % 100): enforced at 80, not at 79
    for percent, report_only in ((80, False), (79, True)):
        p = '{"allowOrigins": ["https://example.com"], "enforcePercent": %d}' % percent
        rc, out, err = run("--policy", "-", "-H", "Origin: https://example.com", "--json",
                           stdin=p.encode())
        obj = json.loads(out)
        expect(f"enforcePercent {percent}: treatment", (obj["reportOnly"], obj["allowed"]),
               (report_only, True))
        expect(f"enforcePercent {percent}: headers",
               [h[0] for h in obj["headers"]],
               ["Vary"] if report_only else ["Access-Control-Allow-Origin", "Vary"])
    # Gateway API fidelity: what a cluster would refuse, for Kubernetes documents only
    rc, out, err = run("--policy", data("gateway-api-fidelity.yaml"), "--check")
    codes = [m.group(5) for m in map(DIAG_RE.match, out.splitlines()) if m]
    expect("gateway-api: warnings by code",
           sorted(c for c in codes if c.startswith("gateway-api-")),
           sorted(["gateway-api-origin-pattern"] * 4 + ["gateway-api-method-not-in-enum"] * 2 +
                  ["gateway-api-max-age"] + ["gateway-api-extension-key"] * 2))
    expect("gateway-api: valid without --strict", rc, 0)
    rc, out, err = run("--policy", data("gateway-api-fidelity.yaml"), "--check", "--strict")
    check("gateway-api: --strict refuses", rc == 1 and
          "20:13: error: gateway-api-extension-key: 'reportOnly'" in out, out)
    rc, out, err = run("--policy", "-", "--check",
                       stdin=b'{"allowOrigins": ["*"], "enforcePercent": 150}')
    check("enforcePercent out of range: exit 1 and a diagnostic",
          rc == 1 and "error: percent-out-of-range:" in out, out + err)


def test_stdin():
    with open(data("seed-httproute.yaml"), "rb") as f:
        text = f.read()
    rc, out, err = run("--policy", "-", "-X", "OPTIONS", "-H", "Origin: https://example.com",
                       "-H", "Access-Control-Request-Method: POST", stdin=text)
    expect("stdin policy", (rc, out), (0, SEED_ROUTE_ALLOWED))
    check("stdin diagnostics name <stdin>", err.startswith("<stdin>:26:21: warning: "), err)
    rc, out, err = run("--policy", "-", "--check", stdin=b'{"allowOrigins": ["*"], "maxAge": 5}')
    expect("stdin JSON check", (rc, out), (0, ""))


def test_check():
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "--check")
    expect("check seed: exit", rc, 0)
    f = data("seed-httproute.yaml")
    got = [DIAG_RE.match(l) for l in out.splitlines()]
    check("check seed: line format", all(got), out)
    expect("check seed: diagnostics",
           sorted(m.group(1, 2, 3, 4, 5) for m in got if m),
           sorted([(f, "26", "21", "warning", "max-age-above-chromium-cap"),
                   (f, "16", "17", "warning", "header-forbidden")]))
    check("check seed: messages", all(m and len(m.group(6)) > 10 for m in got), out)
    check("check seed: summary on stderr", "valid (2 warnings)" in err, err)
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "--check", "--strict")
    expect("check --strict seed: exit", rc, 1)
    check("check --strict: errors",
          len(out.splitlines()) == 2 and all(DIAG_RE.match(l).group(4) == "error"
                                             for l in out.splitlines()), out)
    rc, out, err = run("--policy", data("invalid.yaml"), "--check")
    expect("check invalid: exit", rc, 1)
    got = []
    for line in out.splitlines():
        m = DIAG_RE.match(line)
        if m:
            got.append((int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)))
        else:
            m = DIAG_NOPOS_RE.match(line)
            check("check invalid: line format", m is not None, line)
            if m:
                got.append((0, 0, m.group(2), m.group(3)))
    expect("check invalid: diagnostics", sorted(got), sorted([
        (2, 5, "error", "origin-malformed"),
        (3, 5, "error", "origin-wildcard-misplaced"),
        (4, 1, "error", "text-unknown-key"),
        (5, 9, "error", "text-wrong-type"),
        (6, 19, "error", "text-wrong-type"),
        (0, 0, "warning", "no-origins"),
    ]))
    check("check invalid: summary", "invalid policy (5 errors, 1 warning)" in err, err)
    rc, out, err = run("--policy", data("syntax-error.json"), "--check")
    expect("check syntax error", (rc, [DIAG_RE.match(l).group(2, 3, 4, 5) for l in
                                       out.splitlines()]),
           (1, [("3", "17", "error", "text-syntax")]))
    rc, out, err = run("--policy", data("seed-both.yaml"), "--check")
    check("check both levels warning",
          any(l.startswith(data("seed-both.yaml") + ":42:5: warning: text-both-levels: ")
              for l in out.splitlines()), out)


def test_dump():
    rc, out, err = run("--policy", data("extensions.yaml"), "--dump")
    expect("dump: exit", rc, 0)
    obj = json.loads(out)
    expect("dump: canonical origins", obj["allowOrigins"],
           ["https://app.example", "https://*.example.net"])
    expect("dump: values", (obj["maxAge"], obj["preflightStatus"], obj["allowPrivateNetwork"],
                            obj["exposeHeaders"], obj["policySource"]),
           (600, 204, True, ["x-request-id"], "HTTPCORSFilter (document 1)"))
    rc, out, err = run("--policy", data("seed-both.yaml"), "--dump")
    obj = json.loads(out)
    expect("dump: route wins", obj["policySource"], "HTTPRoute httpbin/httpbin (document 1)")
    expect("dump: route's expose headers", obj["exposeHeaders"], ["origin", "x-httproute-header"])
    # the Gateway API default maxAge shows
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "route.yaml")
        with open(p, "w") as f:
            f.write("kind: HTTPRoute\nmetadata: {name: r, namespace: n}\nspec:\n  rules:\n"
                    "    - filters:\n        - type: CORS\n          cors:\n"
                    "            allowOrigins: [\"https://Example.com:443\"]\n")
        rc, out, err = run("--policy", p, "--dump")
        obj = json.loads(out)
        expect("dump: defaults applied", (obj["maxAge"], obj["allowOrigins"], obj["policySource"]),
               (5, ["https://example.com"], "HTTPRoute n/r (document 1)"))


def test_invalid_policy_exit_1():
    rc, out, err = run("--policy", data("invalid.yaml"), "-H", "Origin: https://app.example")
    expect("invalid policy: exit", rc, 1)
    expect("invalid policy: nothing on stdout", out, "")
    check("invalid policy: diagnostics on stderr",
          f"{data('invalid.yaml')}:4:1: error: text-unknown-key:" in err, err)
    check("invalid policy: summary", "invalid policy" in err, err)
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "--strict",
                       "-H", "Origin: https://example.com")
    expect("--strict evaluation of the seed: exit", (rc, out), (1, ""))
    rc, out, err = run("--policy", data("syntax-error.json"), "--dump")
    expect("dump of invalid policy", (rc, out), (1, ""))
    rc, out, err = run("--policy", "-", "--json", "-H", "Origin: https://a.example", stdin=b"")
    expect("empty policy", rc, 1)
    check("empty policy: no-policy", "text-no-policy" in err, err)


def test_usage_errors():
    cases = [
        ([], "--policy FILE is required"),
        (["-H", "Origin: https://example.com"], "--policy FILE is required"),
        (["--policy"], "--policy needs a file name"),
        (["--policy", ""], "--policy needs a file name"),
        (["--policy", "a", "--policy", "b"], "--policy given twice"),
        (["--policy", data("seed-httproute.yaml"), "-Q"], "unknown option '-Q'"),
        (["--policy", data("seed-httproute.yaml"), "--frobnicate"], "unknown option"),
        (["--policy", data("seed-httproute.yaml"), "extra"], "unexpected argument 'extra'"),
        (["--policy", data("seed-httproute.yaml"), "-X"], "-X needs a method"),
        (["--policy", data("seed-httproute.yaml"), "-X", ""], "empty"),
        (["--policy", data("seed-httproute.yaml"), "-H"], "-H needs a header"),
        (["--policy", data("seed-httproute.yaml"), "-H", "Origin"], "expected 'Name: value'"),
        (["--policy", data("seed-httproute.yaml"), "-H", ": x"], "expected 'Name: value'"),
        (["--policy", data("seed-httproute.yaml"), "-H", "Bad Name: x"], "expected 'Name: value'"),
        (["--policy", data("seed-httproute.yaml"), "--check", "--dump"], "cannot be combined"),
        (["--policy", data("seed-httproute.yaml"), "--check", "-H", "Origin: https://a.example"],
         "takes no -X, -H or --json"),
        (["--policy", data("seed-httproute.yaml"), "--dump", "--json"], "takes no -X, -H or --json"),
        (["--policy", os.path.join(DATA, "does-not-exist.yaml")], "cannot read"),
        (["--policy", DATA], "cannot read"),
    ]
    for args, msg in cases:
        rc, out, err = run(*args)
        expect(f"usage {args}: exit", rc, 2)
        expect(f"usage {args}: stdout", out, "")
        check(f"usage {args}: message", err.startswith("cors-eval: ") and msg in err, err)
    # bad input is not echoed raw
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "-H", "\x1b[31mX")
    check("control characters are not echoed", rc == 2 and "\x1b" not in err, repr(err))


def test_help_version():
    rc, out, err = run("--help")
    check("--help", rc == 0 and out.startswith("Usage: cors-eval --policy FILE") and
          "--check" in out and "--dump" in out and err == "", out + err)
    rc, out, err = run("-h")
    expect("-h exit", rc, 0)
    rc, out, err = run("--version")
    check("--version", rc == 0 and re.match(r"^cors-eval \(libcors\) \d+\.\d+\.\d+\n", out), out)
    check("--version text support", f"YAML/JSON text policies: {'yes' if HAVE_YAML else 'no'}"
          in out, out)
    rc, out, err = run("-V")
    expect("-V exit", rc, 0)


def test_without_yaml():
    # a build without libyaml: every text policy is refused with a clear message
    rc, out, err = run("--policy", data("seed-httproute.yaml"), "--check")
    expect("no yaml: exit", rc, 1)
    check("no yaml: message", "error: text-unsupported:" in out and "libyaml" in out, out + err)


def main():
    test_help_version()
    test_usage_errors()
    if not HAVE_YAML:
        test_without_yaml()
    else:
        test_seed_golden()
        test_seed_json()
        test_default_method_and_actual()
        test_header_parsing()
        test_extensions_and_repeated_request_headers()
        test_forward_and_report_only()
        test_features_0_2()
        test_stdin()
        test_check()
        test_dump()
        test_invalid_policy_exit_1()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
