"""Benchmarks of the activation-pattern walk (issue: exact regions in R^d).

    python benchmarks/bench_walk.py            # full run (a few minutes on 2 cores)
    python benchmarks/bench_walk.py --quick    # smaller networks

Sections: an ACAS Xu-shaped network (5 inputs, 6 hidden layers of 50, He initialisation) on a box with
about 40k regions, threads=1 and threads=2, regions/s, LPs per region and memory; d = 3, 4, 6, 8 with
widths 16-32; 2-D networks through the walk vs the polygon engine; the NumPy reference on a small net.
Performance is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import platform
import resource
import time

import numpy as np

import reluregions as rr


def he_network(seed: int, dims: list[int]) -> rr.Network:
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i]) for i in range(len(dims) - 1)]
    bs = [rng.normal(size=dims[i + 1]) * 0.1 for i in range(len(dims) - 1)]
    return rr.Network(Ws, bs)


def timed(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def row(*cells) -> None:
    print(" | ".join(str(c) for c in cells))


def acas(quick: bool) -> None:
    print("\n## ACAS Xu-shaped network: 5-50x6-5, He init (seed 0), box [-h, h]^5, count only")
    net = he_network(0, [5] + [50] * 6 + [5])
    row(
        "h",
        "threads",
        "regions",
        "time s",
        "regions/s",
        "decision LPs/region",
        "box LPs/region",
        "Chebyshev LPs/region",
        "pivots/region",
        "max RSS MB (before -> after)",
    )
    for h in [0.01] if quick else [0.01, 0.013]:
        box = rr.Box(-h * np.ones(5), h * np.ones(5))
        for threads in (1, 2):
            before = maxrss_mb()
            c, t = timed(lambda: rr.count(net, box, threads=threads))
            s = c.stats
            n = int(c)
            row(
                h,
                threads,
                n,
                f"{t:.2f}",
                f"{n / t:,.0f}",
                f"{s['lps'] / n:.2f}",
                f"{s['box_lps'] / n:.2f}",
                f"{s['chebyshev'] / n:.2f}",
                f"{s['pivots'] / n:.1f}",
                f"{before:.0f} -> {maxrss_mb():.0f}",
            )


def dims_sweep(quick: bool) -> None:
    print("\n## d = 3, 4, 6, 8, two hidden layers, He init, box [-1, 1]^d, count")
    row("network", "regions", "threads=1 s", "threads=2 s", "regions/s (2 threads)", "speed-up")
    cases = [(3, 32), (4, 24), (6, 16), (8, 12)] if not quick else [(3, 16), (4, 16)]
    for d, w in cases:
        net = he_network(d, [d, w, w, 1])
        box = rr.Box(-np.ones(d), np.ones(d))
        c1, t1 = timed(lambda: rr.count(net, box, threads=1))
        c2, t2 = timed(lambda: rr.count(net, box, threads=2))
        assert int(c1) == int(c2)
        row(f"{d}-{w}-{w}-1", int(c1), f"{t1:.3f}", f"{t2:.3f}", f"{int(c2) / t2:,.0f}", f"{t1 / t2:.2f}x")


def two_d(quick: bool) -> None:
    print("\n## 2-D networks on [-1, 1]^2: the walk vs the polygon engine (count)")
    row("network", "regions", "polygon s", "walk 1 thread s", "walk 2 threads s", "counts equal")
    for w in [16, 32] if quick else [16, 32, 64]:
        net = he_network(w, [2, w, w, w, 1])
        box = rr.Box([-1, -1], [1, 1])
        cp, tp = timed(lambda: rr.count(net, box), repeat=3)
        cw1, tw1 = timed(lambda: rr.count(net, box, engine="walk", threads=1))
        cw2, tw2 = timed(lambda: rr.count(net, box, engine="walk", threads=2))
        row(f"2-{w}x3-1", int(cp), f"{tp:.4f}", f"{tw1:.3f}", f"{tw2:.3f}", int(cp) == int(cw1) == int(cw2))


def reference(quick: bool) -> None:
    try:
        from reluregions import reference as ref
    except ImportError:
        print("\n(reference skipped: needs scipy)")
        return
    print("\n## The NumPy/SciPy reference vs the walk (regions)")
    row("network", "domain", "regions", "reference s", "walk s", "ratio")
    net = he_network(7, [3, 8, 8, 1])
    box = rr.Box(-np.ones(3), np.ones(3))
    r, tr = timed(lambda: ref.regions(net, box))
    w, tw = timed(lambda: rr.regions(net, box), repeat=3)
    assert r.count == w.count
    row("3-8-8-1", "[-1, 1]^3", w.count, f"{tr:.2f}", f"{tw:.4f}", f"{tr / tw:,.0f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print(
        f"# bench_walk: {platform.processor() or platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}"
    )
    acas(args.quick)
    dims_sweep(args.quick)
    two_d(args.quick)
    reference(args.quick)


if __name__ == "__main__":
    main()
