#!/usr/bin/env bash
# Fuzzing (hardening, issue 8): builds the libFuzzer targets of tests/fuzz with
# clang (-Dfuzzing=true, own build dir build-fuzz/), replays the saved crash
# inputs of tests/fuzz/regressions/<target>/, then runs every target for
# FUZZ_SECONDS (default 60) on a temporary copy of its seed corpus, two at a
# time. Fails on any crash, leak, sanitizer report, timeout or invariant
# violation; the input that failed is printed (hex) and kept in
# build-fuzz/fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
dir=build-fuzz

if [ ! -f "$dir/build.ninja" ]; then
    CC=clang meson setup "$dir" -Dfuzzing=true -Dtests=enabled -Dyaml=enabled \
        -Dexamples=false -Dnginx=disabled -Dbrowser=disabled
fi
targets=()
known=$(ninja -C "$dir" -t targets all)
for src in tests/fuzz/fuzz_*.c; do
    t=$(basename "$src" .c)
    t=${t#fuzz_}
    # the text target exists only with libyaml
    if grep -q "^tests/fuzz/fuzz-$t: " <<<"$known"; then
        targets+=("$t")
    fi
done
echo "fuzz targets: ${targets[*]}"
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets configured" >&2; exit 1; }
ninja -C "$dir" -j 2 "${targets[@]/#/tests/fuzz/fuzz-}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=$dir/fuzz-artifacts
rm -rf "$artifacts"
mkdir -p "$artifacts"

# 1. saved crash inputs must not crash any more
for t in "${targets[@]}"; do
    saved=(tests/fuzz/regressions/$t/*)
    [ -e "${saved[0]}" ] || continue
    echo "--- fuzz-$t: replaying ${#saved[@]} saved input(s)"
    "$dir/tests/fuzz/fuzz-$t" -runs=1 "${saved[@]}" > "$work/replay-$t.log" 2>&1 || {
        grep -E "invariant|ERROR|SUMMARY|runtime error|^  " "$work/replay-$t.log" | head -20
        echo "fuzz-$t: a saved crash input still fails" >&2
        failed_replay=1
    }
done

# 2. fuzz each target
run_one() {
    local t=$1
    local corpus=$work/corpus-$t
    mkdir -p "$corpus"
    cp tests/fuzz/corpus/"$t"/* "$corpus"/
    "$dir/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
        "$corpus" > "$work/$t.log" 2>&1
}
export -f run_one
export dir work seconds artifacts
status=0
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'run_one {} || echo {} >> "$work/failed"' || true

echo "target      executions  exec/s  coverage(edges)  features  corpus"
for t in "${targets[@]}"; do
    log=$work/$t.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
    printf '%-10s %11s %7s %16s %9s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
done
if [ -f "$work/failed" ]; then
    while read -r t; do
        echo "=== fuzz-$t FAILED"
        grep -E "invariant|ERROR|SUMMARY|runtime error|^  |Test unit written" "$work/$t.log" | head -20
        for f in "$artifacts/$t-"*; do
            [ -e "$f" ] && { echo "input $f (first 128 bytes):"; head -c 128 "$f" | od -An -tx1; }
        done
    done < "$work/failed"
    status=1
fi
if [ -n "${failed_replay:-}" ]; then
    status=1
fi
[ $status -eq 0 ] && echo "fuzzing: no crash in ${#targets[@]} targets x ${seconds}s"
exit $status
