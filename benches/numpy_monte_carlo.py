"""The uncertainty Monte Carlo of airinv done with NumPy, side by side (benches/run_monte_carlo.sh).

Reads the model airinv draws (examples/bench_monte_carlo.rs writes vars.csv and lines.csv: the
variables with their dimension and distribution, the lines E x v0 x v1 x v2 per quantity) and does
the same draws vectorised, in chunks of iterations that fit memory:

  z = standard normals (chunk x dimensions), redrawn where a truncated normal would fall at or below 0
  v = 1 + s z[:, dim] (normal), exp(sigma z[:, dim]) (lognormal) or 1 + (below if z < 0 else above) z
      (two-piece normal, truncated at 0), per variable
  totals = (E * v[:, v0] * v[:, v1] * v[:, v2]) @ one-hot(quantity)      (chunk x lines) @ (lines x quantities)

The totals of every iteration are kept (iterations x quantities doubles) for np.percentile, as a
NumPy user would. Prints the seconds (best of the runs asked) and writes the percentiles.

  python benches/numpy_monte_carlo.py MODEL_DIR ITERATIONS [RUNS]
"""
import csv
import sys
import time

import numpy as np


def load(model_dir):
    dims, kinds, params, params2 = [], [], [], []
    with open(f"{model_dir}/vars.csv") as f:
        for r in csv.DictReader(f):
            dims.append(int(r["dim"]))
            kinds.append(r["kind"])
            params.append(float(r["param"]))
            params2.append(float(r["param2"]))
    q, e, v = [], [], []
    with open(f"{model_dir}/lines.csv") as f:
        for r in csv.DictReader(f):
            q.append(int(r["quantity"]))
            e.append(float(r["emission"]))
            v.append((int(r["v0"]), int(r["v1"]), int(r["v2"])))
    return (np.array(dims), np.array(kinds), np.array(params), np.array(params2), np.array(q),
            np.array(e), np.array(v))


def run(model, n, chunk=2000, seed=1):
    dims, kinds, params, params2, q, e, v = model
    ndim = int(dims[1:].max()) + 1 if len(dims) > 1 else 0
    nq = int(q.max()) + 1
    rng = np.random.default_rng(seed)
    normal = kinds == "normal"
    normal[0] = False  # variable 0 is the constant 1
    lognormal = kinds == "lognormal"
    twopiece = kinds == "twopiece"
    # lowest z of each dimension: every normal and two-piece variable of it above zero
    zmin = np.full(ndim, -np.inf)
    truncated = normal | twopiece
    for d, s in zip(dims[truncated], params[truncated]):
        if s > 0:
            zmin[d] = max(zmin[d], -1.0 / s)
    onehot = np.zeros((len(q), nq))
    onehot[np.arange(len(q)), q] = e
    totals = np.empty((n, nq))
    vals = np.ones((chunk, len(dims)))
    nidx, lidx, tidx = np.nonzero(normal)[0], np.nonzero(lognormal)[0], np.nonzero(twopiece)[0]
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        z = rng.standard_normal((m, ndim))
        bad = z <= zmin
        while bad.any():
            z[bad] = rng.standard_normal(bad.sum())
            bad = z <= zmin
        val = vals[:m]
        val[:, nidx] = 1.0 + params[nidx] * z[:, dims[nidx]]
        val[:, lidx] = np.exp(params[lidx] * z[:, dims[lidx]])
        zt = z[:, dims[tidx]]
        val[:, tidx] = 1.0 + np.where(zt < 0.0, params[tidx], params2[tidx]) * zt
        prod = val[:, v[:, 0]] * val[:, v[:, 1]] * val[:, v[:, 2]]
        totals[start:start + m] = prod @ onehot
    return totals


def main():
    model_dir, n = sys.argv[1], int(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    model = load(model_dir)
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        totals = run(model, n)
        nq = totals.shape[1]
        lo, hi = np.percentile(totals, [2.5, 97.5], axis=0)
        mean = totals.mean(axis=0)
        trend = (totals[:, 0::2] / totals[:, 1::2] - 1.0) * 100.0
        tlo, thi = np.percentile(trend, [2.5, 97.5], axis=0)
        best = min(best, time.perf_counter() - t)
    with open(f"{model_dir}/numpy.csv", "w") as f:
        f.write("quantity,mean,lower,upper,trend_lower,trend_upper\n")
        for i in range(nq // 2):
            f.write(f"{i},{mean[2 * i]},{lo[2 * i]},{hi[2 * i]},{tlo[i]},{thi[i]}\n")
    print(f"{best:.2f}")


if __name__ == "__main__":
    main()
