#!/usr/bin/env python3
"""Runs examples/minimal and checks that it prints the expected decisions and
headers (test 'example-minimal', suite 'unit')."""
import os
import shlex
import subprocess
import sys

# a cross build runs it through the exe wrapper (qemu-user-static), which meson test
# passes on as MESON_EXE_WRAPPER (binfmt_misc is not there in every container)
wrapper = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
out = subprocess.run(wrapper + [sys.argv[1]], capture_output=True, text=True, timeout=30)
if out.returncode != 0:
    print(out.stdout + out.stderr, file=sys.stderr)
    sys.exit("minimal exited with %d" % out.returncode)
if out.stderr:
    sys.exit("unexpected diagnostics: " + out.stderr)
lines = [line.rstrip() for line in out.stdout.splitlines()]
sections = {}
current = None
for line in lines:
    if line.startswith("== "):
        current = line[3:]
        sections[current] = []
    elif current is not None:
        sections[current].append(line.strip())

expected = {
    "preflight PUT from https://app.example.com": [
        "decision: preflight, reason: allowed, allowed: yes",
        "allowed by allowOrigins[0]: https://app.example.com",
        "answer now: status 200, empty body, with:",
        "[remove] Access-Control-*:",
        "[set] Access-Control-Allow-Origin: https://app.example.com",
        "[set] Access-Control-Allow-Methods: GET,PUT,DELETE",
        "[set] Access-Control-Allow-Headers: content-type,x-request-id",
        "[set] Access-Control-Max-Age: 600",
        "[set] Access-Control-Expose-Headers: x-request-id",
    ],
    "PUT from https://pr-42.preview.example.com": [
        "decision: actual, reason: allowed, allowed: yes",
        "allowed by allowOrigins[1]: https://*.preview.example.com",
        "run the handler, then apply:",
        "[remove] Access-Control-*:",
        "[set] Access-Control-Allow-Origin: https://pr-42.preview.example.com",
        "[set] Access-Control-Expose-Headers: x-request-id",
        "[merge] Vary: Origin",
    ],
    "GET from https://evil.example": [
        "decision: actual, reason: origin-not-allowed, allowed: no",
        "run the handler, then apply:",
        "[remove] Access-Control-*:",
        "[merge] Vary: Origin",
    ],
}
errors = []
for title, want in expected.items():
    got = sections.get(title)
    if got is None:
        errors.append("missing section: " + title)
        continue
    for line in want:
        if line not in got:
            errors.append("%s: missing line %r" % (title, line))
# the rejected request gets nothing but Vary
denied = sections.get("GET from https://evil.example", [])
if any(l.startswith("[set]") for l in denied):
    errors.append("the rejected request got Access-Control-* headers")
# the preflight's Vary lists the three request names
pre = " ".join(sections.get("preflight PUT from https://app.example.com", []))
for name in ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"):
    if name not in pre.split("Vary:", 1)[-1]:
        errors.append("preflight Vary lacks " + name)
if errors:
    print(out.stdout, file=sys.stderr)
    sys.exit("\n".join(errors))
print(out.stdout)
