#!/usr/bin/env bash
# Builds the libFuzzer harness (Sources/Fuzz) with the fuzzer and address sanitizers and runs each
# target for FUZZ_SECONDS (docs/security.md#fuzzing). Every target starts from its committed seeds in
# Fuzz/corpus/<target>/, copied to a temporary directory so what the fuzzer adds does not land in the
# repository. A crashing input is saved as Fuzz/crashes/<target>-crash-<sha1>; the script fails if any
# target crashed, after running them all.
#
#   FUZZ_SECONDS=60 scripts/fuzz.sh                  # every target
#   FUZZ_TARGETS="json form" scripts/fuzz.sh         # some of them
#   CRAFTKIT_FUZZ_TARGET=json .build/fuzz/debug/Fuzz Fuzz/crashes/json-crash-…   # replay one input
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-json form multipart document image stamp}
# Its own build directory: sanitizer objects must not mix with the ordinary build in .build. `nice`,
# since the fuzzer takes a whole core for the duration.
BUILD=(nice -n 10 "$SWIFT" build --scratch-path .build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DCRAFTKIT_FUZZ)

# Filtered: the sanitizer link and some dependencies repeat the same warnings hundreds of times.
"${BUILD[@]}" --product Fuzz 2>&1 | grep -v -e "warning: Cannot export local symbol" -e "^warning: prohibited flag" \
    -e "which are unhandled; explicitly declare" -e "/CMakeLists.txt$" || true
BIN="$("${BUILD[@]}" --show-bin-path)/Fuzz"
[ -x "$BIN" ] || { echo "fuzz build failed" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p Fuzz/crashes
failed=()
summary=()
for target in $TARGETS; do
    [ -d "Fuzz/corpus/$target" ] || { echo "no seeds for target $target" >&2; exit 2; }
    corpus="$WORK/$target"
    mkdir -p "$corpus"
    cp -R "Fuzz/corpus/$target/." "$corpus/"
    seeds=$(find "$corpus" -type f | wc -l)
    dict=()
    case $target in json | form | document) dict=(-dict=Fuzz/json.dict) ;; esac
    log="$WORK/$target.log"
    echo "== fuzz $target for ${SECONDS_PER_TARGET}s"
    # Swift's own crash handler would print a backtrace and pause before libFuzzer saves the input.
    status=0
    started=$(date +%s)
    CRAFTKIT_FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp" nice -n 10 "$BIN" "${dict[@]}" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="Fuzz/crashes/$target-" "$corpus" >"$log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - started))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    files=$(find "$corpus" -type f | wc -l)
    bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    result=ok
    if [ "$status" -ne 0 ]; then
        result="CRASH (exit $status)"
        failed+=("$target")
        grep -E "^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*precondition failed|artifact_prefix)" "$log" | head -8 || true
        tail -n 40 "$log" >"Fuzz/crashes/$target.log"
    fi
    summary+=("$(printf '%-10s %4ss %10s execs %7s/s  corpus %3s -> %5s files (%s bytes)  %s' \
        "$target" "$elapsed" "${runs:-?}" "${rate:-?}" "$seeds" "$files" "$bytes" "$result")")
done
rmdir Fuzz/crashes 2>/dev/null || true

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "crashing inputs and logs in Fuzz/crashes/ (targets: ${failed[*]})" >&2
    exit 1
fi
