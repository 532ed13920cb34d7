"""Checks that airinv's annex1_<YEAR>.csv files and DuckDB's pivot give the same
emission for every year x NFR x pollutant DuckDB computed (relative difference
below 1e-9: DuckDB sums doubles, airinv exact decimals).

    python3 benches/check_same.py AIRINV_OUT_DIR DUCKDB.csv
"""
import csv
import glob
import os
import sys


def main():
    out, duck = sys.argv[1], sys.argv[2]
    airinv = {}
    for path in glob.glob(os.path.join(out, "annex1_[0-9]*.csv")):
        year = os.path.basename(path)[7:11]
        with open(path, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                airinv[(year, row["code"])] = row
    compared = 0
    with open(duck, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            mine = airinv[(row["year"], row["nfr"])]
            for pollutant, value in row.items():
                if pollutant in ("year", "nfr") or value == "":
                    continue
                a, d = float(mine[pollutant]), float(value)
                if abs(a - d) > 1e-9 * max(abs(a), abs(d)):
                    sys.exit(f"DIFFERENT: {row['year']} {row['nfr']} {pollutant}: airinv {mine[pollutant]}, DuckDB {value}")
                compared += 1
    if compared == 0:
        sys.exit("nothing compared")


if __name__ == "__main__":
    main()
