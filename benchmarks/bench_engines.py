"""Benchmarks of the 1-D and 2-D engines (not tests: timings are printed, never asserted).

    python benchmarks/bench_engines.py              # everything (a few minutes on 2 cores)
    python benchmarks/bench_engines.py --quick      # smaller cases, fewer runs (well under a minute)
    python benchmarks/bench_engines.py --repeat 9   # more runs per measurement

Every timing is repeated (``--repeat`` samples; calls shorter than ~20 ms are looped inside a sample,
as timeit does) and reported as median / min in milliseconds: on a shared machine the minimum is the
least disturbed run and the median the typical one. The load average is printed before each section.

Sections, each on the same weights for every tool:
1. the zigzag constructions (1-D interval engine), among them (10, 5): 161,051 regions on [0, 1],
   UDL Fig. 4.7a; target for ``count``: < 20 ms;
2. random He-initialised 2-64-64-64-1 and 2-128-128-128-1 networks on [-1, 1]^2 (2-D polygon engine)
   against regioncam (pip install regioncam; it computes in float32, so the weights are rounded to
   float32 first and both tools get exactly the same numbers); target: >= 5x faster, same counts;
3. regions per second of the engines against the NumPy/SciPy reference ``reluregions.reference``
   (small networks only: 2-16-16-1 and 2-8-8-8-1 on [-1, 1]^2, a 1-D zigzag and a random 1-D network;
   needs SciPy), with a check that both find the same activation patterns.

Results and the machine they were measured on: benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import time
from typing import Any
from collections.abc import Callable

import numpy as np

import reluregions as rr
from reluregions import constructions

UNIT = rr.Box([0.0], [1.0])
SQUARE = rr.Box([-1.0, -1.0], [1.0, 1.0])


class Timing:
    """Seconds per call: median and minimum over the samples."""

    def __init__(self, samples: list[float]) -> None:
        self.samples = samples
        self.median = statistics.median(samples)
        self.min = min(samples)

    def ms(self) -> str:
        return f"{_num(self.median * 1e3)} / {_num(self.min * 1e3)}"


def _num(x: float) -> str:
    """Three significant figures, thousands separated, no exponent: 0.0682, 7.76, 254, 3,080."""
    if x == 0 or not np.isfinite(x):
        return str(x)
    digits = 2 - int(np.floor(np.log10(abs(x))))
    x = round(x, digits)
    return f"{x:,.{max(digits, 0)}f}"


def timed(fn: Callable[[], Any], repeat: int, min_sample: float = 0.02, warmup: bool = True) -> tuple[Timing, Any]:
    """Run `fn` once (warm-up, result kept), then `repeat` samples; each sample loops `fn` enough times
    to last about `min_sample` seconds and records the time per call. With ``warmup=False`` the first
    run is one of the `repeat` samples and every sample is a single call (for slow functions)."""
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    if not warmup:
        samples = [first]
        for _ in range(repeat - 1):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        return Timing(samples), result
    number = max(1, min(1000, int(min_sample / max(first, 1e-9))))
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return Timing(samples), result


def he_network(widths, seed, inputs=2):
    """Random He-initialised network (biases N(0, 0.1^2)), weights rounded to float32 for regioncam."""
    rng = np.random.default_rng(seed)
    dims = [inputs, *widths, 1]
    W = [
        rng.normal(0, np.sqrt(2 / dims[i]), (dims[i + 1], dims[i])).astype(np.float32).astype(np.float64)
        for i in range(len(dims) - 1)
    ]
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


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:  # noqa: BLE001 - not installed, or no metadata
        return "not installed"


def machine() -> list[str]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        commit = (
            subprocess.run(
                ["git", "-C", here, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
            ).stdout.strip()
            or "unknown"
        )
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return [
        f"machine: {platform.system()} {platform.machine()}, nproc={os.cpu_count()}, CPU: {cpu}",
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {_version('scipy')}, regioncam {_version('regioncam')}, "
        f"reluregions {rr.__version__} (commit {commit})",
    ]


def load() -> str:
    try:
        return "load average (1/5/15 min): " + " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average: unknown"


def section_zigzag(args) -> None:
    print("## 1. Zigzag constructions on [0, 1] (1-D interval engine)\n")
    print(load() + "\n")
    print(
        "| network | parameters | regions | count (ms, median / min) | count (regions/s, median) | regions() (ms, median / min) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    cases = [(10, 5), (3, 4)] if args.quick else [(10, 5), (3, 4), (20, 5)]
    target = None
    for width, depth in cases:
        net = constructions.zigzag(width, depth)
        tc, n = timed(lambda: rr.count(net, UNIT), args.repeat)
        tr, res = timed(lambda: rr.regions(net, UNIT), args.repeat)
        assert res.count == n == (width + 1) ** depth, (width, depth, n, res.count)
        print(
            f"| zigzag({width}, {depth}) | {net.num_parameters:,} | {n:,} | {tc.ms()} | {_num(n / tc.median)} | {tr.ms()} |"
        )
        if (width, depth) == (10, 5):
            target = tc
    if target is not None:
        verdict = "met" if target.median < 0.020 else "NOT met"
        print(
            f"\nzigzag(10, 5) count: median {target.median * 1e3:.2f} ms, min {target.min * 1e3:.2f} ms; target < 20 ms: {verdict}\n"
        )


def section_regioncam(args) -> None:
    print("## 2. Random He-initialised networks on [-1, 1]^2 (2-D polygon engine) vs regioncam\n")
    print(load() + "\n")
    try:
        import regioncam  # noqa: F401

        have_rc = True
    except ImportError:
        have_rc = False
        print("(regioncam not installed: pip install regioncam)\n")
    print(
        "| network | seed | regions (ours) | regions (regioncam) | equal | count (ms) | regions() (ms) | regioncam (ms) "
        "| count (regions/s) | speed-up count | speed-up regions() |"
    )
    print("|---|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|")
    speedups, unequal = [], []
    widths = (64,) if args.quick else (64, 128)
    seeds = 1 if args.quick else args.seeds
    for width in widths:
        for seed in range(seeds):
            net = he_network([width] * 3, seed)
            name = f"2-{width}-{width}-{width}-1"
            tc, n = timed(lambda: rr.count(net, SQUARE), args.repeat)
            tr, res = timed(lambda: rr.regions(net, SQUARE), args.repeat)
            assert res.count == n, (name, seed, n, res.count)
            if have_rc:
                trc, nrc = timed(lambda: regioncam_count(net), args.repeat)
                equal = "yes" if nrc == n else "NO"
                if nrc != n:
                    unequal.append((name, seed, n, nrc))
                speedups.append(trc.median / tc.median)
                print(
                    f"| {name} | {seed} | {n:,} | {nrc:,} | {equal} | {tc.ms()} | {tr.ms()} | {trc.ms()} | {_num(n / tc.median)} "
                    f"| {trc.median / tc.median:.1f}x | {trc.median / tr.median:.1f}x |"
                )
            else:
                print(
                    f"| {name} | {seed} | {n:,} | - | - | {tc.ms()} | {tr.ms()} | - | {_num(n / tc.median)} | - | - |"
                )
    print("\n(ms columns: median / min; speed-ups: ratio of medians, regioncam time / ours)\n")
    if speedups:
        verdict = "met" if min(speedups) >= 5 else "NOT met"
        print(
            f"speed-up of count over regioncam: {min(speedups):.1f}x to {max(speedups):.1f}x; target >= 5x: {verdict}"
        )
        print(
            "counts equal on every network: "
            + ("yes" if not unequal else f"NO: {unequal} (name, seed, ours, regioncam)")
            + "\n"
        )


def _patterns_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and {r.tobytes() for r in np.asarray(a, bool)} == {
        r.tobytes() for r in np.asarray(b, bool)
    }


def section_reference(args) -> None:
    print("## 3. Regions per second: engines vs the NumPy/SciPy reference\n")
    print(load() + "\n")
    try:
        from reluregions import reference
    except ImportError as exc:
        print(f"(reference unavailable: {exc})")
        return
    cases = [
        ("zigzag(3, 4)", constructions.zigzag(3, 4), UNIT, "[0, 1]", ("breakpoints", "lp")),
        ("2-8-8-1 random (seed 1)", he_network([8, 8], 1), SQUARE, "[-1, 1]^2", ("lp",)),
    ]
    if not args.quick:
        cases += [
            (
                "1-8-8-1 random (seed 0)",
                he_network([8, 8], 0, inputs=1),
                rr.Box([-3.0], [3.0]),
                "[-3, 3]",
                ("breakpoints", "lp"),
            ),
            ("2-8-8-8-1 random (seed 0)", he_network([8, 8, 8], 0), SQUARE, "[-1, 1]^2", ("lp",)),
            ("2-16-16-1 random (seed 0)", he_network([16, 16], 0), SQUARE, "[-1, 1]^2", ("lp",)),
        ]
    ref_repeat = 1 if args.quick else max(1, min(args.repeat, 3))
    print(
        f"(engine: one warm-up run, then {args.repeat} samples; reference: {ref_repeat} single-run sample(s), no warm-up)\n"
    )
    print(
        "| network | domain | hidden units | regions | engine count (ms) | engine regions() (ms) | engine regions() (regions/s) "
        "| reference method | reference (ms) | reference (regions/s) | engine / reference | same patterns |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|:---:|")
    for name, net, dom, dom_name, methods in cases:
        tc, n = timed(lambda: rr.count(net, dom), args.repeat)
        te, res = timed(lambda: rr.regions(net, dom), args.repeat)
        for method in methods:
            tref, ref = timed(
                lambda: reference.regions(net, dom, method=method, max_hidden=net.num_hidden), ref_repeat, warmup=False
            )
            same = (
                "yes"
                if ref.count == res.count == n and _patterns_equal(ref.patterns, res.patterns)
                else f"NO ({ref.count} vs {res.count})"
            )
            print(
                f"| {name} | {dom_name} | {net.num_hidden} | {res.count:,} | {tc.ms()} | {te.ms()} | {_num(res.count / te.median)} "
                f"| {method} | {tref.ms()} | {_num(ref.count / tref.median)} | {_num(tref.median / te.median)}x | {same} |"
            )
    print(
        "\n(ms columns: median / min; regions/s and the ratio from the medians; the ratio compares regions() with\n"
        " reference.regions(), both enumerating every region with its pattern)\n"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="smaller cases and 3 runs per measurement (a smoke run, well under a minute)",
    )
    ap.add_argument(
        "--repeat", type=int, help="samples per measurement, median and min reported (default 7, or 3 with --quick)"
    )
    ap.add_argument(
        "--seeds", type=int, default=3, help="random networks per width in section 2 (default 3; 1 with --quick)"
    )
    args = ap.parse_args()
    if args.repeat is None:
        args.repeat = 3 if args.quick else 7
    if args.repeat < 1 or args.seeds < 1:
        ap.error("--repeat and --seeds must be >= 1")
    print("\n".join(machine()))
    print(f"date: {time.strftime('%Y-%m-%d')}; repeat: {args.repeat}{'; --quick' if args.quick else ''}\n")
    t0 = time.perf_counter()
    section_zigzag(args)
    section_regioncam(args)
    section_reference(args)
    print(f"total: {time.perf_counter() - t0:.0f} s; {load()}")


if __name__ == "__main__":
    main()
