"""The cost of exact decisions in the 1-D and 2-D engines (timings printed, never asserted).

    python benchmarks/bench_exact.py            # zigzag, random He nets, wide single layers, near-degenerate
    python benchmarks/bench_exact.py --quick    # fewer repeats
    python benchmarks/bench_exact.py --truth    # also check the wide single layers against the rational
                                                # closed form (fractions; ~1 min for 1000 lines)

Reports median / min over repeats and the number of decisions that needed exact arithmetic per 1,000
regions (``count(...).stats["exact_decisions"]``). Run it with an older reluregions installed to
compare (the stats column is then empty). Results: benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import reluregions as rr
from reluregions import constructions

SQUARE = rr.Box([-1.0, -1.0], [1.0, 1.0])


def timed(f, repeat):
    ts, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), min(ts), out


def he_net(widths, seed):
    rng = np.random.default_rng(seed)
    dims = [2, *widths, 1]
    Ws = [rng.normal(size=(o, i)) * np.sqrt(2.0 / i) for i, o in zip(dims[:-1], dims[1:])]
    bs = [rng.normal(size=o) * 0.1 for o in dims[1:-1]] + [np.zeros(1)]
    return rr.Network(Ws, bs)


def lines(n, seed, offset_scale=1.0):
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(n, 2)), rng.normal(size=n) * offset_scale
    return rr.Network([W, np.ones((1, n))], [b, np.zeros(1)]), W, b


def row(name, med, mn, c, unit="ms"):
    scale = 1e3 if unit == "ms" else 1.0
    stats = getattr(c, "stats", None) or {}
    ex = stats.get("exact_decisions")
    per = "-" if ex is None else f"{1000.0 * ex / max(int(c), 1):.2f}"
    print(
        f"| {name} | {int(c):,} | {med * scale:.1f} {unit} | {mn * scale:.1f} {unit} | {'-' if ex is None else ex} | {per} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--truth", action="store_true")
    args = ap.parse_args()
    rep = 3 if args.quick else 7
    print(
        f"reluregions {getattr(rr, '__version__', '?')} from {Path(rr.__file__).parent}; nproc {os.cpu_count()}; "
        f"load {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}"
    )
    print("| case | regions | median | min | exact decisions | per 1,000 regions |")
    print("|---|---:|---:|---:|---:|---:|")
    z = constructions.zigzag(10, 5)
    med, mn, c = timed(lambda: rr.count(z, rr.Box([0.0], [1.0])), rep)
    row("zigzag(10, 5) count, [0, 1]", med, mn, c)
    for w in (64, 128):
        net = he_net([w] * 3, 1)
        med, mn, c = timed(lambda: rr.count(net, SQUARE), rep)
        row(f"He 2-{w}-{w}-{w}-1 count", med, mn, c)
        med, mn, r = timed(lambda: rr.regions(net, SQUARE), rep)
        row(
            f"He 2-{w}-{w}-{w}-1 regions()",
            med,
            mn,
            rr.count(net, SQUARE) if hasattr(rr.count(net, SQUARE), "stats") else r.count,
        )
    for n in (100, 1000):
        net, W, b = lines(n, 0)
        med, mn, c = timed(lambda: rr.count(net, SQUARE), max(1, rep // 2))
        row(f"2-{n}-1 count (random lines)", med, mn, c, "s" if n >= 1000 else "ms")
        if args.truth:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
            from exact_util import arrangement_count_2d

            print(f"|   rational closed form | {arrangement_count_2d(W, b, [-1, -1], [1, 1]):,} | | | | |")
    net, W, b = lines(10, 7, 1e-12)
    med, mn, c = timed(lambda: rr.count(net, SQUARE), rep)
    row("10 lines with offsets ~1e-12 (56 regions)", med, mn, c)
    net, W, b = lines(200, 3, 1e-13)
    med, mn, c = timed(lambda: rr.count(net, SQUARE), rep)
    row("200 lines with offsets ~1e-13", med, mn, c)


if __name__ == "__main__":
    main()
