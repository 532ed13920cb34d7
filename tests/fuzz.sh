#!/usr/bin/env bash
# Fuzzing for SECONDS: the property-test generators of the integration tests
# (tests/integration/fuzz_inputs.rs: xlsx XML and zip mutants, exact xlsx
# numbers, inventory.toml and mapping grammars, the CSV seed corpus in both
# reading modes; fuzz.rs: generated CSV files in both reading modes;
# parsers.rs: numbers and units), run round after round with fresh random
# seeds until the time is up.
#
#   tests/fuzz.sh SECONDS [ROUND_SECONDS]       e.g. nice -n 10 tests/fuzz.sh 3600
#
# The integration tests are built once in release. Each round runs one
# target with a new seed (PROPTEST_RNG_SEED) and a number of cases
# (AIRINV_FUZZ_CASES) sized to take about ROUND_SECONDS (default 60).
# A failing case is shrunk by proptest and its seed saved in
# tests/proptest-regressions/<file>.txt, where every later `cargo test`
# replays it first (commit that file with the fix). A round that dies (an
# abort) or hangs (no end in 5 rounds' time) saves no seed: its seed and
# case count are printed, to replay it with the command shown. The output of
# every failing round is kept in target/fuzz/. A target that failed is not
# run again in this session.
#
# At the end, per target: the cases run, the cases per minute and failures.
# Exit status: 0 when nothing failed, 1 otherwise, 2 on a usage or build error.
set -u

usage() {
    echo "usage: tests/fuzz.sh SECONDS [ROUND_SECONDS]" >&2
    exit 2
}
[[ $# -ge 1 && $# -le 2 ]] || usage
[[ $1 =~ ^[0-9]+$ ]] || usage
total=$1
round=${2:-60}
[[ $round =~ ^[1-9][0-9]*$ ]] || usage

cd "$(dirname "$0")/.." || exit 2
logs=target/fuzz
mkdir -p "$logs"

echo "building the integration tests (release)..."
build=$(cargo test --release --test integration --no-run 2>&1) || {
    echo "$build" >&2
    exit 2
}
bin=$(echo "$build" | grep -o 'target/release/deps/integration-[0-9a-f]*' | tail -n 1)
[[ -n $bin && -x $bin ]] || {
    echo "cannot find the integration test binary in:" >&2
    echo "$build" >&2
    exit 2
}

# The fuzz targets: every property test of fuzz_inputs.rs and parsers.rs,
# and fuzz.rs's differential test of the two reading modes.
mapfile -t targets < <("$bin" --list 2>/dev/null | sed -n 's/: test$//p' |
    grep -E '^(fuzz_inputs::fuzz_|fuzz::both_reading_modes|parsers::)' |
    grep -v '^parsers::units_of_statistics')
[[ ${#targets[@]} -gt 0 ]] || {
    echo "no fuzz targets found in $bin" >&2
    exit 2
}
echo "${#targets[@]} targets, ${total} s, rounds of about ${round} s"

declare -A cases ran_seconds failed next
for t in "${targets[@]}"; do
    cases[$t]=0
    ran_seconds[$t]=0
    failed[$t]=""
    next[$t]=64
done

seed() { od -An -N8 -tu8 /dev/urandom | tr -d ' '; }

# Per target: the cases run, the cases per minute and the result.
summary() {
    echo
    echo "fuzzing for $(($(date +%s) - start)) s:"
    printf '%-86s %12s %12s  %s\n' target cases cases/min result
    status=0
    for t in "${targets[@]}"; do
        secs=${ran_seconds[$t]}
        rate=0
        ((secs > 0)) && rate=$((cases[$t] * 60000 / secs))
        result=ok
        if [[ -n ${failed[$t]} ]]; then
            result="FAILED: ${failed[$t]}"
            status=1
        fi
        printf '%-86s %12d %12d  %s\n' "$t" "${cases[$t]}" "$rate" "$result"
    done
    return $status
}

start=$(date +%s)
end=$((start + total))
# Stopped early (Ctrl-C, kill): the rounds done so far are still reported.
trap 'summary; exit 130' INT TERM
while :; do
    progressed=0
    for t in "${targets[@]}"; do
        now=$(date +%s)
        ((now < end)) || break 2
        [[ -z ${failed[$t]} ]] || continue
        progressed=1
        n=${next[$t]}
        s=$(seed)
        log="$logs/$(echo "$t" | tr ':' '_')-$s.log"
        t0=$(date +%s%N)
        PROPTEST_RNG_SEED=$s AIRINV_FUZZ_CASES=$n \
            timeout $((5 * round + 60)) "$bin" --exact "$t" --test-threads 1 >"$log" 2>&1
        rc=$?
        t1=$(date +%s%N)
        ms=$(((t1 - t0) / 1000000))
        if [[ $rc -eq 0 ]]; then
            rm -f "$log"
            cases[$t]=$((cases[$t] + n))
            ran_seconds[$t]=$((ran_seconds[$t] + ms))
            # The next round: about $round seconds at the rate just seen.
            ((ms > 0)) || ms=1
            n=$((n * round * 1000 / ms))
            ((n < 16)) && n=16
            ((n > 16 * next[$t] + 16)) && n=$((16 * next[$t] + 16))
            next[$t]=$n
        else
            case $rc in
            124) why="hang: no result in $((5 * round + 60)) s" ;;
            101) why="failed (the case is saved in tests/proptest-regressions/)" ;;
            *) why="died with status $rc (no seed saved)" ;;
            esac
            failed[$t]="$why; replay: PROPTEST_RNG_SEED=$s AIRINV_FUZZ_CASES=$n $bin --exact $t; log: $log"
            echo "FAILURE $t: ${failed[$t]}"
            grep -a -E 'Test failed|minimal failing input|panicked|memory allocation' "$log" | head -n 5 | sed 's/^/    /'
        fi
    done
    ((progressed)) || break
done

summary
exit $?
