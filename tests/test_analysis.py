"""reluregions.analysis: batched counts through data, local complexity, distance to the boundary,
occupancy. Compared with per-domain ``count`` calls on the same domains built by hand, with the walk's
facets, a SciPy LP, exact patterns in fractions and closed forms."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from exact_util import exact_patterns
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import networks
from test_graph import graphs

import reluregions as rr
from reluregions import analysis as an

seeds = st.integers(0, 2**32 - 1)


def _dyadic(rng: np.random.Generator, shape, scale: int = 8) -> np.ndarray:
    """Random multiples of 1/scale in [-1, 1]: sums and products of a few of them are exact in float64."""
    return rng.integers(-scale, scale + 1, size=shape) / scale


# ------------------------------------------------------------------------------ through data
@settings(max_examples=examples(25))
@given(networks(3, max_hidden=16), seeds)
def test_along_segments_equals_count_per_segment(net, seed):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(2, 6, 3))
    res = an.along_segments(net, A, B, breakpoints=True)
    expected = [int(rr.count(net, rr.Segment(a, b))) for a, b in zip(A, B)]
    assert res.counts.tolist() == expected
    np.testing.assert_allclose(res.lengths, np.linalg.norm(B - A, axis=1), rtol=1e-15)
    for i, (a, b) in enumerate(zip(A, B)):
        intervals = rr.regions(net, rr.Segment(a, b)).intervals
        np.testing.assert_allclose(res.breakpoints(i), intervals[1:, 0], rtol=0, atol=1e-15)
        assert res.breakpoints(i).size == expected[i] - 1


@settings(max_examples=examples(20))
@given(networks(2, max_hidden=12), seeds)
def test_density_along_equals_count_per_segment(net, seed):
    X = np.random.default_rng(seed).normal(size=(10, 2))
    res = an.density_along(net, X, 8, rng=seed)
    P, Q = X[res.pairs[:, 0]], X[res.pairs[:, 1]]
    counts = np.array([int(rr.count(net, rr.Segment(p, q))) for p, q in zip(P, Q)])
    assert res.segments.counts.tolist() == counts.tolist()
    np.testing.assert_allclose(res.density, (counts - 1) / np.linalg.norm(Q - P, axis=1), rtol=1e-15)
    assert res.summary["mean"] == pytest.approx(np.mean(res.density))
    # reproducible, and independent of the number of threads
    again = an.density_along(net, X, 8, rng=seed, threads=1)
    assert np.array_equal(again.pairs, res.pairs) and np.array_equal(again.segments.counts, res.segments.counts)


@settings(max_examples=examples(15))
@given(networks(3, max_hidden=12), seeds)
def test_planes_through_equals_count_per_plane(net, seed):
    X = np.random.default_rng(seed).normal(size=(8, 3))
    res = an.planes_through(net, X, 4, margin=0.2, rng=seed)
    assert res.counts.tolist() == [int(rr.count(net, res.plane(i))) for i in range(4)]
    for i, (a, b, c) in enumerate(res.triples):
        ref = rr.Plane.through(X[a], X[b], X[c], margin=0.2)
        np.testing.assert_allclose(res.u[i], ref.u, atol=1e-14)
        np.testing.assert_allclose(res.v[i], ref.v, atol=1e-14)
        np.testing.assert_allclose([res.s_ranges[i], res.t_ranges[i]], [ref.s_range, ref.t_range], atol=1e-12)
    np.testing.assert_allclose(res.areas, [np.ptp(s) * np.ptp(t) for s, t in zip(res.s_ranges, res.t_ranges)])


def test_segment_counts_closed_form():
    # |x|: breakpoint at 0; the zigzag of constructions has 2^k pieces on [0, 1]
    net = rr.constructions.zigzag(3, 2)
    res = an.along_segments(net, [[0.0], [0.25]], [[1.0], [0.75]])
    assert res.counts.tolist() == [int(rr.count(net, rr.Box([0.0], [1.0]))), int(rr.count(net, rr.Box([0.25], [0.75])))]


# --------------------------------------------------------------------------- local complexity
def _proxy(net, x, B, r) -> int:
    V = np.concatenate([x + r * B.T, x - r * B.T])
    P = exact_patterns(net, V)
    return int(np.sum(P.any(axis=0) & ~P.all(axis=0)))


@settings(max_examples=examples(20))
@given(networks(3, max_hidden=16), seeds)
def test_local_count_k1_is_the_segment_count(net, seed):
    rng = np.random.default_rng(seed)
    X = _dyadic(rng, (4, 3))
    D = _dyadic(rng, (4, 3, 1)) + np.array([1.0, 0, 0])[None, :, None]  # never zero
    r = 0.375
    res = an.local_count(net, X, r, dim=1, directions=D)
    # dyadic: x +- r b are exact, so the segments are the same sets
    assert res.counts.tolist() == [
        int(rr.count(net, rr.Segment(x - r * b[:, 0], x + r * b[:, 0]))) for x, b in zip(X, D)
    ]
    assert res.proxy.tolist() == [_proxy(net, x, b, r) for x, b in zip(X, D)]


@settings(max_examples=examples(15))
@given(networks(3, max_hidden=14), seeds)
def test_local_count_k2_is_the_plane_count(net, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, 3)) * 0.5
    r = 0.3
    box = an.local_count(net, X, r, dim=2, shape="box", rng=seed)
    # the square: the same parametrization as Plane(x, b1, b2, (-r, r), (-r, r)), random orthonormal bases
    expected = [int(rr.count(net, rr.Plane(x, B[:, 0], B[:, 1], (-r, r), (-r, r)))) for x, B in zip(X, box.bases)]
    assert box.counts.tolist() == expected
    np.testing.assert_allclose(
        np.einsum("nij,nik->njk", box.bases, box.bases), np.broadcast_to(np.eye(2), (3, 2, 2)), atol=1e-14
    )
    # the diamond |a1| + |a2| <= r with dyadic directions is the parallelogram from x - r u along r (u + v), r (u - v)
    X = _dyadic(rng, (3, 3))
    D = np.stack([np.array([1.0, 0.25, 0]), np.array([0.125, 1.0, -0.5])], axis=1)
    cross = an.local_count(net, X, 0.25, dim=2, shape="cross", directions=D)
    u, v = D[:, 0], D[:, 1]
    planes = [rr.Plane(x - 0.25 * u, 0.25 * (u + v), 0.25 * (u - v)) for x in X]
    assert cross.counts.tolist() == [int(rr.count(net, p)) for p in planes]
    assert cross.proxy.tolist() == [_proxy(net, x, D, 0.25) for x in X]


@settings(max_examples=examples(10))
@given(networks(3, max_hidden=12), seeds, st.sampled_from(["cross", "box"]))
def test_local_count_full_neighbourhood_is_the_polytope_count(net, seed, shape):
    X = _dyadic(np.random.default_rng(seed), (3, 3))
    r = 0.25
    res = an.local_count(net, X, r, dim=3, shape=shape, directions=np.eye(3))
    for x, c in zip(X, res.counts):
        origin, _, rows = an.neighbourhood(x, np.eye(3), r, shape)
        poly = rr.Polytope(rows[:, :-1], rows[:, -1] + rows[:, :-1] @ origin)  # exact: dyadic
        assert c == int(rr.count(net, poly))
        if shape == "box":
            assert c == int(rr.count(net, rr.Box(x - r, x + r)))


def test_local_count_in_a_subspace_is_the_folded_polytope_count():
    # k = 3 in R^5 along the first three axes through points with x[3:] = 0: the folded network is the
    # first three columns of the first layer, exactly
    rng = np.random.default_rng(3)
    Ws = [rng.normal(size=(10, 5)), rng.normal(size=(8, 10)), rng.normal(size=(1, 8))]
    bs = [rng.normal(size=10) * 0.3, rng.normal(size=8) * 0.3, np.zeros(1)]
    net = rr.Network(Ws, bs)
    folded = rr.Network([Ws[0][:, :3], *Ws[1:]], bs)
    X = np.zeros((4, 5))
    X[:, :3] = _dyadic(rng, (4, 3))
    E = np.eye(5)[:, :3]
    res = an.local_count(net, X, 0.5, dim=3, directions=E)
    for x, c in zip(X, res.counts):
        origin, _, rows = an.neighbourhood(x[:3], np.eye(3), 0.5)
        assert c == int(rr.count(folded, rr.Polytope(rows[:, :-1], rows[:, -1] + rows[:, :-1] @ origin)))
    assert res.proxy.tolist() == [_proxy(net, x, E, 0.5) for x in X]


def test_local_count_is_reproducible_and_thread_independent():
    rng = np.random.default_rng(0)
    net = rr.Network(
        [rng.normal(size=(12, 4)), rng.normal(size=(12, 12)), rng.normal(size=(1, 12))],
        [rng.normal(size=12), rng.normal(size=12), np.zeros(1)],
    )
    X = rng.normal(size=(6, 4))
    a = an.local_count(net, X, 0.5, dim=3, rng=7, threads=1)
    b = an.local_count(net, X, 0.5, dim=3, rng=np.random.default_rng(7), threads=2)
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.proxy, b.proxy)
    assert np.array_equal(a.bases, b.bases)
    assert (a.counts >= 1).all()


# ----------------------------------------------------------------------- distance to boundary
def _jacobians(net, x):
    """Pre-activations and gradients of every hidden unit at x (NumPy, float), along x's exact pattern."""
    pattern = exact_patterns(net, x[None])[0]
    h, J = x.astype(float), np.eye(x.size)
    zs, gs, k = [], [], 0
    for l, (W, b) in enumerate(zip(net.weights[:-1], net.biases[:-1])):
        z, G = W @ h + b, W @ J
        zs.append(z)
        gs.append(G)
        on = pattern[k : k + z.size]
        k += z.size
        f = np.where(on, 1.0, net.negative_slopes[l])
        h, J = f * z, f[:, None] * G
    return np.concatenate(zs), np.concatenate(gs)


