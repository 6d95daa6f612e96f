"""TAP output and command runs for the Python tests that meson runs with
protocol 'tap' (tests/cli): one copy of check(), the plan line and the exit
status.

    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "common"))
    import tap

    CORS_EVAL = tap.command(sys.argv[1])
    rc, out, err = tap.run(CORS_EVAL, "--check")
    tap.check("exit 0", rc == 0, out + err)
    sys.exit(tap.finish())
"""
import os
import shlex
import subprocess
import sys

_count = 0
_failures = []


def command(exe):
    """The argument list that runs the program exe: a cross build runs it
    through the exe wrapper (qemu-user-static), which meson test passes on as
    MESON_EXE_WRAPPER (binfmt_misc is not there in every container)."""
    return shlex.split(os.environ.get("MESON_EXE_WRAPPER", "")) + [exe]


def run(cmd, *args, stdin=None, timeout=60):
    """Runs cmd (a list, e.g. from command()) with args and stdin (bytes or
    None); returns (exit status, stdout, stderr), both decoded as UTF-8."""
    p = subprocess.run([*cmd, *args], input=stdin, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def check(name, cond, detail=""):
    """One test point: 'ok N - name', or 'not ok N - name' followed by
    detail as '# ' comment lines."""
    global _count
    _count += 1
    print(("ok" if cond else "not ok") + f" {_count} - {name}")
    if not cond:
        _failures.append(name)
        for line in str(detail).splitlines():
            print(f"# {line}")


def expect(name, got, want):
    """check() that got equals want, showing both when it does not."""
    check(name, got == want, f"got {got!r}\n  want {want!r}")


def finish():
    """Prints the plan line (1..N) and returns the exit status: 1 when a
    check failed (with a count on stderr), else 0."""
    print(f"1..{_count}")
    if _failures:
        print(f"# {len(_failures)} of {_count} checks failed", file=sys.stderr)
        return 1
    return 0
