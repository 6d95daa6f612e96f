#!/usr/bin/env python3
"""cors-eval --test (suite 'cli'): policy test files.

Usage: test-policy-files.py CORS_EVAL DATA_DIR

Checks the TAP output, the diagnostics of a failing case, the exit statuses
(0 passed, 1 failed or invalid policy, 2 malformed test file) and the error
positions, with test files written to a temporary directory.
"""
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from tap import check, finish, runner, tmpdir  # noqa: E402  (tests/common/tap.py)

run = runner(sys.argv[1])  # cors-eval
DATA = sys.argv[2]
tmp = tmpdir("cors-eval-test-")


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


POLICY = """\
policy:
  allowOrigins: ["https://app.example"]
  allowMethods: [GET, PUT]
  allowHeaders: [x-token]
  allowCredentials: true
  maxAge: 600
"""

# 1. every case passes: TAP plan, one point per case, exit 0
passing = write("pass.yaml", POLICY + """\
cases:
  - name: preflight
    request:
      method: OPTIONS
      headers: {Origin: "https://app.example", Access-Control-Request-Method: PUT}
    expect: {decision: preflight, allowed: true, status: 200,
             headers: {Access-Control-Allow-Methods: "GET,PUT"}}
  - name: browser PUT with a token
    fetch: {origin: "https://app.example", method: PUT, headers: {X-Token: "1"},
            credentials: include}
    expect: {preflight: true, requestHeaders: x-token, ok: true, maxAge: 600}
""")
rc, out, err = run("--test", passing)
check("passing file: exit 0", rc == 0, f"rc={rc}\n{out}{err}")
check("passing file: TAP plan and points",
      out == "TAP version 13\n1..2\nok 1 - preflight\nok 2 - browser PUT with a token\n", out)

# 2. failing cases: 'not ok', a diagnostic naming expected and got, exit 1
failing = write("fail.yaml", POLICY + """\
cases:
  - name: wrong reason
    request:
      headers: {Origin: "https://evil.example"}
    expect: {allowed: true, reason: allowed}
  - name: wrong header value
    request:
      headers: {Origin: "https://app.example"}
    expect:
      headers: {Access-Control-Allow-Origin: "*", X-Missing: "1"}
      absent: [Access-Control-Allow-Credentials]
  - name: browser expectations
    fetch: {origin: "https://app.example", method: DELETE}
    expect: {ok: true, step: none, readable: [X-Nope]}
  - name: still fine
    request:
      headers: {Origin: "https://app.example"}
    expect: {allowed: true}
  - name: the response as the browser sees it
    fetch: {origin: "https://app.example"}
    response:
      status: 201
      headers: {Vary: Accept-Encoding, Access-Control-Allow-Origin: "*", X-Own: "1"}
    expect: {readable: [X-Own]}
""")
rc, out, err = run("--test", failing)
check("failing file: exit 1", rc == 1, f"rc={rc}")
check("failing file: five points, four not ok",
      re.findall(r"^(not ok|ok) (\d+)", out, re.M) ==
      [("not ok", "1"), ("not ok", "2"), ("not ok", "3"), ("ok", "4"), ("not ok", "5")], out)
# the handler's headers with libcors' operations applied: its own
# Access-Control-Allow-Origin removed, libcors' set, Vary merged
resp5 = out.split("not ok 5")[1]
check("handler response: status, own header kept, Vary merged, own ACAO replaced",
      "#   actual response: status 201\n" in resp5 and "#     X-Own: 1\n" in resp5 and
      "#     Vary: Accept-Encoding, Origin\n" in resp5 and
      "#     Access-Control-Allow-Origin: https://app.example\n" in resp5 and
      "Access-Control-Allow-Origin: *" not in resp5, resp5)
check("readable of an unexposed handler header", "#   readable: the script cannot read X-Own" in resp5,
      resp5)
check("diagnostic: allowed", '#   allowed: expected true, got false' in out, out)
check("diagnostic: reason", '#   reason: expected "allowed", got "origin-not-allowed"' in out, out)
check("diagnostic: header value",
      '#   header Access-Control-Allow-Origin: expected "*", got "https://app.example"' in out, out)
check("diagnostic: header absent", '#   header X-Missing: expected "1", absent' in out, out)
check("diagnostic: header present",
      '#   header Access-Control-Allow-Credentials: expected absent, got "true"' in out, out)
