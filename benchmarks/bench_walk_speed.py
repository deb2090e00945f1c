"""The walk's cost per region (issue 10): LPs by kind, pivots and nodes per region, on ACAS Xu and He nets.

    python benchmarks/bench_walk_speed.py                       # every case, this venv, 3 runs each
    python benchmarks/bench_walk_speed.py --cases n11 he4 -r 5  # some cases
    python benchmarks/bench_walk_speed.py --json CASE           # one timed run of one case, as JSON
    python benchmarks/bench_walk_speed.py --compare PY_A PY_B -r 5 --cases n11 he4
        # interleaved runs (A, B, A, B, ...) of interpreters (e.g. venvs), medians and ratios to A

Cases (`count`, threads=1 unless `--threads`):
  n11  ACAS Xu N1_1 (../shared/data/acasxu, ONNX) over property 1's box (normalised coordinates)
  n33  ACAS Xu N3_3 (/work/acas/ACASXU_run2a_3_3_batch_2000.nnet, or --nnet33) over the same box
  he4  He 4-16-16-1 (seed 4, the generator of bench_walk.py), [-1, 1]^4
  he8  He 8-12-12-1 (seed 8), [-1, 1]^8

The .nnet text format stores the weights of the network on normalised inputs (x - mean) / range, as
the ONNX files take them, so property 1's box is used as it is. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
DATA = HERE.parents[2] / "shared" / "data" / "acasxu"
NNET33 = Path("/work/acas/ACASXU_run2a_3_3_batch_2000.nnet")
CASES = ["n11", "n33", "he4", "he8"]


def load_nnet(path: Path):
    """A minimal reader of the .nnet text format: weights and biases on normalised inputs."""
    import reluregions as rr

    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("//")]

    def numbers(line: str) -> list[float]:
        return [float(v) for v in line.split(",") if v.strip()]

    num_layers = int(numbers(lines[0])[0])
    sizes = [int(v) for v in numbers(lines[1])]
    if len(sizes) != num_layers + 1:
        raise ValueError(f"{path.name}: {len(sizes)} layer sizes for {num_layers} layers")
    at = 7  # header, sizes, flag, min, max, means, ranges
    Ws, bs = [], []
    for k in range(num_layers):
        n_in, n_out = sizes[k], sizes[k + 1]
        W = np.array([numbers(lines[at + j]) for j in range(n_out)])
        at += n_out
        b = np.array([numbers(lines[at + j])[0] for j in range(n_out)])
        at += n_out
        if W.shape != (n_out, n_in):
            raise ValueError(f"{path.name}: layer {k} weights have shape {W.shape}, expected {(n_out, n_in)}")
        Ws.append(W)
        bs.append(b)
    return rr.Network(Ws, bs)


def he_network(seed: int, dims: list[int]):
    import reluregions as rr

    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i]) for i in range(len(dims) - 1)]
    bs = [rng.normal(size=dims[i + 1]) * 0.1 for i in range(len(dims) - 1)]
    return rr.Network(Ws, bs)


def case(name: str, nnet33: Path, nets: Path | None = None):
    import reluregions as rr

    if nets is not None:  # written by bench_walk_peers.py save (for venvs without onnx)
        z = np.load(nets / f"{name}.npz")
        n = sum(1 for k in z.files if k.startswith("W"))
        net = rr.Network([z[f"W{k}"] for k in range(n)], [z[f"b{k}"] for k in range(n)])
        return net, rr.Box(z["lo"], z["hi"])
    sys.path.insert(0, str(HERE.parent))
    from bench_acas_exact import box, load

    if name == "n11":
        return load(DATA / "ACASXU_run2a_1_1_batch_2000.onnx"), box(DATA / "prop_1.vnnlib")
    if name == "n33":
        return load_nnet(nnet33), box(DATA / "prop_1.vnnlib")
    d, w = {"he4": (4, 16), "he8": (8, 12)}[name]
    return he_network(d, [d, w, w, 1]), rr.Box(-np.ones(d), np.ones(d))


def one_run(name: str, threads: int, nnet33: Path, regions: bool, nets: Path | None = None) -> dict:
    import reluregions as rr

    net, dom = case(name, nnet33, nets)
    t, cpu = time.perf_counter(), time.process_time()
    if regions:
        res = rr.regions(net, dom, threads=threads)
        n, s = res.count, res.stats
    else:
        c = rr.count(net, dom, threads=threads, engine="walk")  # the walk's statistics
        n, s = int(c), c.stats
    el, cpu = time.perf_counter() - t, time.process_time() - cpu
    out = {"case": name, "threads": threads, "regions": n, "seconds": el, "cpu": cpu}
    out.update({k: float(v) for k, v in s.items() if isinstance(v, (int, float))})
    return out


def per_region(r: dict) -> str:
    n = max(1.0, float(r["regions"]))

    def g(k: str) -> float:
        return float(r.get(k, 0.0)) / n

    return (
        f"{g('lps'):.2f} | {g('box_lps'):.2f} | {g('chebyshev'):.2f} | "
        f"{g('lps') + g('box_lps') + g('chebyshev'):.2f} | {g('pivots'):.1f} | {g('nodes'):.1f} | "
        f"{g('inherited'):.1f} | {int(r.get('exact_decisions', 0))}"
    )


HEADER = (
    "| case | threads | regions | median s | median CPU s | decision LPs/region | box LPs/region | "
    "Chebyshev LPs/region | LPs/region | pivots/region | nodes/region | inherited/region | exact decisions |"
)


def machine() -> str:
    cpu = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        cpu = next((ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")), "")
    except OSError:
        pass
    return (
        f"nproc {os.cpu_count()}, {cpu or platform.processor()}, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}"
    )


def sub_run(py: str, name: str, threads: int, nnet33: Path, regions: bool, nets: Path | None) -> dict:
    cmd = [py, str(HERE), "--json", name, "--threads", str(threads), "--nnet33", str(nnet33)]
    if nets is not None:
        cmd += ["--nets", str(nets)]
    if regions:
        cmd.append("--regions")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=CASES, choices=CASES)
    ap.add_argument("-r", "--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--regions", action="store_true", help="time regions() instead of count()")
    ap.add_argument("--nnet33", type=Path, default=NNET33)
    ap.add_argument("--json", metavar="CASE", choices=CASES)
    ap.add_argument("--nets", type=Path, help="read the networks from npz files (bench_walk_peers.py save)")
    ap.add_argument("--compare", nargs="+", metavar="PY", help="interpreters to interleave; ratios against the first")
    args = ap.parse_args()
    if args.json:
        print(json.dumps(one_run(args.json, args.threads, args.nnet33, args.regions, args.nets)))
        return
    pys = args.compare or [sys.executable]
    print(f"# bench_walk_speed: {machine()}")
    print(f"# command: {' '.join(sys.argv)}")
    print(HEADER)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.cases:
        runs: dict[str, list[dict]] = {py: [] for py in pys}
        for _ in range(args.repeat):
            for py in pys:  # interleaved: A, B, A, B, ...
                runs[py].append(sub_run(py, name, args.threads, args.nnet33, args.regions, args.nets))
        med, cpu = {}, {}
        for k, py in enumerate(pys):
            rs = runs[py]
            med[py] = statistics.median(r["seconds"] for r in rs)
            cpu[py] = statistics.median(r["cpu"] for r in rs)
            label = f"{name} ({'ABCDEFGH'[k]})" if args.compare else name
            print(
                f"| {label} | {args.threads} | {rs[0]['regions']:,} | {med[py]:.3f} | {cpu[py]:.3f} | {per_region(rs[0])} |"
            )
        for k, b in enumerate(pys[1:], start=1):
            a = pys[0]
            same = runs[a][0]["regions"] == runs[b][0]["regions"]
            print(
                f"|   {'ABCDEFGH'[k]} / A | | same count: {same} | {med[b] / med[a]:.2f}x | {cpu[b] / cpu[a]:.2f}x "
                "| | | | | | | | |"
            )


if __name__ == "__main__":
    main()