@settings(max_examples=examples(20))
@given(networks(2, max_hidden=12, kind="float"), seeds)
def test_distance_equals_the_walk_facets_and_an_lp(net, seed):
    from scipy.optimize import linprog

    X = np.random.default_rng(seed).normal(size=(5, 2)) * 0.8
    res = rr.regions(net, rr.Space(2), facets=True)
    which = res.locate(X)
    got = an.distance_to_boundary(net, X, return_point=True)
    for i, x in enumerate(X):
        A, b, units = res.facets(int(which[i]))
        hyper = units >= 0
        walk = np.min(np.abs(A[hyper] @ x - b[hyper])) if hyper.any() else np.inf
        assert got.distance[i] == pytest.approx(walk, rel=1e-7, abs=1e-12)
        # the LP: the largest ball around x inside every unit's half-space on x's region
        z, G = _jacobians(net, x)
        norms = np.linalg.norm(G, axis=1)
        keep = norms > 1e-12 * max(1.0, norms.max(initial=0.0))
        if keep.any():
            lp = linprog([-1.0], A_ub=norms[keep, None], b_ub=np.abs(z[keep]), bounds=[(0, None)], method="highs")
            assert got.distance[i] == pytest.approx(lp.x[0], rel=1e-7, abs=1e-12)
        if np.isfinite(got.distance[i]):
            p, u = got.point[i], got.unit[i]
            assert np.linalg.norm(p - x) == pytest.approx(got.distance[i], rel=1e-9)
            zp, _ = _jacobians(net, x)
            assert abs(zp[u] + G[u] @ (p - x)) <= 1e-9 * (abs(zp[u]) + 1)  # p on the unit's hyperplane


