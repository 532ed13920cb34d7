"""Reads every cell of every sheet of a workbook with openpyxl (cached values),
the way a Python script would read an Annex I submission; prints the best
seconds of N runs and the number of non-empty cells.

    python3 benches/openpyxl_read.py WORKBOOK.xlsx RUNS
"""
import sys
import time

import openpyxl


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    best = float("inf")
    filled = 0
    for _ in range(runs):
        start = time.perf_counter()
        wb = openpyxl.load_workbook(path, data_only=True)
        filled = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                filled += sum(1 for v in row if v is not None)
        best = min(best, time.perf_counter() - start)
    print(f"{best:.3f} s, {filled} non-empty cells")


if __name__ == "__main__":
    main()
