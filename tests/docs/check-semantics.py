#!/usr/bin/env python3
"""docs/semantics.md names every diagnostic code and every reason of the library
(test 'docs-semantics', suite 'docs'): the names are read from lib/diag.c's tables,
which cors_diag_code_name() and cors_reason_name() return, and each must appear in
backquotes in the specification. Also: no file of the repository may cite a design
document that is not in it ("DESIGN §n").

usage: check-semantics.py SOURCE_ROOT
"""
import os
import re
import subprocess
import sys

root = sys.argv[1]
diag = open(os.path.join(root, "lib", "diag.c")).read()
spec = open(os.path.join(root, "docs", "semantics.md")).read()


def names(list_macro):
    block = re.search(r"#define %s\(X\)(.*?)\n\n" % list_macro, diag, re.S).group(1)
    return re.findall(r'X\(\s*CORS_\w+,\s*"([^"]*)"', block)


failures = []
count = 0
for macro in ("DIAG_LIST", "REASON_LIST"):
    found = names(macro)
    if len(found) < 10:
        failures.append("lib/diag.c: %s: only %d names read" % (macro, len(found)))
    for name in found:
        count += 1
        if "`%s`" % name not in spec:
            failures.append("docs/semantics.md does not name %s `%s`" % (macro, name))

# every "semantics.md §N" citation names a section that exists
sections = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", spec, re.M))
cited = set()
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if not d.startswith(("build", ".git", "node_modules", "obj-"))]
    for f in filenames:
        if not f.endswith((".c", ".h", ".md", ".py", ".js", ".yaml", ".build", ".sh", ".txt")):
            continue
        path = os.path.join(dirpath, f)
        try:
            text = open(path, encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        rel = os.path.relpath(path, root)
        if re.search(r"DESIGN(\.md)? ?§", text) and rel != os.path.relpath(__file__, root):
            failures.append("%s cites DESIGN §n, which is not in the repository" % rel)
        for m in re.finditer(r"semantics\.md §(\d+(?:\.\d+)?)(?:-§(\d+(?:\.\d+)?))?", text):
            for sec in m.groups():
                if sec:
                    cited.add(sec)
                    if sec not in sections:
                        failures.append("%s cites semantics.md §%s, which does not exist" % (rel, sec))

for f in failures:
    print("FAIL: " + f)
print("%d names checked, %d section citations, %d failures" % (count, len(cited), len(failures)))
sys.exit(1 if failures else 0)