def test_points_on_a_boundary_give_exactly_zero():
    # integer network; a grid of dyadic points, many exactly on first- and second-layer boundaries
    W0 = np.array([[1.0, -1.0], [1.0, 1.0], [0.0, 1.0], [2.0, -1.0]])
    b0 = np.array([0.0, -0.5, 0.25, 0.0])
    W1 = np.array([[1.0, -1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0], [1.0, 1.0, -2.0, 1.0]])
    b1 = np.array([-0.25, 0.0, 0.0])
    net = rr.Network([W0, W1, np.ones((1, 3))], [b0, b1, np.zeros(1)])
    g = np.arange(-8, 9) / 8
    X = np.array([[a, b] for a in g for b in g])
    got = an.distance_to_boundary(net, X, return_point=True)
    # exactly zero iff a unit with a non-zero gradient on the point's region is exactly 0 there (fractions)
    F = [[Fraction(float(v)) for v in row] for row in X]
    for i, x in enumerate(F):
        z1 = [sum((Fraction(w) * v for w, v in zip(row, x)), Fraction(b)) for row, b in zip(W0, b0)]
        h = [max(v, Fraction(0)) for v in z1]
        z2 = [sum((Fraction(w) * v for w, v in zip(row, h)), Fraction(b)) for row, b in zip(W1, b1)]
        on = np.array([v > 0 for v in z1], dtype=float)
        grad2 = (W1 * on) @ W0  # small integers: exact
        boundary = any(v == 0 for v in z1) or any(v == 0 and grad2[j].any() for j, v in enumerate(z2))
        assert (got.distance[i] == 0.0) == boundary, (X[i], z1, z2)
        if boundary:
            assert np.array_equal(got.point[i], X[i])
    assert not (got.unit == 5).any()  # unit 1 of the second layer (flat index 5) is identically zero
    assert (got.distance == 0).sum() > 10


