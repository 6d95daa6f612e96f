#!/usr/bin/env bash
# Measures the line/region coverage of lib/ reached by the fuzz corpora (not a
# CI step). Builds each target with clang source-based coverage, replays
# CORPUS_ROOT/<target>/ (default tests/fuzz/corpus) once, and prints
# llvm-cov's report for lib/*.c. Needs a configured build-fuzz/ (for config.h;
# tools/ci.d/30-fuzz.sh makes it).
#   bash tests/fuzz/coverage.sh [CORPUS_ROOT]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=${1:-tests/fuzz/corpus}
[ -f build-fuzz/config.h ] || { echo "configure build-fuzz first (tools/ci.d/30-fuzz.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deps=$(pkg-config --cflags --libs libpcre2-8 yaml-0.1 libidn2 libpsl 2>/dev/null || pkg-config --cflags --libs libpcre2-8)
flags=(-std=c11 -O1 -g -fprofile-instr-generate -fcoverage-mapping -fsanitize=fuzzer
       -Iinclude -Ilib -Ibuild-fuzz)
profiles=()
objects=()
for t in origin pattern list evaluate text fetch; do
    [ -d "$root/$t" ] || continue
    if [ "$t" = text ] && ! grep -q 'HAVE_YAML 1' build-fuzz/config.h; then continue; fi
    clang "${flags[@]}" -o "$work/fuzz-$t" "tests/fuzz/fuzz_$t.c" lib/*.c $deps -lpthread
    LLVM_PROFILE_FILE="$work/$t.profraw" "$work/fuzz-$t" -runs=0 -artifact_prefix="$work/" "$root/$t" > "$work/$t.log" 2>&1
    profiles+=("$work/$t.profraw")
    objects+=(-object "$work/fuzz-$t")
done
llvm-profdata merge -sparse "${profiles[@]}" -o "$work/all.profdata"
# the first object is positional, the others follow -object
first=${objects[1]}
llvm-cov report "$first" "${objects[@]:2}" -instr-profile="$work/all.profdata" lib/*.c
