#!/usr/bin/env python3
"""cors-eval --diff OLD NEW (suite 'cli').

Usage: test-policy-diff.py CORS_EVAL EXAMPLES_DIR

Checks the field diff, the probe verdicts (a browser's fetch() against each
policy), the JSON form and the exit status: 0 when NEW admits nothing new,
1 when it does, 2 on usage errors and unreadable or invalid policies.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from tap import check, finish, runner, tmpdir  # noqa: E402  (tests/common/tap.py)

run = runner(sys.argv[1])  # cors-eval
EXAMPLES = sys.argv[2]
tmp = tmpdir("cors-eval-diff-")


def policy(name, **fields):
    """A bare JSON policy with defaults: one origin, GET/POST, X-Token."""
    body = {"allowOrigins": ["https://a.example"], "allowMethods": ["GET", "POST"],
            "allowHeaders": ["x-token"], "exposeHeaders": ["x-request-id"]}
    body.update(fields)
    path = os.path.join(tmp, name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(body, f)
    return path


base = policy("base")

# 1. identical policies
rc, out, err = run("--diff", base, base)
check("same policy: exit 0", rc == 0, f"rc={rc}\n{out}{err}")
check("same policy: no field change, no verdict change",
      "  (no change)\n" in out and "  (no verdict changes)\n" in out and
      "NEW admits nothing OLD did not" in out, out)

# 2. an origin added: field and probe, exit 1; removed: exit 0
wider = policy("wider", allowOrigins=["https://a.example", "https://b.example"])
rc, out, err = run("--diff", base, wider)
check("origin added: exit 1", rc == 1, f"rc={rc}\n{out}{err}")
check("origin added: field line", "  allowOrigins:\n    + https://b.example\n" in out, out)
check("origin added: probe newly allowed",
      "  + GET https://b.example: allow-origin-missing -> allowed\n" in out, out)
check("origin added: neighbours stay refused (no line for http://b.example)",
      "http://b.example:" not in out and "b.example.evil.example" not in out, out)
rc, out, err = run("--diff", wider, base)
check("origin removed: exit 0", rc == 0, f"rc={rc}\n{out}{err}")
check("origin removed: field and probe lines",
      "    - https://b.example\n" in out and
      "  - GET https://b.example: allowed -> allow-origin-missing\n" in out, out)

# 3. credentials turned on
cred = policy("cred", allowCredentials=True)
rc, out, err = run("--diff", base, cred)
check("credentials on: exit 1", rc == 1, f"rc={rc}")
check("credentials on: field widens", "  allowCredentials: false -> true  (widens)\n" in out, out)
check("credentials on: credentialed fetch newly allowed",
      "  + GET https://a.example (credentials): allow-credentials-not-true -> allowed\n" in out, out)

# 4. a wildcard: subdomains admitted, apex and look-alikes not
wild = policy("wild", allowOrigins=["https://a.example", "https://*.example.com"])
rc, out, err = run("--diff", base, wild)
check("wildcard: subdomain probe admitted",
      "  + GET https://probe.example.com: allow-origin-missing -> allowed\n" in out and
      "  + GET https://a.b.example.com: allow-origin-missing -> allowed\n" in out, out)
check("wildcard: apex and look-alike unchanged",
      "https://example.com:" not in out and "example.com.evil.example" not in out, out)

# 5. a method and a header
more = policy("more", allowMethods=["GET", "POST", "PUT"], allowHeaders=["x-token", "x-other"])
rc, out, err = run("--diff", base, more)
check("method added: PUT newly allowed",
      "  + PUT https://a.example: method-not-allowed -> allowed\n" in out, out)
check("header added: x-other newly allowed",
      "  + GET https://a.example with x-other: header-not-allowed -> allowed\n" in out, out)

# 6. exposed headers: what the script can read
exp = policy("exp", exposeHeaders=["x-request-id", "x-total"])
rc, out, err = run("--diff", base, exp)
check("expose added: exit 1 and a read line", rc == 1 and
      "  + GET https://a.example: the script can now read x-total\n" in out, out)

# 7. maxAge: longer widens, shorter does not
long_age = policy("long", maxAge=600)
short_age = policy("short", maxAge=60)
rc, out, err = run("--diff", short_age, long_age)
check("maxAge up widens", rc == 1 and "  maxAge: 60 -> 600  (widens)\n" in out, out)
rc, out, err = run("--diff", long_age, short_age)
check("maxAge down does not", rc == 0 and "  maxAge: 600 -> 60\n" in out, out)

# 8. JSON
rc, out, err = run("--diff", base, wider, "--json")
try:
    doc = json.loads(out)
except ValueError as e:
    doc = None
    check("JSON parses", False, f"{e}\n{out}")
if doc is not None:
    check("JSON: keys", set(doc) == {"old", "new", "fields", "probes", "probeCount", "admitted",
                                    "refused", "admitsNew"}, sorted(doc))
    check("JSON: field diff", doc["fields"].get("allowOrigins") ==
          {"added": ["https://b.example"], "removed": []}, doc["fields"])
    check("JSON: admitsNew and counts", doc["admitsNew"] is True and doc["admitted"] >= 1 and
          doc["refused"] == 0 and doc["probeCount"] > 0, doc)
    check("JSON: a probe entry",
          {"change": "admitted", "method": "GET", "origin": "https://b.example", "header": None,
           "credentials": False, "old": "allow-origin-missing", "new": "ok"} in doc["probes"],
          doc["probes"][:3])
    check("JSON: exit 1", rc == 1, rc)
rc, out, err = run("--json", "--diff", base, base)
doc = json.loads(out) if rc == 0 else None
check("JSON, no change: admitsNew false, exit 0",
      doc is not None and doc["admitsNew"] is False and doc["fields"] == {} and
      doc["probes"] == [], out)

# 8b. large policies: probes are capped, but the origins only one side lists
# come first, so a change is never hidden by the cap
big_old = policy("bigold", allowOrigins=["https://o%d.example" % i for i in range(3000)])
big_new = policy("bignew", allowOrigins=["https://o%d.example" % i for i in range(1, 3001)])
rc, out, err = run("--diff", big_old, big_new)
check("large policies: capped, the changed origins still probed", rc == 1 and
      "(probe lists capped at 256 entries each)" in out and
      "  + GET https://o3000.example: allow-origin-missing -> allowed\n" in out and
      "  - GET https://o0.example: allowed -> allow-origin-missing\n" in out, out[-600:])

# 9. the guide's two policies
route = os.path.join(EXAMPLES, "guide-httproute.yaml")
gw = os.path.join(EXAMPLES, "guide-agentgatewaypolicy.yaml")
rc, out, err = run("--diff", route, gw)
check("guide: the gateway policy admits Authorization the route did not", rc == 1 and
      "  + GET https://example.com with authorization: header-not-allowed -> allowed\n" in out, out)

# 10. errors
bad = os.path.join(tmp, "bad.json")
with open(bad, "w", encoding="utf-8") as f:
    f.write('{"allowOrigins": ["ftp//x"]}')
for args, what in (([base, bad], "invalid NEW"), ([os.path.join(tmp, "none.json"), base],
                                                   "unreadable OLD")):
    rc, out, err = run("--diff", *args)
    check(f"{what}: exit 2", rc == 2 and out == "", f"rc={rc}\n{out}{err}")
for args, msg in ((["--diff", base], "--diff needs two policy files"),
                  (["--diff", base, base, base], "unexpected argument"),
                  (["--diff", base, base, "-X", "PUT"], "takes no"),
                  ([base], "unexpected argument")):
    rc, out, err = run(*args)
    check("usage: " + " ".join(os.path.basename(a) for a in args), rc == 2 and msg in err, err)

sys.exit(finish())