def test_distance_without_boundaries_and_closed_form():
    # one unit relu(x1 + x2 - 1): distance |x1 + x2 - 1| / sqrt(2)
    net = rr.Network([np.array([[1.0, 1.0]]), np.ones((1, 1))], [np.array([-1.0]), np.zeros(1)])
    X = np.array([[0.0, 0.0], [2.0, 3.0], [0.5, 0.5]])
    assert an.distance_to_boundary(net, X).tolist() == pytest.approx([1 / np.sqrt(2), 4 / np.sqrt(2), 0.0])
    # no hidden unit at all, or only identically zero ones: no boundary
    lin = rr.Network([np.ones((1, 2))], [np.zeros(1)])
    res = an.distance_to_boundary(lin, X, return_point=True)
    assert np.isinf(res.distance).all() and (res.unit == -1).all() and np.isnan(res.point).all()
    dead = rr.Network([np.zeros((2, 2)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    assert np.isinf(an.distance_to_boundary(dead, X)).all()


def test_distance_is_thread_independent_and_scale_covariant():
    rng = np.random.default_rng(5)
    net = rr.Network(
        [rng.normal(size=(20, 6)), rng.normal(size=(20, 20)), rng.normal(size=(2, 20))],
        [rng.normal(size=20), rng.normal(size=20), np.zeros(2)],
    )
    X = rng.normal(size=(200, 6))
    a = an.distance_to_boundary(net, X, threads=1)
    assert np.array_equal(a, an.distance_to_boundary(net, X, threads=2))
    # scaling inputs by 2 (first layer weights halved) scales distances by 2 exactly in exact arithmetic
    half = rr.Network([net.weights[0] / 2, *net.weights[1:]], list(net.biases))
    np.testing.assert_allclose(an.distance_to_boundary(half, 2 * X), 2 * a, rtol=1e-12)


# -------------------------------------------------------------------------------- occupancy
@settings(max_examples=examples(15))
@given(networks(2, max_hidden=10), seeds)
def test_occupancy(net, seed):
    rng = np.random.default_rng(seed)
    X = np.concatenate([_dyadic(rng, (30, 2)), rng.uniform(-1, 1, size=(30, 2))])
    occ = an.occupancy(net, X)
    exact = exact_patterns(net, X)
    assert np.array_equal(occ.patterns[occ.labels], exact)
    assert occ.counts.sum() == X.shape[0] and occ.num_patterns == len({p.tobytes() for p in exact})
    assert occ.labels[0] == 0
    box = rr.Box([-0.5, -0.5], [0.5, 0.5])
    res = rr.regions(net, box)
    occ = an.occupancy(net, X, regions=res)
    inside = np.all((X >= -0.5) & (X <= 0.5), axis=1)
    held = {p.tobytes() for p in exact[inside]}
    expected = [int(np.sum(inside & np.all(exact == p, axis=1))) for p in res.patterns]
    assert occ.region_counts.tolist() == expected
    assert occ.empty_regions == res.count - sum(p.tobytes() in held for p in res.patterns)


# -------------------------------------------------------------------------------- bad input
def _net():
    return rr.Network([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)])


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda n: an.distance_to_boundary(n, np.zeros((3, 5))), ValueError, r"shape \(n, 2\)"),
        (lambda n: an.distance_to_boundary(n, np.zeros((0, 2))), ValueError, "empty"),
        (lambda n: an.distance_to_boundary(n, [[0.0, np.nan]]), ValueError, r"non-finite value nan at index \(0, 1\)"),
        (lambda n: an.distance_to_boundary(n, [["a", "b"]]), TypeError, "numeric"),
        (lambda n: an.distance_to_boundary("net", [[0.0, 0.0]]), TypeError, "reluregions.Network"),
        (lambda n: an.local_count(n, [[0.0, 0.0]], 0.0), ValueError, "radius must be a positive"),
        (lambda n: an.local_count(n, [[0.0, 0.0]], -1.0), ValueError, "radius must be a positive"),
        (lambda n: an.local_count(n, [[0.0, 0.0]], np.inf), ValueError, "radius must be a positive"),
        (lambda n: an.local_count(n, [[0.0, 0.0]], 0.1, dim=3), ValueError, "dim must be an integer with 1 <= dim"),
        (lambda n: an.local_count(n, [[0.0, 0.0]], 0.1, dim=0), ValueError, "dim must be"),
        (lambda n: an.local_count(n, [[0.0, 0.0]], 0.1, shape="ball"), ValueError, "shape must be"),
        (
            lambda n: an.local_count(n, [[0.0, 0.0]], 0.1, directions=np.ones((2, 2))),
            ValueError,
            "linearly independent",
        ),
        (lambda n: an.local_count(n, np.zeros((0, 2)), 0.1), ValueError, "empty"),
        (lambda n: an.local_count(n, [[1.0, 2.0, 3.0]], 0.1), ValueError, r"shape \(n, 2\)"),
        (lambda n: an.along_segments(n, [[0.0, 0.0]], [[0.0, 0.0]]), ValueError, "segment 0: A and B coincide"),
        (lambda n: an.along_segments(n, [[0.0, 0.0]], [[1.0, 0.0], [2.0, 0.0]]), ValueError, "same shape"),
        (lambda n: an.density_along(n, [[0.0, 0.0], [0.0, 0.0]], 3), ValueError, "two distinct points"),
        (lambda n: an.density_along(n, [[0.0, 0.0], [1.0, 0.0]], 0), ValueError, "n_pairs must be a positive"),
        (lambda n: an.planes_through(n, [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], 2), ValueError, "collinear"),
        (lambda n: an.planes_through(n, np.eye(2), 2), ValueError, "needs at least 3 points"),
        (lambda n: an.occupancy(n, [[0.0, 0.0]], regions="r"), TypeError, "Regions result"),
        (lambda n: an.distance_to_boundary(n, [[0.0, 0.0]], threads=0), ValueError, "threads must be"),
    ],
)
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call(_net())


