"""airinv's and NumPy's Monte Carlo results on the same model agree within sampling error.

Each run draws its own random numbers (airinv: SplitMix64 + ziggurat; NumPy: PCG64 + its ziggurat),
so the percentiles differ by sampling error only: a few % of the half-width of the interval at
10^5 iterations (more for the heavy upper tails of lognormal sums), less at 10^6. The check allows
10 % of the half-width and prints the largest difference.

  python benches/mc_agree.py MODEL_DIR
"""
import csv
import sys

d = sys.argv[1]
a = list(csv.DictReader(open(f"{d}/airinv.csv")))
n = list(csv.DictReader(open(f"{d}/numpy.csv")))
worst = 0.0
for x, y in zip(a, n):
    mean = float(x["mean"])
    half = (float(x["upper"]) - float(x["lower"])) / 2 or 1.0
    for k in ("lower", "upper"):
        worst = max(worst, abs(float(x[k]) - float(y[k])) / half)
    thalf = (float(x["trend_upper"]) - float(x["trend_lower"])) / 2 or 1.0
    for k in ("trend_lower", "trend_upper"):
        worst = max(worst, abs(float(x[k]) - float(y[k])) / thalf)
    if abs(float(x["mean"]) - float(y["mean"])) > 0.05 * half:
        sys.exit(f"{x['pollutant']}: means differ: airinv {x['mean']}, numpy {y['mean']}")
print(f"  percentiles agree: largest difference {100 * worst:.2f} % of the interval's half-width ({len(a)} pollutants)")
if worst > 0.10:
    sys.exit("the percentiles differ by more than sampling error")
