"""Benchmarks of reluregions.analysis (issue 11: regions near data).

    python benchmarks/bench_analysis.py            # full run (a few minutes on 2 cores)
    python benchmarks/bench_analysis.py --quick    # 10x fewer points
    python benchmarks/bench_analysis.py --only density,local --radius 0.1

Network: 40-256-256-10, He initialisation (seed 0), biases N(0, 0.1^2). Data: MNIST-1D
(``mnist1d.data.make_dataset``, generated offline; sklearn's digits, 64 inputs, if mnist1d is missing). Sections:

- ``distance_to_boundary`` on 100,000 points (data points plus N(0, 0.1^2) noise) against NumPy computing
  the batch's input Jacobians: (a) of the 10 outputs, reverse mode, batched matmuls; (b) of every hidden
  unit (what the distance needs), forward mode, then ``min |z| / ||grad z||``. Interleaved runs (A, B, A,
  B, ...), medians and ratios.
- ``density_along`` on 1,000 segments between random pairs of training points.
- ``local_count`` with k = 2 (cross-polytope and square, radius 0.1 by default) on 1,000 MNIST-1D points,
  and the proxy.

Performance is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from bench_walk import he_network

import reluregions as rr
from reluregions import analysis as an

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples" / "analysis"))
from _data import load  # noqa: E402


def mnist1d_data() -> tuple[np.ndarray, np.ndarray, str]:
    """MNIST-1D training and test inputs (examples/analysis/_data.py), or sklearn's digits without mnist1d."""
    try:
        import mnist1d  # noqa: F401
    except ImportError:
        Xtr, _, Xte, _, desc = load("digits")
        return Xtr, Xte, desc
    Xtr, _, Xte, _, desc = load("mnist1d")
    return Xtr, Xte, desc


def numpy_output_jacobians(net: rr.Network, X: np.ndarray, batch: int = 5000) -> np.ndarray:
    """Input Jacobians of the outputs, (n, out, d), reverse mode in NumPy (batched)."""
    Ws, bs = net.weights, net.biases
    out = np.empty((X.shape[0], Ws[-1].shape[0], X.shape[1]))
    for s in range(0, X.shape[0], batch):
        h = X[s : s + batch]
        masks = []
        for W, b in zip(Ws[:-1], bs[:-1]):
            z = h @ W.T + b
            masks.append(z > 0)
            h = np.where(masks[-1], z, 0.0)
        G = np.broadcast_to(Ws[-1], (h.shape[0], *Ws[-1].shape))
        for W, m in zip(reversed(Ws[:-1]), reversed(masks)):
            G = (G * m[:, None, :]) @ W
        out[s : s + batch] = G
    return out


def numpy_unit_distance(net: rr.Network, X: np.ndarray, batch: int = 2000) -> np.ndarray:
    """min |z| / ||grad z|| over hidden units, per-unit Jacobians by forward mode in NumPy (float patterns)."""
    res = np.empty(X.shape[0])
    for s in range(0, X.shape[0], batch):
        h = X[s : s + batch]
        J = np.broadcast_to(np.eye(X.shape[1]), (h.shape[0], X.shape[1], X.shape[1]))
        best = np.full(h.shape[0], np.inf)
        for W, b in zip(net.weights[:-1], net.biases[:-1]):
            z = h @ W.T + b
            J = np.einsum("ij,njk->nik", W, J, optimize=True)
            norms = np.linalg.norm(J, axis=2)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(norms > 0, np.abs(z) / norms, np.inf)
            best = np.minimum(best, ratio.min(axis=1))
            m = z > 0
            h = np.where(m, z, 0.0)
            J = J * m[:, :, None]
        res[s : s + batch] = best
    return res


