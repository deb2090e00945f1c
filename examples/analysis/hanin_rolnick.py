"""Hanin & Rolnick (ICML 2019), "Complexity of linear regions in deep networks", at initialisation:
(a) regions per unit length along lines through data vs the number of neurons, one line per depth at
equal total neurons; (b) the mean distance from a data point to its region's boundary vs 1 / neurons.

Networks: depths 1..5, total hidden neurons N in {32, 64, 128, 256, 512} split evenly over the layers,
He-normal weights, biases N(0, 0.01^2), 10 outputs, several random initialisations. Lines: segments
between random pairs of training points (exact counts, reluregions.analysis.density_along); density =
breakpoints per unit Euclidean length. Distances: exact pattern, distance to the region boundary of
test points (analysis.distance_to_boundary). Prints every number it plots and the fits.

    python examples/analysis/hanin_rolnick.py [--out DIR] [--data mnist1d|digits] [--quick]
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
ap.add_argument("--out", default=".", help="directory for hanin_rolnick_density.png and hanin_rolnick_distance.png")
ap.add_argument("--data", default="mnist1d", choices=["mnist1d", "digits"])
ap.add_argument("--quick", action="store_true", help="fewer networks and segments (a smoke test)")
ap.add_argument("--seeds", type=int, default=3, help="random initialisations per architecture")
ap.add_argument("--pairs", type=int, default=60, help="segments per network")
args = ap.parse_args()

t0 = time.perf_counter()
Xtr, _, Xte, _, desc = load(args.data)
depths = [1, 2, 3] if args.quick else [1, 2, 3, 4, 5]
neurons = [32, 64, 128] if args.quick else [32, 64, 128, 256, 512]
seeds = 1 if args.quick else args.seeds
pairs = 10 if args.quick else args.pairs
Xd = Xte[: 200 if args.quick else 1000]
print(f"data: {desc}; segments per network: {pairs}; distance points: {Xd.shape[0]}; seeds: {seeds}")

density = np.zeros((len(depths), len(neurons), seeds))
distance = np.zeros_like(density)
print(
    "depth | neurons | widths | breakpoints per unit length (mean over segments, per seed) | mean distance (per seed)"
)
for a, L in enumerate(depths):
    for b, N in enumerate(neurons):
        widths = [N // L] * L
        widths[0] += N - sum(widths)
        for s in range(seeds):
            rng = np.random.default_rng(1000 * L + 10 * N + s)
            net = he_network(rng, [Xtr.shape[1], *widths, 10], bias_std=0.01)
            density[a, b, s] = an.density_along(net, Xtr, pairs, rng=rng).summary["mean"]
            distance[a, b, s] = float(np.mean(an.distance_to_boundary(net, Xd)))
        print(
            f"{L} | {N} | {'-'.join(map(str, widths))} | {', '.join(f'{v:.3f}' for v in density[a, b])} | "
            f"{', '.join(f'{v:.3e}' for v in distance[a, b])}"
        )

# Fits: density = slope * N (through the origin) per depth and seed; distance = c / N.
print("\n(a) density vs neurons: least-squares slope through the origin, mean +- std over seeds; R^2 of a line")
Nv = np.asarray(neurons, dtype=float)
slopes = np.array([[density[a, :, s] @ Nv / (Nv @ Nv) for s in range(seeds)] for a in range(len(depths))])
for a, L in enumerate(depths):
    m = density[a].mean(axis=1)
    coef = np.polyfit(Nv, m, 1)
    r2 = 1 - np.sum((m - np.polyval(coef, Nv)) ** 2) / np.sum((m - m.mean()) ** 2)
    print(
        f"depth {L}: slope {slopes[a].mean():.3e} +- {slopes[a].std(ddof=1) if seeds > 1 else 0:.1e} "
        f"breakpoints per unit length per neuron; line fit R^2 = {r2:.3f}, intercept {coef[1]:.3f}"
    )
spread = slopes.mean(axis=1)
print(
    f"slopes across depths: min {spread.min():.3e}, max {spread.max():.3e}, max/min = {spread.max() / spread.min():.2f}"
)
print("\n(b) mean distance vs 1 / neurons: c in distance = c / N, mean +- std over seeds")
cs = np.array([[np.mean(distance[a, :, s] * Nv) for s in range(seeds)] for a in range(len(depths))])
for a, L in enumerate(depths):
    loglog = np.polyfit(np.log(Nv), np.log(distance[a].mean(axis=1)), 1)[0]
    print(
        f"depth {L}: c = {cs[a].mean():.3f} +- {cs[a].std(ddof=1) if seeds > 1 else 0:.3f}; "
        f"log-log slope {loglog:.2f} (-1: 1/N)"
    )

fig = figure((6.4, 4.8))
ax = fig.subplots()
for a, L in enumerate(depths):
    m, e = density[a].mean(axis=1), density[a].std(axis=1)
    ax.errorbar(neurons, m, yerr=e, marker="o", capsize=3, label=f"depth {L}", gid=f"depth{L}")
ax.set_xlabel("hidden neurons N")
ax.set_ylabel("breakpoints per unit length (lines through data)")
ax.set_title(f"Regions along lines through data at initialisation\n{desc}", fontsize=9)
ax.legend()
fig.savefig(os.path.join(args.out, "hanin_rolnick_density.png"), dpi=120)

fig = figure((6.4, 4.8))
ax = fig.subplots()
for a, L in enumerate(depths):
    m, e = distance[a].mean(axis=1), distance[a].std(axis=1)
    ax.errorbar(1 / Nv, m, yerr=e, marker="o", capsize=3, label=f"depth {L}", gid=f"depth{L}")
ax.set_xlabel("1 / hidden neurons")
ax.set_ylabel("mean distance to the region boundary (test points)")
ax.set_title(f"Distance to the nearest region boundary at initialisation\n{desc}", fontsize=9)
ax.legend()
fig.savefig(os.path.join(args.out, "hanin_rolnick_distance.png"), dpi=120)
print(f"\ntotal {time.perf_counter() - t0:.0f} s")
