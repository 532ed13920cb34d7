"""The same job as `airinv compile` on the synthetic facility file, in DuckDB.

Joins the activity rows (year, nfr, fuel, value in TJ) to a table of
multipliers (reporting unit per TJ, one per NFR x fuel x pollutant, built here
from airinv's normalised Guidebook 2023 factor file with the same curated
choices airinv makes for a non-EU country), multiplies, sums by year x NFR x
pollutant and pivots the pollutants into columns.

    python3 benches/duckdb_compile.py ACTIVITY.csv OUT.csv [--threads N]

Prints the seconds DuckDB took (the multiplier table is built before timing).
"""
import csv
import decimal
import os
import sys
import tempfile
import time

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
D = decimal.Decimal
decimal.getcontext().prec = 40

GRAMS = {"ng": D("1e-9"), "ug": D("1e-6"), "µg": D("1e-6"), "μg": D("1e-6"), "mg": D("0.001"), "g": D(1), "kg": D(1000)}
REPORT = {"kt": D(10) ** 9, "t": D(10) ** 6, "g I-TEQ": D(1), "kg": D(1000)}


def rows(path):
    with open(path, encoding="utf-8") as f:
        yield from csv.DictReader(line for line in f if not line.startswith("#"))


def multipliers():
    units = {r["id"]: r["unit"] for r in rows(os.path.join(ROOT, "src/data/annex1-columns.csv")) if r["kind"] == "pollutant"}
    curated = {r["id"]: r["choice"] for r in rows(os.path.join(ROOT, "emission-factors/guidebook-defaults.csv"))}
    by_key = {}
    for f in rows(os.path.join(ROOT, "emission-factors/emep-eea-2023.csv")):
        if f["tier"] != "1" or f["kind"] != "emission factor" or not f["fuel"]:
            continue
        unit = f["unit_understood"]
        for code in f["annex1_codes"].split():
            by_key.setdefault((code, f["fuel"], f["pollutant"]), []).append((f, unit))
    out = {}
    shares = []
    for (code, fuel, pollutant), cands in by_key.items():
        if len(cands) > 1:
            chosen = [c for c in cands if curated.get(c[0]["id"]) in ("default", "non-EU")]
            values = {(c[0]["value"], c[1]) for c in cands}
            cands = chosen if len(values) > 1 else cands[:1]
        if len(cands) != 1:
            continue
        f, unit = cands[0]
        if unit.startswith("% of "):
            shares.append((code, fuel, pollutant, D(f["value"]), unit[5:]))
            continue
        num, den = unit.split("/", 1)
        if den != "GJ":
            continue
        mass = num.split(" ")[0]
        out[(code, fuel, pollutant)] = D(f["value"]) * GRAMS[mass] * 1000 / REPORT[units[pollutant]]
    for code, fuel, pollutant, pct, of in shares:
        if (code, fuel, of) in out:
            out[(code, fuel, pollutant)] = out[(code, fuel, of)] * pct / 100
    return out


def main():
    activity, result = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else os.cpu_count()
    mult = multipliers()
    tmp = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="")
    w = csv.writer(tmp)
    w.writerow(["nfr", "fuel", "pollutant", "mult"])
    for (code, fuel, pollutant), m in sorted(mult.items()):
        w.writerow([code, fuel, pollutant, format(m, "f")])
    tmp.close()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    start = time.perf_counter()
    con.execute(f"CREATE TABLE f AS SELECT * FROM read_csv('{tmp.name}', header = true, columns = {{'nfr': 'VARCHAR', 'fuel': 'VARCHAR', 'pollutant': 'VARCHAR', 'mult': 'DOUBLE'}})")
    con.execute(
        f"""
        COPY (
          PIVOT (
            SELECT a.year, a.nfr, f.pollutant, SUM(a.value * f.mult) AS emission
            FROM read_csv('{activity}', header = true) a
            JOIN f ON a.nfr = f.nfr AND a.fuel = f.fuel
            GROUP BY ALL
          ) ON pollutant USING SUM(emission) GROUP BY year, nfr ORDER BY year, nfr
        ) TO '{result}' (HEADER)
        """
    )
    seconds = time.perf_counter() - start
    os.unlink(tmp.name)
    print(f"{seconds:.3f}")


if __name__ == "__main__":
    main()
