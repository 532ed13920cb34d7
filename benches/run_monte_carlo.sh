#!/usr/bin/env bash
# Side-by-side benchmark of airinv's uncertainty Monte Carlo against NumPy doing the same draws.
#
#   benches/run_monte_carlo.sh [ITERATIONS ...]      default: 100000 1000000
#
# For each N, on the Kazakhstan inventory (2024, trend from 2021):
# 1. examples/bench_monte_carlo.rs compiles the inventory in memory, writes the Monte Carlo's model
#    (dimensions, variables, lines) to target/bench-data/mc-N, and times airinv's Monte Carlo alone
#    with 2 threads and with 1 thread (the results must be identical); peak memory of that process;
# 2. benches/numpy_monte_carlo.py does the same draws with NumPy, vectorised in chunks of 2000
#    iterations (best of NUMPY_RUNS, default 1, timed inside Python), peak memory;
# 3. benches/mc_agree.py: NumPy's and airinv's 2.5/97.5 percentiles agree within sampling error;
# 4. the whole command, `airinv uncertainty ... --iterations N` (compile + Approach 1 + Monte Carlo).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)

venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q -r benches/requirements.txt
py="$venv/bin/python"

cargo build -q --release --bin airinv --example bench_monte_carlo
data=target/bench-data
mkdir -p "$data"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "numpy $("$py" -c 'import numpy; print(numpy.__version__)')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${sizes[@]}"; do
  dir="$data/mc-$n"
  /usr/bin/time -f '%e %M' -o "$data/time" target/release/examples/bench_monte_carlo inventories/kazakhstan 2024 2021 "$dir" "$n" | tee "$data/airinv-out"
  airinv_s=$(sed -n 's/.*airinv \([0-9.]*\) s (2 threads).*/\1/p' "$data/airinv-out")
  read -r _ kb < "$data/time"; echo "  airinv peak memory $(( kb / 1024 )) MB (compile, model and both runs)"
  /usr/bin/time -f '%e %M' -o "$data/time" "$py" benches/numpy_monte_carlo.py "$dir" "$n" "${NUMPY_RUNS:-1}" > "$data/numpy-s"
  read -r _ kb < "$data/time"
  echo "  numpy $(cat "$data/numpy-s") s (best of ${NUMPY_RUNS:-1}), peak memory $(( kb / 1024 )) MB"
  echo "  NumPy / airinv (2 threads): $(awk -v a="$airinv_s" -v b="$(cat "$data/numpy-s")" 'BEGIN { printf "%.1f", b / a }')x at $n iterations (load now $(cut -d' ' -f1 /proc/loadavg))"
  "$py" benches/mc_agree.py "$dir"
  /usr/bin/time -f '%e %M' -o "$data/time" target/release/airinv uncertainty inventories/kazakhstan --year 2024 --base 2021 --iterations "$n" --format json > "$dir/uncertainty.json"
  read -r s kb < "$data/time"; echo "  airinv uncertainty (whole command): $s s, peak $(( kb / 1024 )) MB"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
