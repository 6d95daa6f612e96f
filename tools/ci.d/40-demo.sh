#!/usr/bin/env bash
# CI step for the demo server: runs the README's quick-start command 1
# (tools/demo.sh) as written and checks that what it prints matches the output
# shown in examples/demo-server/README.md (and in the top-level README.md when
# it carries the same block), the port number aside.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d "${TMPDIR:-/tmp}/cors-demo-ci.XXXXXX")
trap 'rm -rf "$work"' EXIT

normalize() { sed -E 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g'; }

# The block between the markers, without its ``` fence lines.
expected_block() {
    awk '/<!-- demo-output:begin -->/{on=1; next} /<!-- demo-output:end -->/{on=0} on' "$1" \
        | sed '/^```/d'
}

bash tools/demo.sh >"$work/out.txt" 2>&1 || { cat "$work/out.txt"; echo "tools/demo.sh failed" >&2; exit 1; }
normalize <"$work/out.txt" >"$work/actual.txt"

checked=0
for readme in examples/demo-server/README.md README.md; do
    [ -f "$readme" ] || continue
    grep -q '<!-- demo-output:begin -->' "$readme" || continue
    expected_block "$readme" | normalize >"$work/expected.txt"
    if ! diff -u "$work/expected.txt" "$work/actual.txt"; then
        echo "tools/demo.sh output differs from the block in $readme" >&2
        exit 1
    fi
    echo "tools/demo.sh output matches $readme"
    checked=$((checked + 1))
done
if [ "$checked" = 0 ]; then
    echo "no demo-output block found in examples/demo-server/README.md" >&2
    exit 1
fi
