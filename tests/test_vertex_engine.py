"""The vertex engine (boxes of 3 to 6 dimensions, issue 10): its count equals the walk's and the exact
truth (``exact_util.exact_regions_box``: polytope splitting in fractions), on generic, degenerate and
near-degenerate networks, at extreme scales, and it honours the limits."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reluregions as rr
from exact_util import exact_regions_box
from profiles import examples
from strategies import ALL_KINDS, networks


def vertex(net: rr.Network, box: rr.Box) -> int:
    c = rr.count(net, box, engine="vertex")
    assert c.complete
    return int(c)


def walk(net: rr.Network, box: rr.Box) -> int:
    return int(rr.count(net, box, engine="walk", threads=1))


def exact(net: rr.Network, box: rr.Box) -> int:
    return len(exact_regions_box(net, box.lo, box.hi))


@st.composite
def boxes(draw, d: int, integer: bool) -> rr.Box:
    if integer:
        lo = np.array(draw(st.lists(st.sampled_from([-2.0, -1.0, 0.0]), min_size=d, max_size=d)))
        return rr.Box(lo, lo + np.array(draw(st.lists(st.sampled_from([1.0, 2.0]), min_size=d, max_size=d))))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lo = rng.uniform(-1.5, 0.0, size=d)
    return rr.Box(lo, lo + rng.uniform(0.5, 2.0, size=d))


@settings(max_examples=examples(30))
@given(data=st.data(), d=st.sampled_from([3, 4]), kind=st.sampled_from(ALL_KINDS))
def test_vertex_equals_exact_truth_and_walk(data, d: int, kind: str) -> None:
    net = data.draw(networks(d, max_layers=2, max_width=5, max_hidden=8, kind=kind))
    box = data.draw(boxes(d, integer=kind != "float"))
    truth = exact(net, box)
    assert vertex(net, box) == truth
    assert walk(net, box) == truth


@settings(max_examples=examples(30))
@given(data=st.data(), d=st.sampled_from([3, 4, 5, 6]), kind=st.sampled_from(ALL_KINDS))
def test_vertex_equals_walk_deeper(data, d: int, kind: str) -> None:
    net = data.draw(networks(d, max_layers=3, max_width=8, max_hidden=16, kind=kind))
    box = data.draw(boxes(d, integer=kind != "float"))
    assert vertex(net, box) == walk(net, box)


def test_hyperplanes_in_general_position_closed_form() -> None:
    # n planes through points near the centre of [-1, 1]^4, every 4 meeting inside (checked by the
    # count itself being the maximum): sum_{k <= 4} C(n, k) regions (Zaslavsky) -- the count cannot
    # exceed it, and the walk and the exact splitter agree.
    rng = np.random.default_rng(7)
    n, d = 9, 4
    W0 = rng.normal(size=(n, d))
    b0 = rng.normal(size=n) * 1e-3
    net = rr.Network([W0, np.ones((1, n))], [b0, np.zeros(1)])
    box = rr.Box(-np.ones(d), np.ones(d))
    truth = sum(math.comb(n, k) for k in range(d + 1))
    assert exact(net, box) == truth
    assert vertex(net, box) == truth


@pytest.mark.parametrize("d", [3, 4])
def test_degenerate_arrangements_exact(d: int) -> None:
    # Duplicated, opposite, parallel and concurrent hyperplanes through box corners and edges, a dead
    # unit, then the same net perturbed by 1e-12 in a few entries (near-degenerate).
    base = np.array(
        [[1, 0, 0, 0], [1, 0, 0, 0], [-1, 0, 0, 0], [1, 1, 0, 0]]
        + [[1, 1, 1, 0], [0, 0, 0, 0], [1, -1, 1, 1], [2, 2, 0, 0]],
        dtype=float,
    )[:, :d]
    b0 = np.array([0.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0, 1.0])
    W1 = np.array([[1.0, -1.0, 0.5, 1.0, 0.0, 2.0, -1.0, 1.0], [0.0, 1.0, 1.0, -1.0, 1.0, 0.0, 1.0, 0.0]])
    b1 = np.array([0.0, -0.5])
    box = rr.Box(-np.ones(d), np.ones(d))
    for eps in (0.0, 1e-12, -1e-12):
        W0 = base.copy()
        W0[1, 0] += eps
        W0[7, 1] -= eps
        b = b0.copy()
        b[4] += eps
        net = rr.Network([W0, W1, np.ones((1, 2))], [b, b1, np.zeros(1)])
        truth = exact(net, box)
        c = rr.count(net, box, engine="vertex")
        assert int(c) == truth, f"eps = {eps}"
        assert walk(net, box) == truth, f"eps = {eps}"
        # Hyperplanes exactly through vertices: decided in rationals, not in floats.
        assert eps != 0.0 or c.stats["exact_decisions"] > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_near_degenerate_lifted_nets(seed: int) -> None:
    # Integer hyperplanes (many coincident or concurrent) perturbed by 1e-9..1e-15, a second layer on
    # top; leaky ReLU sometimes: the vertex engine equals the walk.
    rng = np.random.default_rng(2000 + seed)
    for _ in range(25):
        d = int(rng.integers(3, 5))
        n = int(rng.integers(2, 8))
        W = rng.integers(-2, 3, size=(n, d)).astype(float)
        b = rng.integers(-2, 3, size=n).astype(float) * 0.5
        for i in range(n):
            if rng.random() < 0.4:
                W[i] += rng.choice([0.0, 1e-9, 1e-13, 1e-15, -1e-12]) * rng.integers(0, 2, size=d)
                b[i] += rng.choice([0.0, 1e-9, 1e-13, 1e-15, -1e-12])
        m = int(rng.integers(1, 6))
        W1 = rng.integers(-2, 3, size=(m, n)).astype(float)
        b1 = rng.integers(-2, 3, size=m).astype(float) * 0.25
        slope = 0.125 if rng.random() < 0.3 else 0.0
        act = "leaky_relu" if slope else "relu"
        net = rr.Network([W, W1, np.ones((1, m))], [b, b1, np.zeros(1)], act, negative_slope=slope or 0.01)
        box = rr.Box(-np.ones(d), np.ones(d))
        assert vertex(net, box) == walk(net, box)


@pytest.mark.parametrize("k", [-150, -60, 0, 60, 150])
@pytest.mark.parametrize("kind", ["preactivation", "unit", "domain"])
def test_scales(k: int, kind: str) -> None:
    # Counts do not change when pre-activations, one unit per layer, or the domain are scaled by 10^k.
    rng = np.random.default_rng(11)
    dims = [4, 7, 7, 1]
    Ws = [rng.normal(size=(dims[i + 1], dims[i])) for i in range(3)]
    bs = [rng.normal(size=dims[i + 1]) * 0.5 for i in range(3)]
    box = rr.Box(-np.ones(4), np.ones(4))
    base = vertex(rr.Network(Ws, bs), box)
    assert base == walk(rr.Network(Ws, bs), box)
    s = 10.0**k
    Ws, bs = [W.copy() for W in Ws], [b.copy() for b in bs]
    if kind == "preactivation":
        Ws[0] *= s
        bs = [b * s for b in bs]
    elif kind == "unit":
        for l in range(2):
            Ws[l][0] *= s
            bs[l][0] *= s
            Ws[l + 1][:, 0] /= s
    else:
        Ws[0] /= s
        box = rr.Box(-s * np.ones(4), s * np.ones(4))
    assert vertex(rr.Network(Ws, bs), box) == base


def he(d: int, w: int, seed: int) -> rr.Network:
    rng = np.random.default_rng(seed)
    dims = [d, w, w, 1]
    Ws = [rng.normal(size=(dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i]) for i in range(3)]
    return rr.Network(Ws, [rng.normal(size=dims[i + 1]) * 0.1 for i in range(3)])


@pytest.mark.parametrize(("d", "w"), [(3, 10), (4, 8), (5, 6), (6, 5)])
def test_he_nets_equal_walk_and_auto(d: int, w: int) -> None:
    net, box = he(d, w, d), rr.Box(-np.ones(d), np.ones(d))
    n = walk(net, box)
    assert vertex(net, box) == n
    assert int(rr.count(net, box)) == n


def test_leaky_and_no_hidden_layer() -> None:
    box = rr.Box(-np.ones(3), np.ones(3))
    assert vertex(rr.Network([np.ones((1, 3))], [np.zeros(1)]), box) == 1
    rng = np.random.default_rng(3)
    for slope in (0.1, 0.5, -1.0):
        net = rr.Network(
            [rng.normal(size=(6, 3)), rng.normal(size=(5, 6)), np.ones((1, 5))],
            [rng.normal(size=6) * 0.3, rng.normal(size=5) * 0.3, np.zeros(1)],
            "leaky_relu",
            negative_slope=slope,
        )
        assert vertex(net, box) == walk(net, box) == exact(net, box)


def test_limits_partial_and_progress() -> None:
    net, box = he(4, 12, 1), rr.Box(-np.ones(4), np.ones(4))
    total = walk(net, box)
    assert total > 200
    with pytest.raises(rr.LimitExceeded, match="max_regions=100"):
        rr.count(net, box, engine="vertex", max_regions=100)
    part = rr.count(net, box, engine="vertex", max_regions=100, partial=True)
    assert not part.complete and 100 <= int(part) < total
    calls: list[tuple[int, int, float]] = []
    full = rr.count(net, box, engine="vertex", progress=lambda *a: calls.append(a))
    assert int(full) == total and full.complete

    big = he(4, 40, 3)  # 1.5 million regions, seconds
    timed = rr.count(big, box, engine="vertex", time_limit=0.05, partial=True)
    assert not timed.complete and "time_limit" in timed.reason and int(timed) > 0
    with pytest.raises(rr.LimitExceeded, match="time_limit"):
        rr.count(big, box, engine="vertex", time_limit=0.05)

    def stop(*_):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rr.count(he(4, 20, 2), box, engine="vertex", progress=stop)
    assert rr.count(net, box, engine="vertex", threads=1) == rr.count(net, box, engine="vertex", threads=2)


def test_bad_input() -> None:
    net2 = rr.Network([np.ones((2, 2)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    with pytest.raises(ValueError, match="engine='vertex' needs a Box of 3 to 6 dimensions, got a 2-dimensional Box"):
        rr.count(net2, rr.Box(-np.ones(2), np.ones(2)), engine="vertex")
    net3 = rr.Network([np.ones((2, 3)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    poly = rr.Polytope(np.vstack([np.eye(3), -np.eye(3)]), np.ones(6))
    with pytest.raises(ValueError, match="got a 3-dimensional Polytope"):
        rr.count(net3, poly, engine="vertex")
    with pytest.raises(ValueError, match="engine='vertex' only counts regions"):
        rr.regions(net3, rr.Box(-np.ones(3), np.ones(3)), engine="vertex")
    net7 = rr.Network([np.ones((2, 7)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    with pytest.raises(ValueError, match="got a 7-dimensional Box"):
        rr.count(net7, rr.Box(-np.ones(7), np.ones(7)), engine="vertex")


def test_concurrent_hyperplanes_through_one_point() -> None:
    # All hyperplanes through the centre (a vertex of every piece that touches it): regions of a
    # central arrangement of n generic hyperplanes in R^3: 2 * (C(n-1, 0) + C(n-1, 1) + C(n-1, 2)).
    rng = np.random.default_rng(5)
    for n in (3, 5, 7):
        W0 = rng.integers(-3, 4, size=(n, 3)).astype(float)
        while any(np.linalg.matrix_rank(W0[list(c)]) < 3 for c in itertools.combinations(range(n), 3)):
            W0 = rng.integers(-3, 4, size=(n, 3)).astype(float)
        net = rr.Network([W0, np.ones((1, n))], [np.zeros(n), np.zeros(1)])
        box = rr.Box(-np.ones(3), np.ones(3))
        truth = 2 * sum(math.comb(n - 1, k) for k in range(3))
        assert vertex(net, box) == truth
        assert exact(net, box) == truth
