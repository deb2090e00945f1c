"""A LeNet-5-shaped network (1x28x28 input, conv 6@5x5, ReLU, max-pool 2, conv 16@5x5, ReLU, max-pool 2,
120, 84, 10; random weights, PyTorch's default initialisation, seed 0) imported with from_torch: regions
on the segment between two images and on the plane through three (random images in [0, 1]), with the
time and the peak resident memory. Needs torch. Numbers are printed, never asserted.

    python benchmarks/bench_lenet.py [segment|plane|both] [TIME_LIMIT_SECONDS]

The model is imported in this process (torch loaded: its peak RSS is printed), saved to a temporary
``.npz`` and every count / regions() call runs in a fresh process that loads it (no torch), whose peak
RSS is that of the engines and the model alone.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time

RUN = r"""
import resource, sys, time
import numpy as np
import reluregions as rr

def peak():  # VmHWM: this process's own peak (ru_maxrss would include the parent's, inherited at exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

path, which, fn_name, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
net = rr.Network.load(path)
loaded = peak()
images = np.random.default_rng(0).uniform(size=(3, 784))
dom = rr.Segment(images[0], images[1]) if which == "segment" else rr.Plane.through(*images, margin=0.1)
t = time.perf_counter()
res = getattr(rr, fn_name)(net, dom, time_limit=limit, partial=True)
el = time.perf_counter() - t
after = peak()
if fn_name == "count":
    print(f"{fn_name}: {int(res):,} regions (complete={res.complete}) in {el:.1f} s; "
          f"peak RSS {after:.0f} MB (after loading the model: {loaded:.0f} MB)")
else:
    stats = {k: v for k, v in res.stats.items() if "exact" in k}
    print(f"{fn_name}: {res.count:,} regions ({res.engine} engine, complete={res.complete}) in {el:.1f} s; "
          f"peak RSS {after:.0f} MB (after loading the model: {loaded:.0f} MB); {stats}")
    sample = np.random.default_rng(1).choice(res.count, size=min(200, res.count), replace=False)
    witnesses = res.witnesses[sample]
    ok = np.array_equal(net.activation_pattern(witnesses, exact=True), res.patterns[sample])
    print(f"  200 witnesses' exact patterns equal their regions': {ok} "
          f"(unpacking all {res.count:,} patterns: peak RSS {peak():.0f} MB)")
"""


def lenet5():  # type: ignore[no-untyped-def]
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

    import reluregions as rr

    which = sys.argv[1] if len(sys.argv) > 1 else "both"
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
    print(f"torch imported: peak RSS {peak_mb():.0f} MB")
    torch.manual_seed(0)
    module = lenet5().eval()
    t = time.perf_counter()
    net = rr.Network.from_torch(module, torch.zeros(1, 1, 28, 28))
    chain = [W.shape[0] for W in net._weights[:-1]]
    print(
        f"from_torch: {time.perf_counter() - t:.1f} s; {net}; engine chain {chain} ({sum(chain)} units); "
        f"peak RSS with torch {peak_mb():.0f} MB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lenet.npz")
        net.save(path)
        for dom in ("segment", "plane"):
            if which not in (dom, "both"):
                continue
            print(f"{'segment between two images' if dom == 'segment' else 'plane through three images'}:")
            for fn in ("count", "regions"):
                out = subprocess.run(
                    [sys.executable, "-c", RUN, path, dom, fn, str(limit)], capture_output=True, text=True, check=True
                )
                print("  " + out.stdout.strip().replace("\n", "\n  "), flush=True)


if __name__ == "__main__":
    main()
