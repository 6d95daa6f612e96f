"""TAP output and program runs for the Python tests that meson runs with
protocol 'tap' (tests/cli): one copy of check(), the plan line, the exit
status, and of running the program under test.

    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "common"))
    from tap import check, finish, runner  # noqa: E402

    run = runner(sys.argv[1])
    rc, out, err = run("--check")
    check("exit 0", rc == 0, out + err)
    sys.exit(finish())
"""
import atexit
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

_count = 0
_failures = []


def runner(exe, timeout=60):
    """A function run(*args, stdin=None) that runs the program exe with args
    and stdin (bytes or None) and returns (exit status, stdout, stderr), both
    decoded as UTF-8. A cross build runs exe through the exe wrapper
    (qemu-user-static), which meson test passes on as MESON_EXE_WRAPPER
    (binfmt_misc is not there in every container)."""
    cmd = shlex.split(os.environ.get("MESON_EXE_WRAPPER", "")) + [exe]

    def run(*args, stdin=None):
        p = subprocess.run([*cmd, *args], input=stdin, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")

    return run


def tmpdir(prefix):
    """A new temporary directory (its path), removed when the test exits."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


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
