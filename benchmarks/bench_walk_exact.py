"""The walk's exact decisions: correctness on line arrangements against the rational closed form, and
the cost of the exact fallback.

    python benchmarks/bench_walk_exact.py            # n = 100, 400, 1000 lines, 3 seeds
    python benchmarks/bench_walk_exact.py --quick    # n = 100, 400

The truth (1 + lines crossing the open square + interior vertices weighted by lines through them - 1)
is computed in fractions.Fraction from the float weights. Reports the walk's count, time, and its
exact fallbacks (stats["exact_decisions"]) per 1,000 regions.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


import reluregions as rr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_walk_exact import lines_truth, one_layer, random_lines  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sizes = [100, 400] if args.quick else [100, 400, 1000]
    box = rr.Box([-1.0, -1.0], [1.0, 1.0])
    print("n | seed | truth (Fraction) | walk | polygon | walk s | exact fallbacks | per 1,000 regions")
    for n in sizes:
        for seed in range(3):
            W0, b0 = random_lines(n, seed)
            net = one_layer(W0, b0)
            truth = lines_truth(W0, b0)
            t = time.perf_counter()
            c = rr.count(net, box, engine="walk")
            dt = time.perf_counter() - t
            p = int(rr.count(net, box))
            ex = c.stats["exact_decisions"]
            print(f"{n} | {seed} | {truth} | {int(c)} | {p} | {dt:.2f} | {ex} | {1000 * ex / max(1, int(c)):.3f}")


if __name__ == "__main__":
    main()
