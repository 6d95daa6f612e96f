#!/usr/bin/env bash
# Sanitizer and valgrind runs (hardening, issue 8):
#   1. build-asan/: ASan+UBSan build; the unit-level suites (unit, text, hostile)
#      and the thread stress test; any UBSan report is fatal.
#   2. build-tsan/: TSan build; the stress suite (8 evaluators, 10 000 policy swaps).
#   3. build/ (the normal build of tools/test.sh): unit, text and hostile suites under
#      valgrind memcheck (meson test setup "valgrind", tests/stress/meson.build).
# Every part runs even when an earlier one fails; the step fails if any did.
# Build dirs are kept for reuse; delete them for a clean run.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}

# The suites of a build dir among the wanted ones (a suite not built is not run).
suites_of() {
    local dir=$1; shift
    local listed args=()
    listed=$(meson test -C "$dir" --list 2>/dev/null || true)
    for s in "$@"; do
        if grep -Eq "^[^ ]*:([^ ]*\+)?$s(\+[^ ]*)? / " <<<"$listed"; then
            args+=(--suite "$s")
        fi
    done
    echo "${args[@]}"
}

setup() {
    local dir=$1; shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" -Dtests=enabled -Dyaml=enabled -Dexamples=false \
            -Dnginx=disabled -Dbrowser=disabled "$@"
    fi
    meson compile -C "$dir" -j 2
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

echo "--- ASan+UBSan build (build-asan)"
setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
read -r -a asan_suites <<<"$(suites_of build-asan unit text hostile stress)"
failed=()
meson test -C build-asan --print-errorlogs --num-processes 2 "${asan_suites[@]}" ||
    failed+=("ASan+UBSan")

echo "--- TSan build (build-tsan): stress suite"
setup build-tsan -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug
# TSan cannot map its shadow memory with the kernel's largest ASLR entropy:
# run without address randomisation when setarch allows it.
tsan_wrap=()
if setarch "$(uname -m)" -R true 2>/dev/null; then
    tsan_wrap=(setarch "$(uname -m)" -R)
fi
"${tsan_wrap[@]}" meson test -C build-tsan --print-errorlogs --suite stress ||
    failed+=("TSan stress")

echo "--- valgrind memcheck on $build: unit, text and hostile suites"
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Dtests=enabled -Dyaml=enabled
fi
meson compile -C "$build"
read -r -a vg_suites <<<"$(suites_of "$build" unit text hostile)"
meson test -C "$build" --setup valgrind --print-errorlogs --num-processes 2 "${vg_suites[@]}" ||
    failed+=("valgrind")
if [ ${#failed[@]} -gt 0 ]; then
    echo "sanitizer/valgrind runs FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "sanitizers and valgrind: all green"
