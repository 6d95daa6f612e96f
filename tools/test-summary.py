#!/usr/bin/env python3
"""Summarises a meson test log (testlog.json): one line per test program with the number
of checks it ran (Check's "Checks: N" line, or TAP subtests), then a closing line
"N passed, N failed" counting the individual checks."""
import json
import re
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs/testlog.json"
passed = failed = 0
for line in open(path, encoding="utf-8"):
    test = json.loads(line)
    out = test.get("stdout") or ""
    ok = test["result"] in ("OK", "EXPECTEDFAIL")
    m = re.findall(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)", out)
    tap_ok = len(re.findall(r"^ok \d+", out, re.M))
    tap_bad = len(re.findall(r"^not ok \d+", out, re.M))
    if m:
        n = sum(int(a) for a, _, _ in m)
        bad = sum(int(b) + int(c) for _, b, c in m)
    elif tap_ok or tap_bad:
        n, bad = tap_ok + tap_bad, tap_bad
    else:
        n, bad = 1, 0 if ok else 1
    if not ok and bad == 0:
        bad = 1
    passed += n - bad
    failed += bad
    print(f"  {test['name']:<48} {test['result']:<8} {n} checks")
print(f"{passed} passed, {failed} failed")
