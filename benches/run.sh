#!/usr/bin/env bash
# Side-by-side benchmark of airinv against its peers, in one run on this machine.
#
#   benches/run.sh [ROWS ...]      default: 100000 1000000 10000000
#
# 1. compile: a synthetic facility-level activity file (examples/generate_facilities.rs:
#    N rows over real Guidebook Tier 1 combustion keys, TJ, 2021-2023, 50 000 facilities)
#    with `airinv compile` (2 threads, then 1 thread: the outputs must be identical) and
#    with DuckDB (benches/duckdb_compile.py: join to the factors, multiply, group by
#    year x NFR x pollutant, pivot); both results are compared cell by cell.
# 2. workbook: a 33-year Annex I workbook made from the Wallonia fixture, read by airinv
#    (examples/bench_workbook.rs) and by openpyxl (benches/openpyxl_read.py).
#
# Peers are installed from benches/requirements.txt into target/bench-venv. Data goes
# to target/bench-data (about 0.5 GB for 10^7 rows).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000 10000000)

venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q -r benches/requirements.txt
py="$venv/bin/python"

cargo build -q --release --bin airinv --example generate_facilities --example bench_workbook
airinv=target/release/airinv
data=target/bench-data
mkdir -p "$data"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-10s %8s %12s %10s %12s %10s %8s\n' rows MB airinv_s airinv_MB airinv_1thr_s duckdb_s ratio
for n in "${sizes[@]}"; do
  csv="$data/activity-$n.csv"
  [ -f "$csv" ] || target/release/examples/generate_facilities "$n" "$csv" 2>/dev/null
  mb=$(( $(stat -c %s "$csv") / 1000000 ))
  # Warm the page cache for both tools alike.
  cat "$csv" > /dev/null
  best_a=999; best_m=0
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$data/time" "$airinv" compile "$csv" --out "$data/out-$n" --country KZ --quiet --reporting-date 01.01.2025 > /dev/null
    read -r s kb < "$data/time"
    if awk "BEGIN {exit !($s < $best_a)}"; then best_a=$s; best_m=$(( kb / 1024 )); fi
  done
  /usr/bin/time -f '%e %M' -o "$data/time" "$airinv" compile "$csv" --out "$data/out1-$n" --country KZ --quiet --threads 1 --reporting-date 01.01.2025 > /dev/null
  read -r one _ < "$data/time"
  for f in "$data/out-$n"/annex1_*.csv "$data/out-$n/detail.csv"; do
    cmp -s "$f" "$data/out1-$n/$(basename "$f")" || { echo "DIFFERENT with 1 thread: $f"; exit 1; }
  done
  best_d=999
  for _ in 1 2 3; do
    d=$("$py" benches/duckdb_compile.py "$csv" "$data/duck-$n.csv" --threads "$(nproc)")
    if awk "BEGIN {exit !($d < $best_d)}"; then best_d=$d; fi
  done
  "$py" benches/check_same.py "$data/out-$n" "$data/duck-$n.csv"
  ratio=$(awk "BEGIN {printf \"%.1f\", $best_d / $best_a}")
  printf '%-10s %8s %12s %10s %12s %10s %8s\n' "$n" "$mb" "$best_a" "$best_m" "$one" "$best_d" "${ratio}x"
done
echo
fixture=../shared/fixtures/BEW_2021-annex1-nfr2019.xlsx
if [ -f "$fixture" ]; then
  book="$data/annex1-33-years.xlsx"
  target/release/examples/bench_workbook make "$fixture" "$book" 33 > /dev/null
  echo "workbook of 33 years: airinv $(target/release/examples/bench_workbook read "$book" 5); openpyxl $("$py" benches/openpyxl_read.py "$book" 3)"
else
  echo "SKIPPED workbook benchmark: $fixture is not present"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