# ------------------------------------------------------------------------------ RegionTracker
def _small_net(seed):
    rng = np.random.default_rng(seed)
    return rr.Network(
        [rng.normal(size=(8, 3)), rng.normal(size=(8, 8)), rng.normal(size=(2, 8))],
        [rng.normal(size=8) * 0.3, rng.normal(size=8) * 0.3, np.zeros(2)],
    )


def test_region_tracker_records_the_probes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    planes = an.planes_through(_small_net(0), X, 2, rng=1)
    tracker = an.RegionTracker(
        segments=(X[:3], X[3:6]),
        planes=planes,
        neighbourhoods={"train": X[:4], "test": X[4:6]},
        radius=0.2,
        dim=2,
        distances={"train": X[:5]},
        steps=[0, 2, 5],
        rng=3,
    )
    assert [s for s in range(7) if tracker.due(s)] == [0, 2, 5]
    nets = {0: _small_net(1), 2: _small_net(2), 5: _small_net(3)}
    for step in range(7):
        tracker.step(nets.get(step, _small_net(99)), step)
    assert [r["step"] for r in tracker.records] == [0, 2, 5]
    for rec in tracker.records:
        net = nets[rec["step"]]
        assert rec["segment_regions"].tolist() == [int(rr.count(net, rr.Segment(a, b))) for a, b in zip(X[:3], X[3:6])]
        assert rec["plane_regions"].tolist() == [int(rr.count(net, planes.plane(i))) for i in range(2)]
        B = tracker.neighbourhoods["train"][1]
        assert rec["local_train"].tolist() == an.local_count(net, X[:4], 0.2, directions=B).counts.tolist()
        np.testing.assert_array_equal(rec["distance_train"], an.distance_to_boundary(net, X[:5]))
    table = tracker.table()
    assert table["step"].tolist() == [0, 2, 5]
    assert table["local_test_mean"].tolist() == [float(np.mean(r["local_test"])) for r in tracker.records]
    assert {"proxy_train_mean", "segment_density_mean", "plane_regions_mean", "distance_train_mean"} <= set(table)
    from reluregions.plot import plot_tracker

    fig = plot_tracker(tracker, ["local_train_mean", "proxy_train_mean"])
    line = next(ln for ln in fig.axes[0].lines if ln.get_gid() == "local_train_mean")
    assert line.get_ydata().tolist() == table["local_train_mean"].tolist()
    assert line.get_xdata().tolist() == [1, 3, 6]


