#!/usr/bin/env python3
"""Writes the Debian symbols file of the shared library from its version script.

usage: debian-symbols.py lib/libcors.sym meson.build > debian/libcors0.2.symbols

Every global symbol of node CORS_X.Y becomes `name@CORS_X.Y VERSION`, and each node
itself `CORS_X.Y@CORS_X.Y VERSION`. VERSION is the first release that has the symbol
in this SONAME: the node's release X.Y.0, but not below the release that started the
SONAME (before 1.0 every minor release is a new SONAME, libcors.so.0.MINOR, whose
package has every symbol from its first version on). dpkg-gensymbols then checks that
the library exports exactly these.
"""
import re
import sys


def project_version(meson_build):
    m = re.search(r"version:\s*'(\d+)\.(\d+)\.(\d+)'", open(meson_build).read())
    if not m:
        sys.exit("debian-symbols: no version: '...' in " + meson_build)
    return tuple(int(x) for x in m.groups())


def nodes(map_path):
    text = re.sub(r"/\*.*?\*/", "", open(map_path).read(), flags=re.S)
    for m in re.finditer(r"([\w.]+)\s*\{(.*?)\}", text, flags=re.S):
        name, body = m.groups()
        globals_ = body.split("local:")[0].replace("global:", "")
        yield name, [s.strip() for s in globals_.split(";") if s.strip()]


def main():
    map_path, meson_build = sys.argv[1:3]
    major, minor, _ = project_version(meson_build)
    soversion = "%d" % major if major > 0 else "0.%d" % minor
    first = (major, 0, 0) if major > 0 else (0, minor, 0)
    out = ["libcors.so.%s libcors%s #MINVER#" % (soversion, soversion),
           "* Build-Depends-Package: libcors-dev"]
    for node, symbols in nodes(map_path):
        m = re.fullmatch(r"CORS_(\d+)\.(\d+)", node)
        if not m:
            sys.exit("debian-symbols: unexpected version node " + node)
        since = max((int(m.group(1)), int(m.group(2)), 0), first)
        version = "%d.%d.%d" % since
        for symbol in [node] + sorted(symbols):
            out.append(" %s@%s %s" % (symbol, node, version))
    print("\n".join(out))


if __name__ == "__main__":
    main()
