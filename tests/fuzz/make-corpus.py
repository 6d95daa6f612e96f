#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into corpus/<target>/.

Run from anywhere: python3 tests/fuzz/make-corpus.py. The output is
committed; rerun after editing the seeds below. File names are a hash of the
content, as libFuzzer names its own finds.
"""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

ORIGINS = [
    b"https://example.com", b"http://localhost:8080", b"https://[::1]:8443",
    b"http://[2001:db8::1]", b"http://10.0.0.1", b"null", b"https://example.com.",
    b"chrome-extension://abcdef", b"https://a.b.example.com:8443", b"HTTPS://EXAMPLE.COM",
    b"https://example.com:443", b"http://010.0.0.1", b"https://ex\xc3\xa4mple.com",
    b"https://example.com/", b"https://user@example.com", b"https://exa mple.com",
    b"https://example.com\r\nX: y", b"http://[::ffff:10.0.0.1]", b"https://a..b",
    b"https://example.com:0", b"https://example.com:65536", b"ws://x:80", b"wss://x:444",
    b"http://1.2.3.4.5", b"http://0x7f.1", b"", b"*",
]
PATTERNS = ORIGINS + [
    b"*", b"null", b"NULL", b"https://*.example.com", b"http://localhost:*", b"https://*",
    b"https://*:*", b"https://*.*.example.com", b"https://a.*.example.com", b"*.example.com",
    b"https://Example.COM:443", b"https://b\xc3\xbccher.example", b"https://xn--bcher-kva.example",
    b"http://[0:0:0:0:0:0:0:1]:80", b"https://*.com", b"https://example.com:*8",
]
LISTS = [
    b"\x00x-a, content-type", b"\x03 , ,x-a,,\t,y", b"\x07a b", b"\x02x-a,\r\nx-b",
    b"\x05Origin, Accept-Encoding", b"\x01*", b"\x09\xc3\xa4", b"\x00",
    b"\x04a,b,c,d,e,f,g", b"\x06\"quoted\", x",
]


def s(v):
    """One length-prefixed string of the evaluate target's input."""
    if v is None:
        return b"\xfe"
    if len(v) >= 253:
        return b"\xff" + struct.pack("<H", len(v)) + v
    return bytes([len(v)]) + v


def req(policy, origins, method=None, acrm=None, lines=(), pna=None, mcode=None):
    flags = len(origins) & 3
    if mcode is None:
        mcode = {"OPTIONS": 0, "GET": 1, "POST": 3}.get(method, 2)
    flags |= mcode << 2
    if acrm is not None:
        flags |= 0x10
    if pna is not None:
        flags |= 0x20
    out = bytes([policy, flags, len(lines)])
    for o in origins:
        out += s(o)
    if mcode == 2:
        out += s(method.encode() if isinstance(method, str) else method)
    if acrm is not None:
        out += s(acrm)
    for l in lines:
        out += s(l)
    if pna is not None:
        out += s(pna)
    return out


EVALUATE = []
for p in range(6):
    EVALUATE += [
        req(p, [], "GET"),
        req(p, [b"https://app.example.com"], "GET"),
        req(p, [b"https://app.example.com"], "OPTIONS", b"PUT", [b"x-requested-with, content-type"]),
        req(p, [b"https://a.example.com"], "OPTIONS", b"DELETE", [b"x-a", b"x-b"], b"true"),
        req(p, [b"null"], "POST"),
        req(p, [b"null"], "OPTIONS", b"GET"),
        req(p, [b"https://exact.example.org"], "OPTIONS", b"PATCH", [b"x-a"]),
        req(p, [b"https://b.example.org"], "PUT"),
        req(p, [b"https://" + b"a" * 40 + b"!.slow.test"], "GET"),
        req(p, [b"https://app.example.com", b"https://evil.test"], "GET"),
        req(p, [b"http://localhost:3000"], "OPTIONS", b"X-CUSTOM", [b"a,b", b"", b" ,", b"c"]),
        req(p, [b"https://app.example.com"], "OPTIONS", b"", []),
        req(p, [b"https://app.example.com"], "OPTIONS", b"PU T", [b"x\r\n"]),
        req(p, [b"https://app.example.com\r\nSet-Cookie: a"], "GET"),
        req(p, [b"wss://x:1"], "OPTIONS", b"PUT", [b"l%d" % i for i in range(10)]),
        req(p, [b"x" * 5000], "GET"),
        req(p, [None], "GET"),
        req(p, [b"https://app.example.com"], "patch", b"PATCH"),
    ]

