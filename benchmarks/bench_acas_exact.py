"""ACAS Xu networks over property 1's input box, counted by the exact walk with 1 and 2 threads:
regions, time, exact decisions, thin regions, same regions for both thread counts, and the exact
patterns of 2,000 sampled witnesses (timings printed, never asserted).

    python benchmarks/bench_acas_exact.py [DATA_DIR] [--nnet FILE.nnet ...] [--float32]

DATA_DIR (default ../shared/data/acasxu) holds VNN-COMP's ONNX networks and prop_1.vnnlib (needs
`pip install onnx`). ``--nnet`` adds networks in the original .nnet format, read with their stored
weights on normalised inputs (the coordinates of VNN-COMP's properties); ``--float32`` rounds their
weights to float32 first, which gives exactly VNN-COMP's ONNX networks (checked on N1_1).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import reluregions as rr


def float32(net: rr.Network) -> rr.Network:
    r = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)  # noqa: E731
    return rr.Network([r(W) for W in net.weights], [r(b) for b in net.biases])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("data", nargs="?", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/acasxu")
    p.add_argument("--nnet", nargs="*", type=Path, default=[])
    p.add_argument("--float32", action="store_true")
    args = p.parse_args()
    dom = rr.Box.from_vnnlib(args.data / "prop_1.vnnlib")
    nets = [(f.stem, rr.Network.from_onnx(f)) for f in sorted(args.data.glob("ACASXU_*.onnx"))]
    for f in args.nnet:
        net = rr.Network.from_nnet(f, normalized=True)
        nets.append((f.stem + (" (float32)" if args.float32 else ""), float32(net) if args.float32 else net))
    print(f"property 1 box: lo={dom.lo.tolist()} hi={dom.hi.tolist()}")
    print("| network | threads | regions | time (s) | exact decisions | per 1,000 regions | thin |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for name, net in nets:
        res = {}
        for threads in (1, 2):
            t = time.perf_counter()
            res[threads] = r = rr.regions(net, dom, threads=threads)
            el = time.perf_counter() - t
            ex = int(r.stats.get("exact_decisions", 0))
            print(
                f"| {name} | {threads} | {r.count:,} | {el:.2f} | {ex} | {1000.0 * ex / max(r.count, 1):.3f} "
                f"| {int(r.thin.sum())} |"
            )
        same = np.array_equal(res[1].patterns, res[2].patterns) and np.array_equal(res[1].witnesses, res[2].witnesses)
        idx = rng.choice(res[1].count, min(2000, res[1].count), replace=False)
        exact = np.array_equal(net.activation_pattern(res[1].witnesses[idx], exact=True), res[1].patterns[idx])
        print(f"|   1 and 2 threads: same regions and witnesses {same}; 2,000 witnesses' exact patterns {exact} |")


if __name__ == "__main__":
    main()
