"""ACAS Xu N1_1 on property 1 by three routes: the dense network read from the ONNX arrays directly (the
route of bench_acas_exact.py), the CLI's model route (``reluregions count MODEL.onnx --vnnlib PROP``:
Network.from_onnx + Box.from_vnnlib) and the .nnet file (``from_nnet(normalized=True)``: the stored
weights, in the normalised coordinates of the VNN-LIB file). Counts must agree; times are medians of
interleaved runs (the machine is shared). Needs onnx; the .nnet file is looked for in /work/acas or
the directory given.

    python benchmarks/bench_model_routes.py [DATA_DIR] [NNET_DIR]
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

import reluregions as rr
from reluregions.cli import main as cli

REPEATS = 3


def dense_route(onnx_path: Path, box: rr.Box) -> int:
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(onnx_path))
    init = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in m.graph.initializer}
    Ws = [init[nd.input[1]].T for nd in m.graph.node if nd.op_type == "MatMul"]
    bs = [init[nd.input[1]].ravel() for nd in m.graph.node if nd.op_type == "Add"]
    return int(rr.count(rr.Network(Ws, bs), box))


def cli_route(onnx_path: Path, prop: Path) -> int:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli(["count", str(onnx_path), "--vnnlib", str(prop), "--no-linear", "--json"]) == 0
    return int(json.loads(buf.getvalue())["regions"])


def nnet_route(nnet_path: Path, box: rr.Box) -> int:
    return int(rr.count(rr.Network.from_nnet(nnet_path, normalized=True), box))


def main() -> None:
    data = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data" / "acasxu"
    )
    nnet_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/work/acas")
    onnx_path, prop = data / "ACASXU_run2a_1_1_batch_2000.onnx", data / "prop_1.vnnlib"
    nnet_path = nnet_dir / "ACASXU_run2a_1_1_batch_2000.nnet"
    box = rr.Box.from_vnnlib(prop)
    routes = {
        "dense (ONNX arrays)": lambda: dense_route(onnx_path, box),
        "CLI: count MODEL.onnx --vnnlib": lambda: cli_route(onnx_path, prop),
    }
    if nnet_path.is_file():
        routes[".nnet, normalized"] = lambda: nnet_route(nnet_path, box)
    times: dict[str, list[float]] = {k: [] for k in routes}
    counts: dict[str, int] = {}
    for _ in range(REPEATS):
        for name, run in routes.items():
            t = time.perf_counter()
            counts[name] = run()
            times[name].append(time.perf_counter() - t)
    print("| route | regions | median time (s) |")
    print("|---|---:|---:|")
    for name in routes:
        print(f"| {name} | {counts[name]:,} | {np.median(times[name]):.2f} |")
    print(f"all equal: {len(set(counts.values())) == 1}")


if __name__ == "__main__":
    main()