check("diagnostic: the response is shown", "#   response: status 0" in out and
      "#     Vary: Origin" in out, out)
check("diagnostic: browser step and reason",
      '#   step: expected "none", got "preflight"' in out and
      "#   browser: step preflight, reason method-not-allowed, about DELETE" in out, out)
check("diagnostic: readable of a refused request",
      "#   readable: the script cannot read X-Nope" in out, out)
check("summary line", "# 4 of 5 cases failed" in out, out)

# 3. malformed test files: exit 2, FILE:LINE:COL, nothing on stdout
bad = [
    ("unknown top key", "policy: x.yaml\ncases: []\nextra: 1\n", r":3:1: error: unknown key 'extra'"),
    ("cases not a list", "policy: x.yaml\ncases: 3\n", r":2:8: error: cases must be a list"),
    ("no policy", "cases: []\n", r"error: policy is required"),
    ("request and fetch", POLICY + "cases:\n  - name: x\n    request: {}\n    fetch: {origin: a}\n"
     "    expect: {}\n", r":8:5: error: a case has either request or fetch"),
    ("unknown expectation", POLICY + "cases:\n  - name: x\n    request: {}\n"
     "    expect: {allow: true}\n", r":10:14: error: unknown key 'allow' in expect"),
    ("bad bool", POLICY + "cases:\n  - name: x\n    request: {}\n    expect: {allowed: yes}\n",
     r":10:23: error: allowed must be true or false"),
    ("bad credentials", POLICY + "cases:\n  - name: x\n    fetch: {origin: a, credentials: all}\n"
     "    expect: {}\n", r":9:37: error: fetch.credentials must be omit, same-origin or include"),
    ("YAML syntax", "policy: [\n", r":2:1: error: "),
    ("empty file", "", r"error: the file is empty"),
]
for name, text, pattern in bad:
    rc, out, err = run("--test", write("bad.yaml", text))
    check(f"malformed ({name}): exit 2, nothing on stdout", rc == 2 and out == "",
          f"rc={rc}\n{out}{err}")
    check(f"malformed ({name}): position and message", re.search(pattern, err) is not None, err)

rc, out, err = run("--test", os.path.join(tmp, "missing.yaml"))
check("unreadable test file: exit 2", rc == 2 and "cannot read" in err, err)

# 4. an invalid inline policy: its diagnostics point into the test file
rc, out, err = run("--test", write("badpolicy.yaml", """\
cases: []
policy:
  allowOrigins: ["https://ok.example", "ftp//bad"]
"""))
check("invalid inline policy: exit 1, Bail out!", rc == 1 and "Bail out!" in out, out + err)
check("invalid inline policy: diagnostic at its line in the test file",
      re.search(r"badpolicy\.yaml:3:\d+: error: origin-malformed", err) is not None, err)

# 5. a policy by path is relative to the test file; strict mode
write("p.yaml", POLICY.replace("policy:\n", "").replace("\n  ", "\n").lstrip())
rel = write("rel.yaml", "policy: p.yaml\ncases:\n  - name: a\n    request: {headers: {Origin: "
            "\"https://app.example\"}}\n    expect: {allowed: true}\n")
rc, out, err = run("--test", rel)
check("policy path relative to the test file", rc == 0 and "ok 1 - a" in out, out + err)
rc, out, err = run("--test", write("strict.yaml", """\
policy:
  allowOrigins: ["https://app.example"]
  allowHeaders: [Origin]
strict: true
cases: []
"""))
check("strict: true turns warnings into errors", rc == 1 and "header-forbidden" in err, out + err)

# 6. the shipped examples pass (also run one by one by meson)
ex = os.path.join(os.path.dirname(DATA.rstrip("/")), "..", "examples", "policy-tests")
for f in sorted(os.listdir(ex)):
    if f.endswith(".test.yaml"):
        rc, out, err = run("--test", os.path.join(ex, f))
        check(f"example {f} passes", rc == 0 and "not ok" not in out, out + err)

# 7. usage errors
for args, msg in ((["--test"], "--test needs"), (["--test", passing, "--json"], "no --json"),
                  (["--test", passing, "--policy", passing], "takes no --policy")):
    rc, out, err = run(*args)
    check("usage: " + " ".join(a if a != passing else "FILE" for a in args),
          rc == 2 and msg in err, err)

sys.exit(finish())
