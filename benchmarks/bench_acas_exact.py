"""ACAS Xu networks from ../shared/data/acasxu (ONNX, VNN-COMP) over property 1's input box, counted
by the exact walk with 1 and 2 threads (timings printed, never asserted; needs `pip install onnx`).

    python benchmarks/bench_acas_exact.py [DATA_DIR]

The ONNX graph is Sub(input, AvgImg), then MatMul + Add (+ Relu) per layer; it is read here with the
onnx package directly (a general importer is issue 13). AvgImg must be zero (it is in these files),
so the network is exactly the stored weights.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np

import reluregions as rr


def load(path: Path) -> rr.Network:
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(path))
    init = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in m.graph.initializer}
    Ws, bs = [], []
    for node in m.graph.node:
        if node.op_type == "Sub":
            avg = init[node.input[1]]
            if np.any(avg != 0):
                raise ValueError(f"{path.name}: non-zero input offset {avg.ravel()}")
        elif node.op_type == "MatMul":
            Ws.append(init[node.input[1]].T)
        elif node.op_type == "Add":
            bs.append(init[node.input[1]].ravel())
    return rr.Network(Ws, bs)


def box(vnnlib: Path) -> rr.Box:
    lo, hi = {}, {}
    for op, var, val in re.findall(r"\(assert \((<=|>=) X_(\d+) ([-0-9.eE]+)\)\)", vnnlib.read_text()):
        (hi if op == "<=" else lo)[int(var)] = float(val)
    n = max(lo) + 1
    return rr.Box([lo[i] for i in range(n)], [hi[i] for i in range(n)])


def main() -> None:
    data = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data" / "acasxu"
    )
    dom = box(data / "prop_1.vnnlib")
    print(f"property 1 box: lo={dom.lo.tolist()} hi={dom.hi.tolist()}")
    print("| network | threads | regions | time (s) | exact decisions | per 1,000 regions | thin |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for f in sorted(data.glob("ACASXU_*.onnx")):
        net = load(f)
        pats = {}
        for threads in (1, 2):
            t = time.perf_counter()
            res = rr.regions(net, dom, threads=threads)
            el = time.perf_counter() - t
            ex = int(res.stats.get("exact_decisions", 0))
            pats[threads] = res.patterns
            print(
                f"| {f.stem} | {threads} | {res.count:,} | {el:.2f} | {ex} | {1000.0 * ex / max(res.count, 1):.3f} | {int(res.thin.sum())} |"
            )
        print(f"|   same regions with 1 and 2 threads | | {np.array_equal(pats[1], pats[2])} | | | | |")


if __name__ == "__main__":
    main()
