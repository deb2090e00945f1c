"""The cost of exact decisions (issue 8): today's build against another install, interleaved.

    python benchmarks/bench_cost.py --other /path/to/other/venv/bin/python [--rounds 7]

Each case runs in a fresh process of each install in turn (A, B, A, B, ...); the table gives the
minimum and the median over rounds of the best of a few calls, and the ratio of the minima (this
install / the other). Cases: zigzag(10, 5) count on [0, 1] (interval engine); He 2-128-128-128-1 count
and regions() on [-1, 1]^2 (polygon engine; the regioncam comparison's network); the ACAS-shaped
5-50x6-5 walk on [-0.01, 0.01]^5 (bench_walk.py's box), 1 thread.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import numpy as np

CASE = r"""
import sys, time
import numpy as np
import reluregions as rr
from reluregions import constructions as C

def he(dims, seed, f32):
    rng = np.random.default_rng(seed)
    W = [rng.normal(0, np.sqrt(2 / dims[i]), (dims[i + 1], dims[i])) for i in range(len(dims) - 1)]
    b = [rng.normal(0, 0.1, dims[i + 1]) for i in range(len(dims) - 1)]
    if f32:
        W = [w.astype(np.float32).astype(np.float64) for w in W]
        b = [v.astype(np.float32).astype(np.float64) for v in b]
    return rr.Network(W, b)

case = sys.argv[1]
if case == "zigzag":
    net, dom, fn, n = C.zigzag(10, 5), rr.Segment([0.0], [1.0]), rr.count, 20
elif case.startswith("he128"):
    net, dom, n = he([2, 128, 128, 128, 1], 0, True), rr.Box([-1.0, -1.0], [1.0, 1.0]), 3
    fn = rr.count if case == "he128-count" else rr.regions
else:
    rng = np.random.default_rng(0)
    dims = [5] + [50] * 6 + [5]
    net = rr.Network([rng.normal(size=(dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i]) for i in range(7)],
                     [rng.normal(size=dims[i + 1]) * 0.1 for i in range(7)])
    dom, n = rr.Box(-0.01 * np.ones(5), 0.01 * np.ones(5)), 2
    fn = lambda a, b: rr.count(a, b, threads=1)
fn(net, dom)
best = min((lambda t: (fn(net, dom), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(n))
print(best)
"""

CASES = ["zigzag", "he128-count", "he128-regions", "walk-acas-shaped"]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--other", required=True, help="the other install's python")
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args()
    pythons = {"this": sys.executable, "other": args.other}
    print("| case | this: min / median (s) | other: min / median (s) | this / other (minima) |")
    print("|---|---:|---:|---:|")
    for case in CASES:
        t: dict[str, list[float]] = {k: [] for k in pythons}
        for _ in range(args.rounds):
            for k, py in pythons.items():
                out = subprocess.run([py, "-c", CASE, case], capture_output=True, text=True, check=True)
                t[k].append(float(out.stdout.strip().splitlines()[-1]))
        a, b = np.array(t["this"]), np.array(t["other"])
        print(
            f"| {case} | {a.min():.4f} / {np.median(a):.4f} | {b.min():.4f} / {np.median(b):.4f} "
            f"| {a.min() / b.min():.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
