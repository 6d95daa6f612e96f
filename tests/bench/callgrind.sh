#!/usr/bin/env bash
# Deterministic instructions per decision for every cors-bench scenario.
#
# For each scenario it runs `cors-bench --only NAME --iterations N` and then
# 2N under valgrind --tool=callgrind and prints (Ir(2N) - Ir(N)) / N: the
# setup (policy build, inputs, dynamic linking) is the same in both runs and
# cancels out, leaving the cost of one cors_evaluate() call plus the few
# instructions of the benchmark loop around it (about 6).
#
# usage: tests/bench/callgrind.sh [path/to/cors-bench] [N] [scenario...]
#   default binary: build/tests/bench/cors-bench; default N: 2000
#   or: ninja -C build bench-callgrind
set -euo pipefail

bench=${1:-build/tests/bench/cors-bench}
n=${2:-2000}
shift $(( $# > 2 ? 2 : $# ))

if ! command -v valgrind >/dev/null 2>&1; then
    echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 1
fi
if [ ! -x "$bench" ]; then
    echo "callgrind.sh: no executable $bench (build first: ninja -C build)" >&2
    exit 1
fi

if [ $# -gt 0 ]; then
    names=("$@")
else
    mapfile -t names < <("$bench" --list | cut -f1 | grep -v '^P$')
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Total Ir of one run.
ir() {
    local name=$1 iters=$2 out=$tmp/cg.out
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$bench" --only "$name" --iterations "$iters" >/dev/null 2>"$tmp/err" || {
        cat "$tmp/err" >&2
        return 1
    }
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

printf '%-14s %12s  (N=%s, callgrind, %s)\n' scenario "instr/op" "$n" "$(valgrind --version)"
for name in "${names[@]}"; do
    a=$(ir "$name" "$n")
    b=$(ir "$name" $((2 * n)))
    awk -v a="$a" -v b="$b" -v n="$n" -v s="$name" 'BEGIN { printf "%-14s %12.1f\n", s, (b - a) / n }'
done
