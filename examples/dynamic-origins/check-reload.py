"""Runs examples/dynamic-origins as an operator would (test
'example-dynamic-origins', suite 'unit'): a tenant origin is refused, the
tenants file gains it, SIGHUP, and it is allowed by the predicate; a broken
tenants file keeps the old tenants."""
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

# a cross build runs it through the exe wrapper (qemu-user-static), which meson test
# passes on as MESON_EXE_WRAPPER (binfmt_misc is not there in every container)
exe = shlex.split(os.environ.get("MESON_EXE_WRAPPER", "")) + [sys.argv[1]]
failures = []
passed = 0


def check(name, cond, detail=""):
    global passed
    passed += bool(cond)
    print(("ok - " if cond else "not ok - ") + name)
    if not cond:
        failures.append(name)
        print("# " + str(detail))


with tempfile.TemporaryDirectory() as d:
    policy = os.path.join(d, "policy.yaml")
    tenants = os.path.join(d, "tenants.txt")
    with open(policy, "w") as f:
        f.write('allowOrigins: ["https://app.example"]\nallowCredentials: true\n')
    with open(tenants, "w") as f:
        f.write("# tenants\nhttps://tenant-1.example\n")
    errlog = open(os.path.join(d, "stderr"), "w+")
    proc = subprocess.Popen([*exe, "--policy", policy, "--tenants", tenants],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errlog,
                            text=True)

    def wait_stderr(text, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            errlog.seek(0)
            if text in errlog.read():
                return True
            time.sleep(0.02)
        return False

    def ask(origin):
        proc.stdin.write(origin + "\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    try:
        check("starts", wait_stderr("ready"))
        r = ask("https://app.example")
        check("static entry", r["allowed"] and r["matchedBy"] == "allowOrigins[0]", r)
        r = ask("https://tenant-1.example")
        check("tenant allowed by the predicate",
              r["allowed"] and r["matchedBy"] == "originPredicate[0]", r)
        r = ask("https://tenant-2.example")
        check("unknown tenant refused", not r["allowed"] and r["reason"] == "origin-not-allowed", r)

        with open(tenants, "w") as f:
            f.write("https://tenant-1.example\nhttps://tenant-2.example  # new\n")
        proc.send_signal(signal.SIGHUP)
        check("reload reported", wait_stderr("2 tenant origins"))
        r = ask("https://tenant-2.example")
        check("new tenant allowed after SIGHUP", r["allowed"], r)

        with open(tenants, "w") as f:
            f.write("https://Tenant-3.example\n")
        proc.send_signal(signal.SIGHUP)
        check("broken file: line and canonical form named",
              wait_stderr("line 1: not in canonical form: browsers send https://tenant-3.example"))
        r = ask("https://tenant-2.example")
        check("broken file: the old tenants stay", r["allowed"], r)
        r = ask("null")
        check("null never reaches the predicate", not r["allowed"] and r["matchedBy"] is None, r)
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    check("exits 0", proc.returncode == 0, proc.returncode)

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
