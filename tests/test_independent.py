"""Every feature of the engines against an independent computation.

The reference (reluregions.reference: NumPy + SciPy, its own domain parametrization and forward pass,
an LP brute force instead of the walk, Qhull for vertices and volumes) recomputes, region by region
(matched by activation pattern): volumes, Chebyshev radii, non-redundant facets and the units that carry
them, boundedness, adjacency, output affine maps, maximal linear regions and locate. The walk is
compared with it on random networks in 3 to 5 dimensions; the 1-D and 2-D engines' per-region
measures, intervals and polygon vertices too.

Plus the two bugs an audit found surviving the suite (issue 14): a loosened linear-merge tolerance and
swapped region volumes in the walk.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import domains_1d, domains_2d, networks
from exact_util import exact_regions

import reluregions as rr
from reluregions import reference as ref

# ----------------------------------------------------------------------------------- helpers


def index_by_pattern(patterns):
    return {bytes(np.asarray(p, dtype=np.uint8)): i for i, p in enumerate(patterns)}


def matching(res, expect):
    """``m`` with ``expect`` region ``m[i]`` having the pattern of ``res`` region ``i`` (same sets)."""
    where = index_by_pattern(expect.patterns)
    assert res.count == expect.count
    m = np.array([where[bytes(np.asarray(p, dtype=np.uint8))] for p in res.patterns], dtype=np.int64)
    assert sorted(m.tolist()) == list(range(expect.count))  # a bijection
    return m


def same_partition(a, b):
    """Two labelings of the same items describe the same partition."""
    pairs = set(zip(np.asarray(a).tolist(), np.asarray(b).tolist()))
    return len(pairs) == len(set(np.asarray(a).tolist())) == len(set(np.asarray(b).tolist()))


def rows_match(A1, b1, A2, b2, atol):
    """The unit rows (A1, b1) and (A2, b2) are the same set (within atol): a permutation or None."""
    if len(b1) != len(b2):
        return None
    M1, M2 = np.hstack([A1, b1[:, None]]), np.hstack([A2, b2[:, None]])
    perm = []
    for row in M1:
        hit = np.flatnonzero(np.max(np.abs(M2 - row), axis=1) <= atol)
        if len(hit) != 1:
            return None
        perm.append(int(hit[0]))
    return perm if sorted(perm) == list(range(len(b2))) else None


def random_net(rng, d, widths, leaky=False, cancel=False):
    """Normal weights; with `cancel`, the last hidden layer's first unit is duplicated and the two
    copies cancel in the output (their hyperplane separates activation regions, not linear ones)."""
    dims = [d, *widths, 1]
    Ws = [rng.normal(size=(dims[i + 1], dims[i])) for i in range(len(dims) - 1)]
    bs = [rng.normal(size=dims[i + 1]) for i in range(len(dims) - 1)]
    if cancel:
        Ws[-2] = np.vstack([Ws[-2], Ws[-2][:1]])
        bs[-2] = np.append(bs[-2], bs[-2][0])
        Ws[-1] = np.hstack([Ws[-1], np.zeros((1, 1))])
        Ws[-1][0, 0], Ws[-1][0, -1] = 1.5, -1.5
    kw = {"negative_slope": 0.1} if leaky else {}
    return rr.Network(Ws, bs, activation="leaky_relu" if leaky else "relu", **kw)


def small_enough(net, make_domain, half, most=150):
    """The domain of `make_domain(half)`, halved until the walk finds at most `most` regions (keeps the
    brute-force reference to a few seconds)."""
    while True:
        dom = make_domain(half)
        if rr.count(net, dom, engine="walk", threads=1) <= most:
            return dom
        half /= 2


# ------------------------------------------------------------------ the walk in 3 to 5 dimensions


def compare_walk_with_reference(net, dom, *, adjacency=True):
    walked = rr.regions(net, dom, engine="walk", facets=True, affine=True, threads=2)
    expect = ref.regions(net, dom, max_hidden=40)
    m = matching(walked, expect)
    d = walked.dim
    scale = expect.scale
    # boundedness, volumes (d <= 3) and Chebyshev radii, region by region
    np.testing.assert_array_equal(walked.bounded, expect.bounded[m])
    if d <= 3:
        np.testing.assert_allclose(walked.measures, expect.measures[m], rtol=1e-7, atol=1e-12 * scale**d)
    bounded = np.asarray(expect.bounded[m])
    np.testing.assert_allclose(walked.radii[bounded], expect.radii[m][bounded], rtol=1e-6, atol=1e-9 * scale)
    # witnesses strictly inside their regions (the reference's H-representation)
    for r in range(walked.count):
        A, b, _ = expect.halfspaces[m[r]]
        assert np.all(A @ walked.coords[r] < b), r
    # non-redundant facets and the units that carry them
    for r in range(walked.count):
        A, b, units = walked.facets(r)
        A2, b2, units2 = ref.facets(expect, int(m[r]))
        perm = rows_match(A, b, A2, b2, 1e-7 * (1 + np.abs(b2).max()))
        assert perm is not None, (r, A, b, A2, b2)
        np.testing.assert_array_equal(units, units2[perm])
    assert np.array_equal(walked.num_facets, [len(walked.facets(r)[1]) for r in range(walked.count)])
    # output affine maps
    A, c = walked.affine
    A2, c2, _ = expect.affine
    mag = 1.0 + np.abs(A2).max() + np.abs(c2).max()
    np.testing.assert_allclose(A, A2[m], rtol=0, atol=1e-9 * mag)
    np.testing.assert_allclose(c, c2[m], rtol=0, atol=1e-9 * mag)
    # locate, with the reference's forward pass and domain test
    rng = np.random.default_rng(0)
    W = walked.witnesses
    t = rng.random((200, 1))
    X = t * W[rng.integers(0, walked.count, 200)] + (1 - t) * W[rng.integers(0, walked.count, 200)]  # inside
    X = np.vstack(
        [X, W[rng.integers(0, walked.count, 5)] + 1e3 * scale * rng.normal(size=(5, d))]
    )  # mostly outside bounded domains
    got, want = walked.locate(X), ref.locate(expect, net, dom, X)
    assert np.all(got[want < 0] == -1)
    np.testing.assert_array_equal(m[got[want >= 0]], want[want >= 0])
    assert (want[:200] >= 0).sum() >= 190  # points on boundaries are rare
    if not adjacency:
        return walked, expect, m
    # adjacency and linear regions
    pairs = ref.adjacency(expect)
    got_pairs = {tuple(sorted((int(m[i]), int(m[j])))) for i, j in walked.adjacency}
    assert got_pairs == {tuple(p) for p in pairs.tolist()}
    assert same_partition(walked.linear_regions().labels, ref.linear_regions(expect, pairs)[m])
    return walked, expect, m


@settings(max_examples=examples(6))
@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.integers(3, 5),
    widths=st.lists(st.integers(3, 12), min_size=1, max_size=3).filter(lambda w: sum(w) <= 30),
    leaky=st.booleans(),
    cancel=st.booleans(),
)
def test_walk_in_a_box_matches_the_reference(seed, d, widths, leaky, cancel):
    rng = np.random.default_rng(seed)
    net = random_net(rng, d, widths, leaky, cancel)
    centre = rng.uniform(-0.5, 0.5, d)
    stretch = rng.uniform(0.5, 1.5, d)
    dom = small_enough(net, lambda h: rr.Box(centre - h * stretch, centre + h * stretch), 1.0)
    walked, expect, _ = compare_walk_with_reference(net, dom)
    assert walked.count >= 1
    if d == 3:  # volumes tile the box
        assert walked.measures.sum() == pytest.approx(np.prod(dom.hi - dom.lo), rel=1e-9)


@settings(max_examples=examples(3))
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(3, 4), widths=st.lists(st.integers(2, 5), min_size=1, max_size=2))
def test_walk_on_polytopes_and_space_matches_the_reference(seed, d, widths):
    rng = np.random.default_rng(seed)
    net = random_net(rng, d, widths)
    # a simplex-like bounded polytope, an unbounded cone-like one, and all of R^d
    A = np.vstack([-np.eye(d), rng.uniform(0.5, 1.5, (1, d))])
    simplex = rr.Polytope(A, np.append(np.full(d, 1.0), 1.0))
    cone = rr.Polytope(np.vstack([np.eye(d)[:2], rng.normal(size=(1, d))]), [1.0, 1.0, 1.0])
    for dom in (simplex, cone, rr.Space()):
        compare_walk_with_reference(net, dom, adjacency=isinstance(dom, rr.Polytope) and dom is simplex)


def test_walk_volumes_per_region_in_3d_cube_with_cancelled_units():
    # A fixed case, checked in full: merges happen (the cancelled pair), volumes are per region.
    net = random_net(np.random.default_rng(21), 3, [6, 5], cancel=True)
    walked, expect, m = compare_walk_with_reference(net, rr.Box([-1, -1, -1], [1, 1, 1]))
    assert walked.linear_count < walked.count
    assert len(set(np.round(walked.measures, 9).tolist())) > walked.count // 2  # volumes differ: a swap shows


# -------------------------------------------------------------- per-region volumes in 1-D and 2-D


@settings(max_examples=examples(25))
@given(st.data(), st.sampled_from([1, 2]))
def test_walk_and_engine_volumes_per_region_low_dims(data, dim):
    net = data.draw(networks(dim, max_hidden=12))
    domain = data.draw(domains_1d() if dim == 1 else domains_2d())
    fast = rr.regions(net, domain)
    walked = rr.regions(net, domain, engine="walk", facets=True)
    # The regions: the exact truth (fractions). The float reference can miss a sliver too thin for its
    # LPs; such a region must be tiny, the others' measures must agree with the reference's.
    truth = {bytes(p) for p in exact_regions(net, domain).astype(np.uint8)}
    for res in (fast, walked):
        assert {bytes(p) for p in res.patterns.astype(np.uint8)} == truth and res.count == len(truth)
    expect = ref.regions(net, domain, method="lp", max_hidden=12)
    where = index_by_pattern(expect.patterns)
    atol = 1e-9 * domain.measure
    for res in (fast, walked):
        keys = [bytes(np.asarray(p, dtype=np.uint8)) for p in res.patterns]
        seen = np.array([k in where for k in keys])
        assert seen.sum() == expect.count  # the reference's regions are all among the exact ones
        m = np.array([where[k] for k, s in zip(keys, seen) if s], dtype=np.int64)
        np.testing.assert_allclose(res.measures[seen], expect.measures[m], rtol=1e-7, atol=atol)
        assert np.all(res.measures[~seen] <= 1e-6 * domain.measure)


def test_walk_volumes_are_per_region_in_the_plane():
    # Regions of clearly different areas, matched by pattern: a swap of two volumes fails here.
    net = random_net(np.random.default_rng(5), 2, [6, 5])
    box = rr.Box([-1.5, -1.0], [1.0, 2.0])
    walked = rr.regions(net, box, engine="walk", facets=True)
    expect = ref.regions(net, box)
    m = matching(walked, expect)
    np.testing.assert_allclose(walked.measures, expect.measures[m], rtol=1e-9, atol=1e-12)
    for seg in (rr.Segment([-1.0, -0.5], [1.0, 0.7]), rr.Box([-2.0], [1.5])):
        if seg.input_dim != net.input_dim:
            net1 = random_net(np.random.default_rng(6), 1, [6, 5])
        else:
            net1 = net
        walked = rr.regions(net1, seg, engine="walk", facets=True)
        expect = ref.regions(net1, seg)
        m = matching(walked, expect)
        assert walked.count >= 4
        np.testing.assert_allclose(walked.measures, expect.measures[m], rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------- linear merging tolerance


def tiny_bend(d):
    """f(x) = relu(x_0) + 1e-5 relu(x_0 - 0.5): on [0, 1]^d two linear regions (slopes 1 and 1 + 1e-5)."""
    W0 = np.zeros((2, d))
    W0[:, 0] = 1.0
    return rr.Network([W0, np.array([[1.0, 1e-5]])], [np.array([0.0, -0.5]), np.zeros(1)])


@pytest.mark.parametrize(("d", "engine"), [(1, "interval"), (1, "walk"), (2, "polygon"), (2, "walk"), (3, "walk")])
def test_a_small_bend_is_a_linear_region_boundary(d, engine):
    net = tiny_bend(d)
    dom = rr.Box(np.zeros(d), np.ones(d))
    res = rr.regions(net, dom, engine=engine, merge_linear=True)
    assert res.count == 2
    assert res.linear_count == 2
    if d == 1:
        assert ref.linear_regions_1d(net, dom) == 2
        assert rr.regions(net, rr.Segment([0.0], [1.0]), merge_linear=True).linear_count == 2
    expect = ref.regions(net, dom)
    assert len(set(ref.linear_regions(expect).tolist())) == 2


# ------------------------------------------------------------------------ 2-D polygon vertices


def check_polygons(res, expect, domain):
    _, _, lo, hi = ref.parametrize(domain)
    tol = 1e-9 * float(np.max(hi - lo))
    seen = index_by_pattern(expect.patterns)
    keys = [bytes(np.asarray(p, dtype=np.uint8)) for p in res.patterns]
    extra = [r for r, k in enumerate(keys) if k not in seen]
    # The float reference cannot see slivers thinner than its tolerance (a slope of 0.1 is not 1/10);
    # the engine counts every exact region (test_exact.py and test_degenerate.py check them in fractions).
    assert np.all(res.measures[extra] <= 1e-8 * float(np.prod(hi - lo)))
    m = {r: seen[k] for r, k in enumerate(keys) if k in seen}
    assert sorted(m.values()) == list(range(expect.count))  # a bijection with the reference's regions
    for r, poly in enumerate(res.polygons):
        if r not in m:
            continue
        A, b, _ = expect.halfspaces[m[r]]
        corners = ref.vertices(expect, int(m[r]))
        # every polygon vertex is in the closed region, on its boundary
        slack = poly @ A.T - b
        assert np.all(slack <= tol), r
        assert np.all(np.min(np.abs(slack), axis=1) <= tol), r
        # every corner of the region is a polygon vertex
        dist = np.min(np.max(np.abs(corners[:, None, :] - poly[None, :, :]), axis=2), axis=1)
        assert np.all(dist <= 10 * tol), (r, corners, poly)
        # counter-clockwise, and the shoelace area is the reference's
        x, y = poly[:, 0], poly[:, 1]
        area = 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
        assert area > 0
        assert area == pytest.approx(expect.measures[m[r]], rel=1e-7, abs=tol * tol)


@settings(max_examples=examples(30))
@given(networks(2, max_hidden=12), domains_2d())
def test_polygon_vertices_match_the_reference(net, domain):
    res = rr.regions(net, domain)
    expect = ref.regions(net, domain, max_hidden=12)
    check_polygons(res, expect, domain)


@settings(max_examples=examples(30))
@given(networks(1, max_hidden=16), domains_1d())
def test_intervals_match_the_reference(net, domain):
    res = rr.regions(net, domain)
    expect = ref.regions(net, domain, max_hidden=16)
    _, _, lo, hi = ref.parametrize(domain)
    span = float(hi[0] - lo[0])
    if expect.count != res.count:
        # The float reference merges slivers below its tolerance; the engines count every exact region
        # (tests/test_exact.py checks them against fractions). Only such slivers may differ.
        assert expect.count < res.count
        seen = index_by_pattern(expect.patterns)
        extra = [r for r in range(res.count) if bytes(np.asarray(res.patterns[r], dtype=np.uint8)) not in seen]
        assert np.all(res.measures[extra] <= 1e-8 * span)
        return
    m = matching(res, expect)
    for r, (t0, t1) in enumerate(res.intervals):
        ends = ref.vertices(expect, int(m[r]))[:, 0]
        np.testing.assert_allclose([t0, t1], ends, rtol=0, atol=1e-9 * span)


# --------------------------------------------------------------- locate and maps in 1-D and 2-D


@settings(max_examples=examples(25))
@given(st.data(), st.sampled_from([1, 2]), st.integers(0, 2**32 - 1))
def test_engine_locate_and_maps_match_the_reference(data, dim, seed):
    net = data.draw(networks(dim, max_hidden=12))
    domain = data.draw(domains_1d() if dim == 1 else domains_2d())
    res = rr.regions(net, domain, affine=True)
    # the engine's regions are the exact truth's; the float reference may miss slivers (too thin for it)
    assert {bytes(p) for p in res.patterns.astype(np.uint8)} == {
        bytes(p) for p in exact_regions(net, domain).astype(np.uint8)
    }
    expect = ref.regions(net, domain, max_hidden=12)
    where = index_by_pattern(res.patterns)
    ref_to_res = np.array([where[bytes(np.asarray(p, dtype=np.uint8))] for p in expect.patterns], dtype=np.int64)
    origin, basis, lo, hi = ref.parametrize(domain)
    rng = np.random.default_rng(seed)
    s = lo + rng.random((100, dim)) * (hi - lo)
    X = origin + s @ basis.T
    X = np.vstack([X, X[:10] + 5.0 * (1 + np.abs(X[:10]))])  # some outside
    got, want = res.locate(X), ref.locate(expect, net, domain, X)
    assert np.all(want[100:] == -1) and np.all(got[100:] == -1)
    inside = want >= 0
    np.testing.assert_array_equal(got[inside], ref_to_res[want[inside]])
    A, c = res.affine
    A2, c2, _ = expect.affine
    mag = 1.0 + np.abs(A2).max() + np.abs(c2).max()
    np.testing.assert_allclose(A[ref_to_res], A2, rtol=0, atol=1e-9 * mag)
    np.testing.assert_allclose(c[ref_to_res], c2, rtol=0, atol=1e-9 * mag)
    # the reference's own forward pass agrees with its maps at the witnesses
    np.testing.assert_allclose(
        ref.forward(net, expect.witnesses), np.einsum("rok,rk->ro", A2, expect.coords) + c2, rtol=1e-9, atol=1e-9 * mag
    )
