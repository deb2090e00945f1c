"""Side by side with regioncam (PyPI; float32 arithmetic): the number of regions on the 2-D plane
through three inputs, and the time of each, for random networks with a residual block and with
max-pooling (regioncam's ``max_pool`` takes the maximum of all values of a layer, so the max-pool here
is over two values: one comparison, the same cell either way). Weights are float32 values (regioncam
computes in float32); reluregions counts the same float32 weights exactly, on the same plane and square
(regioncam's ``through_points`` square, read back from its vertices). Numbers are printed, not asserted.

    python benchmarks/bench_regioncam.py [SEEDS]

Times are medians of 5 interleaved runs (regioncam, reluregions, regioncam, ...) per network.
"""

from __future__ import annotations

import sys
import time

import numpy as np

import reluregions as rr


def f32(rng: np.random.Generator, *shape: int, scale: float = 1.0) -> np.ndarray:
    return (rng.normal(size=shape) * scale).astype(np.float32)


def residual_case(rng: np.random.Generator, d: int, h: int) -> tuple[list, rr.Network]:
    """x -> Linear(d, h) -> ReLU -> x + Linear(h, h)(ReLU(Linear(h, h) x)) -> ReLU -> Linear(h, 2)."""
    import regioncam as rc

    W1, b1 = f32(rng, h, d, scale=d**-0.5), f32(rng, h)
    W2, b2 = f32(rng, h, h, scale=h**-0.5), f32(rng, h)
    W3, b3 = f32(rng, h, h, scale=h**-0.5), f32(rng, h)
    W4, b4 = f32(rng, 2, h, scale=h**-0.5), f32(rng, 2)
    rc_net = [
        rc.nn.Linear(W1.T.copy(), b1),
        rc.nn.ReLU(),
        rc.nn.Residual(rc.nn.Sequential(rc.nn.Linear(W2.T.copy(), b2), rc.nn.ReLU(), rc.nn.Linear(W3.T.copy(), b3))),
        rc.nn.ReLU(),
        rc.nn.Linear(W4.T.copy(), b4),
    ]
    L = rr.Layer
    # Sources: 1 = first ReLU, 2 = the block's ReLU; the block's output h1 + W3 h2 + b3 feeds the last ReLU.
    layers = [L.activation({0: W1}, b1), L.activation({1: W2}, b2), L.activation({1: np.eye(h), 2: W3}, b3)]
    net = rr.Network.from_graph(d, layers, L.affine({3: W4}, b4))
    return rc_net, net


def maxpool_case(rng: np.random.Generator, d: int, h: int) -> tuple[list, rr.Network]:
    """x -> Linear(d, h) -> ReLU -> Linear(h, 2) -> max -> Linear(1, h) -> ReLU -> Linear(h, 1)."""

    W1, b1 = f32(rng, h, d, scale=d**-0.5), f32(rng, h)
    W2, b2 = f32(rng, 2, h, scale=h**-0.5), f32(rng, 2)
    W3, b3 = f32(rng, h, 1), f32(rng, h)
    W4, b4 = f32(rng, 1, h, scale=h**-0.5), f32(rng, 1)
    L = rr.Layer
    layers = [L.activation({0: W1}, b1), L.max_pool({1: W2}, b2, [[0, 1]]), L.activation({2: W3}, b3)]
    net = rr.Network.from_graph(d, layers, L.affine({3: W4}, b4))
    return ["maxpool", (W1, b1, W2, b2, W3, b3, W4, b4)], net


def regioncam_count(kind: str, spec: list, points: np.ndarray) -> tuple[int, float, object]:
    import regioncam as rc

    t = time.perf_counter()
    cam = rc.Regioncam.through_points(points)
    if kind == "maxpool":
        W1, b1, W2, b2, W3, b3, W4, b4 = spec[1]
        cam.linear(W1.T.copy(), b1)
        cam.relu()
        cam.linear(W2.T.copy(), b2)
        cam.max_pool()
        cam.linear(W3.T.copy(), b3)
        cam.relu()
        cam.linear(W4.T.copy(), b4)
    else:
        cam.add(spec)
    return cam.num_faces, time.perf_counter() - t, cam


REPEATS = 5


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    print("| case | seed | regioncam regions | reluregions regions | same | regioncam (ms) | reluregions (ms) |")
    print("|---|---:|---:|---:|:---:|---:|---:|")
    cases = [("residual", residual_case, 10, h) for h in (16, 48)] + [
        ("maxpool", maxpool_case, 10, h) for h in (16, 64)
    ]
    for kind, make, d, h in cases:
        same, ratios = 0, []
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            spec, net = make(rng, d, h)
            points = f32(rng, 3, d)
            ours_ref = net(points.astype(np.float64))
            n_rc, _, cam = regioncam_count(kind, spec, points)
            V = np.asarray(cam.vertex_inputs, dtype=np.float64)
            W, b = np.asarray(cam.plane.weight, np.float64), np.asarray(cam.plane.bias, np.float64)
            side = (float(V.min()), float(V.max()))
            plane = rr.Plane(b, W[0], W[1], s_range=side, t_range=side)
            # regioncam's network is ours: outputs at its vertices agree to float32 precision
            Xv = V[:4] @ W + b
            assert np.allclose(np.asarray(cam.vertex_outputs, np.float64)[:4], net(Xv), rtol=1e-3, atol=1e-3), kind
            del ours_ref
            t_rc_runs, t_us_runs = [], []
            for _ in range(REPEATS):  # interleaved: the machine is shared
                t_rc_runs.append(regioncam_count(kind, spec, points)[1])
                t = time.perf_counter()
                n_us = rr.count(net, plane)
                t_us_runs.append(time.perf_counter() - t)
            t_rc, t_us = float(np.median(t_rc_runs)), float(np.median(t_us_runs))
            same += n_us == n_rc
            ratios.append(t_us / t_rc)
            print(
                f"| {kind} h={h} | {seed} | {n_rc:,} | {n_us:,} | {'yes' if n_us == n_rc else 'NO'} | {1e3 * t_rc:.1f} | {1e3 * t_us:.1f} |"
            )
        print(
            f"| {kind} h={h}: same count | {same}/{seeds} | | | | median time ratio ours/regioncam | {np.median(ratios):.2f} |"
        )


if __name__ == "__main__":
    main()
