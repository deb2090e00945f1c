"""Benchmarks of the 1-D and 2-D engines (not tests: timings are printed, never asserted).

    python benchmarks/bench_engines.py            # everything available
    python benchmarks/bench_engines.py --repeat 5

Compares, in one run and on the same weights:
- the (10, 5) zigzag construction (161,051 regions on [0, 1]);
- random He-initialised 2-64-64-64-1 and 2-128-128-128-1 networks on [-1, 1]^2 against regioncam
  (pip install regioncam; it computes in float32, so the weights are rounded to float32 first and
  both tools get exactly the same numbers);
- regions per second of the engines against reluregions.reference (small networks; needs SciPy).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

import reluregions as rr
from reluregions import constructions


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def he_network(widths, seed, inputs=2):
    rng = np.random.default_rng(seed)
    dims = [inputs, *widths, 1]
    W = [rng.normal(0, np.sqrt(2 / dims[i]), (dims[i + 1], dims[i])).astype(np.float32).astype(np.float64) for i in range(len(dims) - 1)]
    b = [rng.normal(0, 0.1, dims[i + 1]).astype(np.float32).astype(np.float64) for i in range(len(dims) - 1)]
    return rr.Network(W, b)


def regioncam_count(net):
    import regioncam

    rc = regioncam.Regioncam(size=1.0)  # the square [-1, 1]^2
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        rc.linear(W.T.astype(np.float32).copy(), b.astype(np.float32))
        if l < len(net.weights) - 1:
            rc.relu()
    return rc.num_faces


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.system()} {platform.machine()}, nproc={os.cpu_count()}, CPU: {cpu}, Python {platform.python_version()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    ap.add_argument("--seeds", type=int, default=3, help="random networks per width")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d')}\n")

    print("## Zigzag constructions (1-D interval engine)\n")
    print("| network | regions | count (ms) | regions() (ms) |")
    print("|---|---:|---:|---:|")
    for width, depth in [(10, 5), (3, 4), (20, 5)]:
        net = constructions.zigzag(width, depth)
        unit = rr.Box([0.0], [1.0])
        tc, n = timed(lambda: rr.count(net, unit), args.repeat)
        tr, _ = timed(lambda: rr.regions(net, unit), args.repeat) if n < 5_000_000 else (float("nan"), None)
        print(f"| zigzag({width}, {depth}), {net.num_parameters} parameters | {n:,} | {tc * 1e3:.2f} | {tr * 1e3:.1f} |")

    print("\n## Random He-initialised networks on [-1, 1]^2 (2-D polygon engine) vs regioncam\n")
    try:
        import regioncam  # noqa: F401

        have_rc = True
    except ImportError:
        have_rc = False
        print("(regioncam not installed: pip install regioncam)\n")
    print("| network | seed | regions (ours) | regions (regioncam) | count (ms) | regions() (ms) | regioncam (ms) | speed-up (count) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    box = rr.Box([-1.0, -1.0], [1.0, 1.0])
    for width in (64, 128):
        for seed in range(args.seeds):
            net = he_network([width] * 3, seed)
            tc, n = timed(lambda: rr.count(net, box), args.repeat)
            tr, _ = timed(lambda: rr.regions(net, box), args.repeat)
            if have_rc:
                trc, nrc = timed(lambda: regioncam_count(net), args.repeat)
                print(f"| 2-{width}-{width}-{width}-1 | {seed} | {n:,} | {nrc:,} | {tc * 1e3:.1f} | {tr * 1e3:.1f} | {trc * 1e3:.1f} | {trc / tc:.1f}x |")
            else:
                print(f"| 2-{width}-{width}-{width}-1 | {seed} | {n:,} | - | {tc * 1e3:.1f} | {tr * 1e3:.1f} | - | - |")

    print("\n## Regions per second: engines vs the NumPy/SciPy reference\n")
    try:
        from reluregions import reference
    except ImportError as exc:
        print(f"(reference unavailable: {exc})")
        return
    print("| network | domain | regions | engine (regions/s) | reference (regions/s) | ratio |")
    print("|---|---|---:|---:|---:|---:|")
    cases = [
        ("1-8-8-1 random", he_network([8, 8], 0, inputs=1), rr.Box([-3.0], [3.0])),
        ("2-6-6-1 random", he_network([6, 6], 0), box),
        ("2-8-8-1 random", he_network([8, 8], 1), box),
    ]
    for name, net, dom in cases:
        te, res = timed(lambda: rr.regions(net, dom), args.repeat)
        tref, ref = timed(lambda: reference.regions(net, dom), 1)
        assert ref.count == res.count, (name, ref.count, res.count)
        print(f"| {name} | {dom!r} | {res.count} | {res.count / te:,.0f} | {ref.count / tref:,.0f} | {tref / te:,.0f}x |")


if __name__ == "__main__":
    main()
