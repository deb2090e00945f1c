"""Peers of the walk on the networks of bench_walk_speed.py, each run in its own venv (issue 10).

    # 1. with reluregions installed: write the networks (npz: W0, b0, W1, b1, ...)
    python benchmarks/bench_walk_peers.py save /tmp/nets
    # 2. edge subdivision (a checkout of its public repository, torch on the CPU, 1 thread)
    /work/venv-edge/bin/python benchmarks/bench_walk_peers.py edge /path/to/relu_edge_subdivision /tmp/nets/he4.npz
    # 3. nnenum (installed from its public repository), exact enumeration, 1 process
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /work/venv-nnenum/bin/python benchmarks/bench_walk_peers.py nnenum \
        /tmp/nets/n11.npz

Nothing of the peers is vendored here: their code is imported from where they are installed. Edge
subdivision returns the vertices and edges of the complex (not a region count); nnenum counts the
stars it finished (one per activation region). Timings are printed, never asserted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np


def save(out: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_walk_speed import case

    out.mkdir(parents=True, exist_ok=True)
    for name in ("he4", "he8", "n11", "n33"):
        try:
            net, dom = case(name, Path("/work/acas/ACASXU_run2a_3_3_batch_2000.nnet"))
        except (OSError, ImportError) as e:
            print(f"{name}: skipped ({e})")
            continue
        arrays = {f"W{k}": W for k, W in enumerate(net.weights)}
        arrays.update({f"b{k}": b for k, b in enumerate(net.biases)})
        np.savez(out / f"{name}.npz", lo=dom.lo, hi=dom.hi, **arrays)
        print(f"{name}: {out / f'{name}.npz'}")


def layers(path: Path) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    z = np.load(path)
    n = sum(1 for k in z.files if k.startswith("W"))
    return [z[f"W{k}"] for k in range(n)], [z[f"b{k}"] for k in range(n)], z["lo"], z["hi"]


def edge(repo: Path, net_path: Path, repeat: int = 3) -> None:
    import torch

    sys.path.insert(0, str(repo))
    from edge_subdivision import skeletal_subdivision  # type: ignore[import-not-found]
    from NN import Net  # type: ignore[import-not-found]

    torch.set_num_threads(1)
    Ws, bs, lo, hi = layers(net_path)
    if not (np.all(lo == -1.0) and np.all(hi == 1.0)):
        raise ValueError("edge subdivision runs on [-1, 1]^d only")
    f = Net([Ws[0].shape[1]] + [W.shape[0] for W in Ws])  # float32, as the method runs
    with torch.no_grad():
        for fc, W, b in zip(f.fcs, Ws, bs):
            fc.weight.copy_(torch.from_numpy(W.astype(np.float32)))
            fc.bias.copy_(torch.from_numpy(b.astype(np.float32)))
    times, cpus = [], []
    for _ in range(repeat):
        t, cpu = time.perf_counter(), time.process_time()
        vs, edges, _ = skeletal_subdivision(f, bbox=(-1, 1), device="cpu", verbose=False)
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - cpu)
    print(
        f"edge subdivision {net_path.stem}: {len(vs)} vertices, {len(edges)} edges, median {np.median(times):.3f} s, "
        f"CPU {np.median(cpus):.3f} s of {repeat} (torch {torch.__version__}, 1 thread, float32)"
    )


def nnenum(net_path: Path) -> None:
    from nnenum.enumerate import enumerate_network
    from nnenum.network import FullyConnectedLayer, NeuralNetwork, ReluLayer
    from nnenum.settings import Settings

    Settings.NUM_PROCESSES = 1
    Settings.TIMING_STATS = False
    Settings.PRINT_OUTPUT = False
    Settings.TRY_QUICK_OVERAPPROX = False
    Settings.BRANCH_MODE = Settings.BRANCH_EXACT
    Ws, bs, lo, hi = layers(net_path)
    lays = []
    for k, (W, b) in enumerate(zip(Ws, bs)):
        lays.append(FullyConnectedLayer(len(lays), W, b))
        if k + 1 < len(Ws):
            lays.append(ReluLayer(len(lays), (W.shape[0],)))
    network = NeuralNetwork(lays)
    init = np.array([lo, hi], dtype=float).T
    t, cpu = time.perf_counter(), time.process_time()
    res = enumerate_network(init, network)
    print(
        f"nnenum {net_path.stem}: {res.total_stars} stars, {time.perf_counter() - t:.2f} s, "
        f"CPU {time.process_time() - cpu:.2f} s (1 process, exact)"
    )


def main() -> None:
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "save" and len(sys.argv) == 3:
        save(Path(sys.argv[2]))
    elif cmd == "edge" and len(sys.argv) >= 4:
        edge(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 3)
    elif cmd == "nnenum" and len(sys.argv) == 3:
        nnenum(Path(sys.argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