def machine() -> str:
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
            if line.startswith("Model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown"
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return f"nproc = {os.cpu_count()}, CPU: {cpu}, load average {load}, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"


def interleaved(fns: dict[str, object], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()  # type: ignore[operator]
            times[name].append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="distance,density,local", help="sections to run (comma-separated)")
    ap.add_argument("--radius", type=float, default=0.1, help="radius of the local_count neighbourhoods")
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    print(machine())
    t0 = time.perf_counter()
    Xtr, Xte, source = mnist1d_data()
    d = Xtr.shape[1]
    print(f"data: {source}, train {Xtr.shape}, test {Xte.shape}, generated in {time.perf_counter() - t0:.1f} s")
    net = he_network(0, [d, 256, 256, 10])
    rng = np.random.default_rng(1)

    sections = set(args.only.split(","))
    n = 100_000 // scale
    X = Xtr[rng.integers(0, Xtr.shape[0], n)] + 0.1 * rng.normal(size=(n, d))
    if "distance" in sections:
        distance_section(net, X, n, d, args.rounds)
    m = 1000 // scale
    if "density" in sections:
        density_section(net, Xtr, m)
    if "local" in sections:
        local_section(net, Xtr[:m], args.radius)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


def distance_section(net: rr.Network, X: np.ndarray, n: int, d: int, rounds: int) -> None:
    print(f"\n## distance_to_boundary, {n:,} points, {d}-256-256-10 (threads = all cores)")
    d_ours = an.distance_to_boundary(net, X)
    d_np = numpy_unit_distance(net, X[:2000])
    rel = np.max(np.abs(d_ours[:2000] - d_np) / d_np)
    print(f"max relative difference to the NumPy per-unit computation (first 2,000 points): {rel:.1e}")
    print(f"distance: median {np.median(d_ours):.4g}, mean {np.mean(d_ours):.4g}, zero: {int(np.sum(d_ours == 0))}")
    times = interleaved(
        {
            "reluregions distance_to_boundary": lambda: an.distance_to_boundary(net, X),
            f"NumPy output Jacobians (n, 10, {d})": lambda: numpy_output_jacobians(net, X),
            "NumPy per-unit Jacobians + min": lambda: numpy_unit_distance(net, X),
        },
        rounds,
    )
    base = statistics.median(times["reluregions distance_to_boundary"])
    print("| method | median s | runs | ratio to distance_to_boundary |\n|---|---|---|---|")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"| {name} | {med:.2f} | {', '.join(f'{t:.2f}' for t in ts)} | {med / base:.2f} |")


def density_section(net: rr.Network, Xtr: np.ndarray, m: int) -> None:
    print(f"\n## density_along, {m:,} segments between random training points")
    t = time.perf_counter()
    dens = an.density_along(net, Xtr, m, rng=2)
    el = time.perf_counter() - t
    s = dens.summary
    print(
        f"{el:.2f} s ({m / el:,.0f} segments/s); regions per segment: mean {dens.segments.counts.mean():.1f}, "
        f"max {dens.segments.counts.max()}; breakpoints per unit length: mean {s['mean']:.3f} +- {s['sem']:.3f} (sem)"
    )


def local_section(net: rr.Network, P: np.ndarray, radius: float) -> None:
    m = P.shape[0]
    print(f"\n## local_count, k = 2, radius {radius}, {m:,} MNIST-1D training points (+ proxy)")
    for shape in ("cross", "box"):
        t = time.perf_counter()
        lc = an.local_count(net, P, radius, dim=2, shape=shape, rng=3, proxy=False)
        el = time.perf_counter() - t
        t = time.perf_counter()
        px = an._core.proxy_counts(net._core, P, lc.bases, radius, 0)
        el_proxy = time.perf_counter() - t
        print(
            f"{shape}: {el:.2f} s ({m / el:,.1f} points/s); regions per neighbourhood: mean "
            f"{lc.counts.mean():.2f}, max {lc.counts.max()}; proxy (cross-polytope vertices): mean {px.mean():.2f} "
            f"({el_proxy:.2f} s); correlation {np.corrcoef(lc.counts, px)[0, 1]:.3f}"
        )


if __name__ == "__main__":
    main()