def test_region_tracker_pandas_and_bad_input():
    pd = pytest.importorskip("pandas")
    tracker = an.RegionTracker(distances={"x": np.zeros((2, 3))}, every=2)
    assert tracker.due(4) and not tracker.due(3)
    tracker.measure(_small_net(0), 0)
    df = tracker.to_pandas()
    assert isinstance(df, pd.DataFrame) and df["step"].tolist() == [0]
    with pytest.raises(ValueError, match="every= or steps=, not both"):
        an.RegionTracker(every=2, steps=[1])
    with pytest.raises(TypeError, match="planes must be a PlaneCounts"):
        an.RegionTracker(planes=[1, 2])
    with pytest.raises(TypeError, match="reluregions.Network or a torch module"):
        tracker.measure("model", 1)
    with pytest.raises(ValueError, match="radius must be a positive"):
        an.RegionTracker(radius=0)
    from reluregions.plot import plot_tracker

    with pytest.raises(ValueError, match="no column"):
        plot_tracker(tracker, ["nope"])


# ------------------------------------------------------------------ layered graphs (carry units)
@settings(max_examples=examples(15))
@given(graphs(input_dim=2), seeds)
def test_graphs_distance_and_segments(net, seed):
    # Skips and max-pools are compiled with linear carry units: they must be neither boundaries nor
    # pattern bits. The distance equals the walk's nearest unit facet; segment counts equal count().
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4, 2)) * 0.8
    res = rr.regions(net, rr.Box([-3.0, -3.0], [3.0, 3.0]), facets=True)
    which = res.locate(X)
    got = an.distance_to_boundary(net, X, return_point=True)
    for i, x in enumerate(X):
        if which[i] < 0:
            continue
        A, b, units = res.facets(int(which[i]))
        hyper = units >= 0
        walk = np.min(np.abs(A[hyper] @ x - b[hyper])) if hyper.any() else np.inf
        # a point nearer to the box's side than to any unit: the box is not a boundary of the network
        if np.isfinite(walk) and walk < np.min(3.0 - np.abs(x)):
            assert got.distance[i] == pytest.approx(walk, rel=1e-7, abs=1e-12)
        else:
            assert got.distance[i] >= min(walk, np.min(3.0 - np.abs(x))) * (1 - 1e-7)
    A, B = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    along = an.along_segments(net, A, B)
    for i in range(3):
        assert along.counts[i] == rr.count(net, rr.Segment(A[i], B[i]))
