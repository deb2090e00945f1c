"""The vertex engine against the walk and edge subdivision in 3 to 6 dimensions (issue 10, part 2).

    python benchmarks/bench_lowdim.py -r 5                        # vertex engine and walk, interleaved
    python benchmarks/bench_lowdim.py -r 5 --edge CHECKOUT --edge-python /work/venv-edge/bin/python
        # and edge subdivision (a checkout of its public repository, run in its own venv through
        # bench_walk_peers.py: torch on the CPU, 1 thread, float32), interleaved with the others

Cases: He-initialised d-w-w-1 networks on [-1, 1]^d, the generator of bench_walk_speed.py (seed d):
he3 (3-16-16-1), he4 (4-16-16-1, the issue's row), he5 (5-10-10-1), he6 (6-8-8-1). Each repeat runs
every method once per case (A, B, C, A, B, C, ...); the table gives medians of wall and CPU time
(process_time: the machine may be shared) and the ratios of the CPU medians. Edge subdivision returns
the complex's vertices and edges, not a region count. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CASES = {"he3": (3, 16), "he4": (4, 16), "he5": (5, 10), "he6": (6, 8)}


def network(name: str):
    import reluregions as rr
    from bench_walk_speed import he_network

    d, w = CASES[name]
    return he_network(d, [d, w, w, 1]), rr.Box(-np.ones(d), np.ones(d))


def timed(net, box, engine: str) -> tuple[int, float, float, int]:
    import reluregions as rr

    t, cpu = time.perf_counter(), time.process_time()
    c = rr.count(net, box, engine=engine, threads=1)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return int(c), wall, cpu, int(c.stats.get("exact_decisions", 0))


def edge_run(python: str, checkout: Path, npz: Path) -> tuple[float, float, str]:
    out = subprocess.run(
        [python, str(HERE / "bench_walk_peers.py"), "edge", str(checkout), str(npz), "1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"(\d+) vertices, (\d+) edges, median ([0-9.]+) s, CPU ([0-9.]+) s", out)
    if m is None:
        raise RuntimeError(f"unexpected output of edge subdivision: {out!r}")
    return float(m.group(3)), float(m.group(4)), f"{m.group(1)} vertices, {m.group(2)} edges"


def main() -> None:
    from bench_walk_speed import machine

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-r", "--repeat", type=int, default=5)
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--edge", type=Path, help="a checkout of relu_edge_subdivision (its public repository)")
    ap.add_argument("--edge-python", default="/work/venv-edge/bin/python", help="the interpreter with torch")
    args = ap.parse_args()
    print(machine())
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases:
            net, box = network(name)
            npz = Path(tmp) / f"{name}.npz"
            arrays = {f"W{k}": W for k, W in enumerate(net.weights)}
            arrays.update({f"b{k}": b for k, b in enumerate(net.biases)})
            np.savez(npz, lo=box.lo, hi=box.hi, **arrays)
            times: dict[str, list[tuple[float, float]]] = {"vertex": [], "walk": [], "edge": []}
            counts, exact, edge_out = set(), 0, ""
            for _ in range(args.repeat):
                for engine in ("vertex", "walk"):
                    n, wall, cpu, ex = timed(net, box, engine)
                    counts.add(n)
                    exact = max(exact, ex) if engine == "vertex" else exact
                    times[engine].append((wall, cpu))
                if args.edge is not None:
                    wall, cpu, edge_out = edge_run(args.edge_python, args.edge, npz)
                    times["edge"].append((wall, cpu))
            if len(counts) != 1:
                raise RuntimeError(f"{name}: the engines disagree: {sorted(counts)}")

            def med(engine: str, k: int) -> float:
                return statistics.median(t[k] for t in times[engine]) if times[engine] else float("nan")

            rows.append(
                f"| {name} | {counts.pop():,} | {med('vertex', 0):.3f} / {med('vertex', 1):.3f} | "
                f"{med('walk', 0):.3f} / {med('walk', 1):.3f} | {med('walk', 1) / med('vertex', 1):.1f}x | "
                + (
                    f"{med('edge', 0):.3f} / {med('edge', 1):.3f} ({edge_out}) | "
                    f"{med('edge', 1) / med('vertex', 1):.1f}x | "
                    if args.edge is not None
                    else "- | - | "
                )
                + f"{exact} |"
            )
            print(rows[-1], flush=True)
    print(
        "\n| case | regions | vertex wall / CPU s | walk wall / CPU s | walk / vertex (CPU) | "
        "edge subdivision wall / CPU s | edge / vertex (CPU) | vertex exact decisions |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
