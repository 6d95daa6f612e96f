#!/usr/bin/env bash
# CI step for the demo server: runs the README's quick-start command 1
# (tools/demo.sh) as written and checks that what it prints matches the output
# shown in examples/demo-server/README.md (and in the top-level README.md when
# it carries the same block), the port number aside.
#
#   tools/ci.d/40-demo.sh            check
#   tools/ci.d/40-demo.sh --update   rewrite the blocks with a fresh run's output
#
# The block sits between the lines <!-- demo-output:begin --> and
# <!-- demo-output:end -->, inside a ```text fence.
set -euo pipefail
cd "$(dirname "$0")/../.."

update=false
if [ "${1:-}" = "--update" ]; then update=true; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cors-demo-ci.XXXXXX")
trap 'rm -rf "$work"' EXIT

normalize() { sed -E 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g'; }

# The block between the markers, without its ``` fence lines.
expected_block() {
    awk '/<!-- demo-output:begin -->/{on=1; next} /<!-- demo-output:end -->/{on=0} on' "$1" \
        | sed '/^```/d'
}

# Replaces the block in $1 with the fenced content of $2.
replace_block() {
    awk -v out="$2" '
        /<!-- demo-output:begin -->/ {
            print; print "```text"
            while ((getline line < out) > 0) print line
            print "```"; skip = 1; next
        }
        /<!-- demo-output:end -->/ { skip = 0 }
        !skip' "$1" >"$work/readme.new"
    cat "$work/readme.new" >"$1"
}

bash tools/demo.sh >"$work/out.txt" 2>&1 || { cat "$work/out.txt"; echo "tools/demo.sh failed" >&2; exit 1; }
normalize <"$work/out.txt" >"$work/actual.txt"

checked=0
for readme in examples/demo-server/README.md README.md; do
    [ -f "$readme" ] || continue
    grep -q '<!-- demo-output:begin -->' "$readme" || continue
    if $update; then
        replace_block "$readme" "$work/out.txt"
        echo "updated the demo output in $readme"
    else
        expected_block "$readme" | normalize >"$work/expected.txt"
        if ! diff -u "$work/expected.txt" "$work/actual.txt"; then
            echo "tools/demo.sh output differs from the block in $readme" >&2
            echo "(after a deliberate change: tools/ci.d/40-demo.sh --update)" >&2
            exit 1
        fi
        echo "tools/demo.sh output matches $readme"
    fi
    checked=$((checked + 1))
done
if [ "$checked" = 0 ]; then
    echo "no demo-output block found in examples/demo-server/README.md" >&2
    exit 1
fi
