"""Local complexity during training (after Humayun, Balestriero & Baraniuk, ICML 2024, "Deep networks
always grok"): a small MLP trained on MNIST-1D with Adam (NumPy), measured at log-spaced steps by a
reluregions.analysis.RegionTracker on fixed probes around training and test points: the exact number of
regions meeting a random 2-D cross-polytope of radius r around each point, the proxy Humayun et al. use
(neurons whose sign changes over the cross-polytope's vertices), and the distance to the region boundary.
Prints every number it plots.

    python examples/analysis/local_complexity_training.py [--out DIR] [--steps 20000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from _data import he_network, load

from reluregions import analysis as an
from reluregions.plot import figure

ap = argparse.ArgumentParser()
ap.add_argument("--out", default=".", help="directory for local_complexity_training.png")
ap.add_argument("--data", default="mnist1d", choices=["mnist1d", "digits"])
ap.add_argument("--steps", type=int, default=20000, help="Adam steps (batch 128)")
ap.add_argument("--width", type=int, default=100, help="width of the two hidden layers")
ap.add_argument("--radius", type=float, default=0.05, help="radius of the cross-polytopes")
ap.add_argument("--points", type=int, default=100, help="probe points per set (train, test)")
ap.add_argument("--measurements", type=int, default=24, help="log-spaced measurement steps")
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--weight-decay", type=float, default=0.0, help="decoupled weight decay (AdamW)")
ap.add_argument("--quick", action="store_true", help="30 steps, 8 points (a smoke test)")
args = ap.parse_args()
if args.quick:
    args.steps, args.points = 30, 8

t0 = time.perf_counter()
Xtr, ytr, Xte, yte, desc = load(args.data)
rng = np.random.default_rng(0)
net0 = he_network(rng, [Xtr.shape[1], args.width, args.width, 10], bias_std=0.01)
W = [np.array(w) for w in net0.weights]
b = [np.array(v) for v in net0.biases]
schedule = sorted({0, *np.unique(np.round(np.logspace(0, np.log10(args.steps), args.measurements)).astype(int))})
tracker = an.RegionTracker(
    neighbourhoods={"train": Xtr[: args.points], "test": Xte[: args.points]},
    radius=args.radius,
    dim=2,
    shape="cross",
    distances={"train": Xtr[: args.points], "test": Xte[: args.points]},
    steps=schedule,
    rng=1,
)


def forward(X):
    hs, h = [X], X
    for l in range(len(W) - 1):
        h = np.maximum(h @ W[l].T + b[l], 0.0)
        hs.append(h)
    return hs, h @ W[-1].T + b[-1]


def accuracy(X, y):
    return float(np.mean(np.argmax(forward(X)[1], axis=1) == y))


params = W + b
m = [np.zeros_like(p) for p in params]
v = [np.zeros_like(p) for p in params]
beta1, beta2, eps = 0.9, 0.999, 1e-8
print(
    f"data: {desc}; MLP {Xtr.shape[1]}-{args.width}-{args.width}-10, Adam lr {args.lr}, "
    f"weight decay {args.weight_decay}"
)
print(f"probes: {args.points} train and {args.points} test points, 2-D cross-polytopes of radius {args.radius}")
print(
    "step | train acc | test acc | regions (train) | proxy (train) | regions (test) | proxy (test) "
    "| distance (train) | distance (test)"
)
accs = []
for step in range(args.steps + 1):
    if tracker.due(step):
        from reluregions import Network

        rec = tracker.measure(Network([w.copy() for w in W], [c.copy() for c in b]), step)
        accs.append((accuracy(Xtr, ytr), accuracy(Xte, yte)))
        print(
            f"{step} | {accs[-1][0]:.3f} | {accs[-1][1]:.3f} | {rec['local_train'].mean():.2f} | "
            f"{rec['proxy_train'].mean():.2f} | {rec['local_test'].mean():.2f} | {rec['proxy_test'].mean():.2f} | "
            f"{rec['distance_train'].mean():.3e} | {rec['distance_test'].mean():.3e}",
            flush=True,
        )
    if step == args.steps:
        break
    idx = rng.integers(0, Xtr.shape[0], 128)
    hs, out = forward(Xtr[idx])
    p = np.exp(out - out.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(idx.size), ytr[idx]] -= 1.0
    g = p / idx.size  # d loss / d logits (mean cross-entropy)
    gW, gb = [None] * len(W), [None] * len(W)
    for l in range(len(W) - 1, -1, -1):
        gW[l], gb[l] = g.T @ hs[l], g.sum(axis=0)
        if l > 0:
            g = (g @ W[l]) * (hs[l] > 0)
    t = step + 1
    for k, (prm, grad) in enumerate(zip(params, gW + gb)):
        m[k] = beta1 * m[k] + (1 - beta1) * grad
        v[k] = beta2 * v[k] + (1 - beta2) * grad**2
        prm -= args.lr * (m[k] / (1 - beta1**t) / (np.sqrt(v[k] / (1 - beta2**t)) + eps) + args.weight_decay * prm)

table = tracker.table()
fig = figure((12, 4))
ax1, ax2, ax3 = fig.subplots(1, 3)
x = table["step"] + 1
for name, style in (("train", "-"), ("test", "--")):
    ax1.plot(
        x, table[f"local_{name}_mean"], style, marker="o", ms=3, label=f"exact regions ({name})", gid=f"local_{name}"
    )
    ax1.plot(x, table[f"proxy_{name}_mean"], style, marker="s", ms=3, label=f"proxy ({name})", gid=f"proxy_{name}")
    ax2.plot(x, table[f"distance_{name}_mean"], style, marker="o", ms=3, label=name)
acc = np.array(accs)
ax3.plot(x, acc[:, 0], "-", marker="o", ms=3, label="train")
ax3.plot(x, acc[:, 1], "--", marker="o", ms=3, label="test")
for ax, title in (
    (ax1, f"local complexity (2-D cross-polytope, r = {args.radius})"),
    (ax2, "mean distance to the boundary"),
    (ax3, "accuracy"),
):
    ax.set_xscale("log")
    ax.set_xlabel("training step + 1")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
fig.savefig(os.path.join(args.out, "local_complexity_training.png"), dpi=120)
print(f"\ntotal {time.perf_counter() - t0:.0f} s")
