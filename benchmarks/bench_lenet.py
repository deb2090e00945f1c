"""A LeNet-5-shaped network (1x28x28 input, conv 6@5x5, ReLU, max-pool 2, conv 16@5x5, ReLU, max-pool 2,
120, 84, 10; random weights, PyTorch's default initialisation, seed 0) imported with from_torch: regions
on the segment between two images and on the plane through three (random images in [0, 1]), with the
time and the process's peak resident memory. Needs torch. Numbers are printed, never asserted.

    python benchmarks/bench_lenet.py [segment|plane|both] [TIME_LIMIT_SECONDS]
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np

import reluregions as rr


def lenet5():
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(1, 6, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    import torch

    which = sys.argv[1] if len(sys.argv) > 1 else "both"
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
    torch.manual_seed(0)
    module = lenet5().eval()
    t = time.perf_counter()
    net = rr.Network.from_torch(module, torch.zeros(1, 1, 28, 28))
    chain = [W.shape[0] for W in net._weights[:-1]]
    print(
        f"import: {time.perf_counter() - t:.1f} s; {net}; engine chain {chain} ({sum(chain)} units); peak {peak_mb():.0f} MB"
    )
    images = np.random.default_rng(0).uniform(size=(3, 784))
    domains = []
    if which in ("segment", "both"):
        domains.append(("segment between two images", rr.Segment(images[0], images[1])))
    if which in ("plane", "both"):
        domains.append(("plane through three images", rr.Plane.through(*images, margin=0.1)))
    for label, dom in domains:
        t = time.perf_counter()
        res = rr.regions(net, dom, time_limit=limit, partial=True)
        el = time.perf_counter() - t
        ok = np.array_equal(net.activation_pattern(res.witnesses[:200], exact=True), res.patterns[:200])
        print(
            f"{label}: {res.count:,} regions ({res.engine} engine, complete={res.complete}) in {el:.1f} s; "
            f"witness patterns exact: {ok}; peak {peak_mb():.0f} MB"
        )


if __name__ == "__main__":
    main()