TEXT = [
    b'{"allowOrigins":["https://example.com"],"allowMethods":["GET","PUT"]}',
    b'allowOrigins: ["*"]\nexposeHeaders: ["x-a"]\n',
    b'cors:\n  allowOrigins:\n    - https://*.example.com\n    - "null"\n  allowCredentials: true\n  maxAge: 600\n',
    b'{"allowOriginRegex":["https://[a-z]+\\\\.example\\\\.org"],"allowHeaders":["*"],"reportOnly":true}',
    b'allowOrigins: [https://a.example]\nallowPrivateNetwork: true\npreflightStatus: 204\nrejectStatus: 200\nforwardRejectedPreflights: true\n',
    b'allowOrigins: [1, {a: b}]\nunknown: 3\nallowOrigins: []\n',
    b'&a [*a]',
    b'{"allowOrigins": ["https://example.com"',
]



def wild(*patterns):
    """The patterns of a wildset input: (scheme, kind, labels, trailing dot,
    port) with the indices of fuzz_wildset.c's tables."""
    out = bytes([(len(patterns) - 1) % 12])
    for scheme, kind, labels, dot, port in patterns:
        choice = 0
        for i, l in enumerate(labels):
            choice |= l << (4 * i)
        k = kind | ((len(labels) - 1) << 2) | (16 if dot else 0)
        out += bytes([scheme, k, choice & 0xFF, choice >> 8, port])
    return out


# fuzz_wildset.c: schemes https 0, http 1, wss 2; kinds any 0, exact 1,
# subdomain 2; labels a 0, b 1, example 2, com 3, localhost 9, org 8;
# ports none 0, ":*" 3, ":8080" 4
WILD_ORIGINS = (b"\nhttps://a.b.example.com\nhttps://example.com\nhttps://a.example.com."
                b"\nhttp://a.example.com\nhttp://localhost:3000\nhttps://a.example.com:8080"
                b"\nhttps://10.0.0.1\nhttps://b.example.com\nhttps://x.b.example.com:8443")
WILDSET = [
    wild((0, 2, [2, 3], False, 0)) + WILD_ORIGINS,
    wild((0, 2, [2, 3], False, 0), (1, 1, [9], False, 3)) + WILD_ORIGINS,
    wild((0, 2, [2, 3], False, 3), (0, 2, [1, 2, 3], False, 0)) + WILD_ORIGINS,
    wild((0, 0, [0], False, 0), (0, 1, [1, 2, 3], False, 3), (0, 2, [2, 3], True, 0),
         (1, 0, [0], False, 3)) + WILD_ORIGINS,
    wild(*[(i % 3, 2, [i % 16, 2, 3], False, i % 8) for i in range(10)]) + WILD_ORIGINS,
]


def write(target, items):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for item in items:
        name = hashlib.sha1(item).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(item)


def main():
    write("origin", ORIGINS)
    write("pattern", PATTERNS)
    write("list", LISTS)
    write("evaluate", EVALUATE)
    write("wildset", WILDSET)
    text = list(TEXT)
    data = os.path.join(HERE, "..", "data")
    if os.path.isdir(data):
        for n in sorted(os.listdir(data)):
            if n.endswith((".yaml", ".yml", ".json")):
                with open(os.path.join(data, n), "rb") as f:
                    text.append(f.read())
    write("text", text)


if __name__ == "__main__":
    main()
