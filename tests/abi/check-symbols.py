#!/usr/bin/env python3
"""Checks the exported ABI of the shared library.

- `nm -D --defined-only` lists only `cors_` symbols (plus the version node),
  each versioned (name@@NODE);
- the exported functions are exactly the ones in the linker map
  (lib/libcors.sym) and the functions declared in include/cors/cors.h
  (static inline helpers excepted);
- the SONAME is the expected one.

Usage: check-symbols.py LIBCORS_SO LIBCORS_SYM CORS_H EXPECTED_SONAME
"""
import re
import subprocess
import sys


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def exported(so):
    out = subprocess.run(["nm", "-D", "--defined-only", so], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2]
        if kind == "A":  # version definition, e.g. CORS_0.1
            continue
        syms[name] = kind
    return syms


def map_symbols(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"#[^\n]*", "", text)
    names = set()
    for block in re.finditer(r"global:(.*?)(?:local:|\})", text, flags=re.S):
        for item in block.group(1).split(";"):
            item = item.strip()
            if item:
                names.add(item)
    return names


def header_functions(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    # drop static inline definitions
    text = re.sub(r"static\s+inline[^{]*\{.*?\n\}", "", text, flags=re.S)
    text = re.sub(r"#define[^\n]*(\\\n[^\n]*)*", "", text)
    return set(re.findall(r"\b(cors_[a-z0-9_]+)\s*\(", text))


def main():
    so, sym, header, soname = sys.argv[1:5]
    syms = exported(so)
    if not syms:
        fail("no exported symbols in " + so)
    bad = sorted(n for n in syms if not n.split("@")[0].startswith("cors_"))
    if bad:
        fail("exported symbols without the cors_ prefix: " + ", ".join(bad))
    unversioned = sorted(n for n in syms if "@" not in n)
    if unversioned:
        fail("exported symbols without a version node: " + ", ".join(unversioned))
    funcs = {n.split("@")[0] for n, k in syms.items() if k in ("T", "W", "i")}
    others = {n.split("@")[0] for n, k in syms.items() if k not in ("T", "W", "i")}
    if others:
        fail("exported data symbols: " + ", ".join(sorted(others)))
    in_map = map_symbols(sym)
    in_header = header_functions(header)
    if funcs - in_map:
        fail("exported but not in %s: %s" % (sym, ", ".join(sorted(funcs - in_map))))
    if in_map - funcs:
        fail("in %s but not exported: %s" % (sym, ", ".join(sorted(in_map - funcs))))
    if in_header - funcs:
        fail("declared in cors.h but not exported: " + ", ".join(sorted(in_header - funcs)))
    if funcs - in_header:
        fail("exported but not declared in cors.h: " + ", ".join(sorted(funcs - in_header)))
    dyn = subprocess.run(["readelf", "-d", so], check=True, capture_output=True,
                         text=True).stdout
    m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", dyn)
    if not m:
        fail("no SONAME")
    if m.group(1) != soname:
        fail("SONAME %s, expected %s" % (m.group(1), soname))
    print("%d exported functions, all cors_, versioned, matching the map and the header; "
          "SONAME %s" % (len(funcs), soname))


if __name__ == "__main__":
    main()
