"""The activation-pattern walk in R^d: closed forms, the reference, invariances, threads, errors."""

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from profiles import examples
from hypothesis import strategies as st

import reluregions as rr

# ------------------------------------------------------------------------------------ helpers


def random_net(rng, d, widths, integer=False, leaky=False):
    dims = [d, *widths, 1]
    if integer:
        Ws = [rng.integers(-2, 3, size=(dims[i + 1], dims[i])).astype(float) for i in range(len(dims) - 1)]
        bs = [rng.integers(-2, 3, size=dims[i + 1]).astype(float) for i in range(len(dims) - 1)]
    else:
        Ws = [rng.normal(size=(dims[i + 1], dims[i])) for i in range(len(dims) - 1)]
        bs = [rng.normal(size=dims[i + 1]) for i in range(len(dims) - 1)]
    return rr.Network(
        Ws, bs, activation="leaky_relu" if leaky else "relu", **({"negative_slope": 0.1} if leaky else {})
    )


def pattern_set(P):
    return {bytes(row) for row in np.asarray(P, dtype=np.uint8)}


def check_evidence(net, res, integer):
    """Witness patterns equal region patterns; patterns distinct; radii positive."""
    assert res.patterns.shape == (res.count, net.num_hidden)
    assert len(pattern_set(res.patterns)) == res.count
    # Integer weights put witnesses exactly on hyperplanes of units that are identically zero there;
    # ZERO_TOL treats rounding-level values as zero, as the engines do.
    # Regions too thin to hold a float64 point (exact walk, flagged thin) have no float witness.
    fat = ~res.thin
    tol = rr.ZERO_TOL if integer else 0.0
    np.testing.assert_array_equal(net.activation_pattern(res.witnesses[fat], tol=tol), res.patterns[fat])
    # and by the reference's own (NumPy) forward pass, not the core's
    from reluregions import reference

    np.testing.assert_array_equal(reference.activation_patterns(net, res.witnesses[fat]), res.patterns[fat])
    assert np.all(res.radii[fat] > 0)


# ----------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5, 6])
def test_zaslavsky_in_space(d):
    # One hidden layer of n units with random weights: the hyperplanes are in general position, and
    # the regions of R^d are those of the arrangement, sum_{j <= d} C(n, j).
    rng = np.random.default_rng(100 + d)
    for n in (1, 3, 7, 12, 20):
        if d >= 5 and n == 20:
            n = 16  # keeps the test fast; the benchmark covers larger ones
        net = random_net(rng, d, [n])
        assert rr.count(net, rr.Space()) == sum(comb(n, j) for j in range(d + 1)), (d, n)


def test_zaslavsky_bounded_regions_in_a_large_box():
    # A box containing every vertex of the arrangement cuts no bounded region: the bounded regions
    # of n lines in the plane number C(n - 1, 2); all regions 1 + n + C(n, 2) meet the box.
    rng = np.random.default_rng(7)
    n = 9
    net = random_net(rng, 2, [n])
    W, b = net.weights[0], net.biases[0]
    pts = [np.linalg.solve(W[[i, j]], -b[[i, j]]) for i in range(n) for j in range(i)]
    R = float(np.max(np.abs(pts))) * 1.5 + 1
    assert rr.count(net, rr.Box([-R] * 2, [R] * 2), engine="walk") == 1 + n + comb(n, 2)


def test_zigzag_through_the_walk():
    net = rr.constructions.zigzag(3, 3)
    assert rr.count(net, rr.Box([0.0], [1.0]), engine="walk") == 4**3


# ------------------------------------------------------------------------------ the reference


domains_3d = [
    rr.Box([-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]),
    rr.Polytope(np.vstack([np.eye(3), -np.eye(3), [[1.0, 1.0, 1.0]]]), [1, 1, 1, 1, 1, 1, 0.5]),
    rr.Polytope([[1.0, 0, 0], [0, 1.0, 0], [1.0, 1.0, 1.0]], [1.0, 1.0, 1.0]),  # unbounded
    rr.Space(),
]


@settings(max_examples=examples(12))
@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.integers(1, 4),
    widths=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    integer=st.booleans(),
    leaky=st.booleans(),
    kind=st.sampled_from(["box", "polytope", "space"]),
)
def test_walk_matches_reference(seed, d, widths, integer, leaky, kind):
    reference = pytest.importorskip("reluregions.reference")
    rng = np.random.default_rng(seed)
    if sum(widths) > 14:  # keeps the brute-force reference fast (up to 18 units are drawn)
        widths = widths[:2]
    net = random_net(rng, d, widths, integer, leaky)
    if kind == "box":
        dom = (
            rr.Box(-np.ones(d) * 2, np.ones(d) * 2)
            if integer
            else rr.Box(-rng.uniform(0.5, 2, d), rng.uniform(0.5, 2, d))
        )
    elif kind == "polytope":  # a simplex-like polytope, integer facets when the weights are
        A = np.vstack([-np.eye(d), np.ones((1, d))])
        dom = rr.Polytope(A, np.concatenate([np.full(d, 2.0), [2.0]]))
    else:
        dom = rr.Space()
    res = rr.regions(net, dom, engine="walk", threads=2)
    ref = reference.regions(net, dom)
    assert res.count == rr.count(net, dom, engine="walk", threads=1)
    # The reference decides to float tolerances: it drops regions of Chebyshev radius below its
    # RADIUS_TOL * scale (e.g. two hyperplanes 1e-17 apart because 0.1 is not 1/10 in float64); the exact
    # walk counts them, flagged thin when no float64 point fits (away from 0) and not flagged near 0,
    # where float64 points are dense. Every other region is the same.
    ref_set = pattern_set(ref.patterns)
    assert ref_set <= pattern_set(res.patterns)
    for r, p in enumerate(np.asarray(res.patterns, dtype=np.uint8)):
        if bytes(p) not in ref_set:
            assert res.thin[r] or res.radii[r] <= 10 * reference.RADIUS_TOL * ref.scale, (r, res.radii[r])
    check_evidence(net, res, integer)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("d, width", [(3, 8), (4, 10)])
def test_walk_matches_the_vertex_engine_on_deeper_nets(seed, d, width):
    # Three layers of N(0, 1) weights: thousands of regions, many signs proven on one node and passed
    # on to its subtree (the box, LP certificates and one-row bounds); the vertex engine (vertices, no
    # LPs) is an independent count.
    rng = np.random.default_rng(seed)
    dims = [d, width, width, width, 1]
    net = rr.Network(
        [rng.normal(size=(dims[i + 1], dims[i])) for i in range(4)], [rng.normal(size=dims[i + 1]) for i in range(4)]
    )
    box = rr.Box(-np.ones(d), np.ones(d))
    assert int(rr.count(net, box, engine="walk", threads=1)) == int(rr.count(net, box, engine="vertex"))


def test_a_unit_cutting_a_sliver_off_the_box():
    # z = x0 + 1 - 2^-50 is negative only for x0 < -1 + 2^-50: a slab 8.9e-16 thick, within the rounding
    # of z's range over the box, so the box alone cannot decide the unit.
    for d in (3, 4):
        net = rr.Network([np.eye(1, d), np.ones((1, 1))], [np.array([1.0 - 2.0**-50]), np.zeros(1)])
        box = rr.Box(-np.ones(d), np.ones(d))
        assert int(rr.count(net, box, engine="walk")) == 2
        res = rr.regions(net, box, engine="walk")
        assert sorted(res.patterns[:, 0].tolist()) == [0, 1]


def test_walk_on_3d_domains_matches_reference():
    reference = pytest.importorskip("reluregions.reference")
    rng = np.random.default_rng(11)
    net = random_net(rng, 3, [5, 4])
    for dom in domains_3d:
        res = rr.regions(net, dom)
        ref = reference.regions(net, dom)
        assert pattern_set(res.patterns) == pattern_set(ref.patterns), dom
        check_evidence(net, res, False)


def test_degenerate_integer_network_in_3d():
    # Coincident units (rows 0 and 1), a dead unit, a zero-weight unit with positive bias, planes
    # through box vertices and along box faces.
    reference = pytest.importorskip("reluregions.reference")
    W0 = np.array([[1, 1, 0], [2, 2, 0], [0, 0, 0], [0, 0, 0], [1, -1, 1], [1, 0, 0], [0, 0, 1]], dtype=float)
    b0 = np.array([0, 0, -1, 2, 1, -1, 0], dtype=float)
    W1 = np.array([[1, -1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, -1, 0, 0]], dtype=float)
    b1 = np.array([0, 1, -1], dtype=float)
    net = rr.Network([W0, W1, np.ones((1, 3))], [b0, b1, np.zeros(1)])
    dom = rr.Box([-1, -1, -1], [1, 1, 1])
    res = rr.regions(net, dom)
    ref = reference.regions(net, dom)
    assert pattern_set(res.patterns) == pattern_set(ref.patterns)
    check_evidence(net, res, True)


# ------------------------------------------------------------------ agreement between engines


@settings(max_examples=examples(15))
@given(
    seed=st.integers(0, 2**32 - 1),
    dim=st.sampled_from([1, 2]),
    integer=st.booleans(),
    widths=st.lists(st.integers(1, 8), min_size=1, max_size=3),
)
def test_walk_agrees_with_interval_and_polygon_engines(seed, dim, integer, widths):
    rng = np.random.default_rng(seed)
    net = random_net(rng, 5, widths, integer)
    if dim == 1:
        dom = rr.Segment(rng.normal(size=5) * 2, rng.normal(size=5) * 2)
    else:
        dom = rr.Plane.through(*(rng.normal(size=5) * 2 for _ in range(3)))
    fast = rr.regions(net, dom)
    walked = rr.regions(net, dom, engine="walk")
    assert pattern_set(fast.patterns) == pattern_set(walked.patterns)
    tol = rr.ZERO_TOL if integer else 0.0
    np.testing.assert_array_equal(net.activation_pattern(walked.witnesses, tol=tol), walked.patterns)
    # Witnesses lie in the domain: their domain coordinates reproduce them.
    assert np.all(dom.contains(walked.witnesses))


def test_box_in_2d_through_the_walk_and_polygon_engine():
    rng = np.random.default_rng(5)
    net = random_net(rng, 2, [16, 16])
    box = rr.Box([-1, -1], [1, 1])
    assert rr.count(net, box) == rr.count(net, box, engine="walk")


# ----------------------------------------------------------------------------------- threads


def test_results_do_not_depend_on_threads():
    rng = np.random.default_rng(3)
    net = random_net(rng, 4, [10, 10])
    dom = rr.Box(-np.ones(4), np.ones(4))
    one = rr.regions(net, dom, threads=1, affine=True)
    two = rr.regions(net, dom, threads=2, affine=True)
    assert one.count == two.count > 200
    # The same regions in the same (depth-first) order.
    np.testing.assert_array_equal(one.patterns, two.patterns)
    np.testing.assert_allclose(one.witnesses, two.witnesses, atol=1e-9)
    np.testing.assert_allclose(one.affine[0], two.affine[0], atol=1e-9)


def test_signs_proven_on_an_ancestor_hold_in_its_subtree():
    # Units decided once for a whole subtree (stats["inherited"]) and children centred without
    # Chebyshev LPs: every region's pattern is still its witness' pattern, and the regions are the
    # reference's (a different algorithm).
    reference = pytest.importorskip("reluregions.reference")
    rng = np.random.default_rng(11)
    net = random_net(rng, 3, [5, 5, 4])
    dom = rr.Box(-np.ones(3), np.ones(3))
    c = rr.count(net, dom, threads=1, engine="walk")
    res = rr.regions(net, dom, threads=2)
    assert c.stats["inherited"] > 0 and res.stats["inherited"] > 0
    ref = reference.regions(net, dom)
    assert int(c) == res.count == ref.count
    assert pattern_set(res.patterns) == pattern_set(ref.patterns)
    check_evidence(net, res, integer=False)


# ------------------------------------------------------------------------------ invariances


def test_permutation_and_rescaling_invariance():
    rng = np.random.default_rng(8)
    net = random_net(rng, 3, [8, 6])
    W, b = [w.copy() for w in net.weights], [v.copy() for v in net.biases]
    perm = rng.permutation(8)
    W[0], b[0], W[1] = W[0][perm], b[0][perm], W[1][:, perm]
    c = rng.uniform(0.1, 10, size=6)
    W[1], b[1], W[2] = W[1] * c[:, None], b[1] * c, W[2] / c[None, :]
    other = rr.Network(W, b)
    dom = rr.Box(-np.ones(3), np.ones(3))
    assert rr.count(net, dom) == rr.count(other, dom)
    # The output maps agree too (the function is the same).
    X = rng.uniform(-1, 1, size=(50, 3))
    np.testing.assert_allclose(net(X), other(X), rtol=1e-9, atol=1e-9)


# ------------------------------------------------------------------------------- the results


def test_affine_maps_match_the_network():
    rng = np.random.default_rng(4)
    net = random_net(rng, 3, [6, 6])
    dom = rr.Box([-2, -1, 0], [1, 2, 3])
    res = rr.regions(net, dom, affine=True)
    A, c = res.affine
    X = res.witnesses
    np.testing.assert_allclose(np.einsum("rok,rk->ro", A, X) + c, net(X), rtol=1e-9, atol=1e-9)


def test_locate_and_save_load(tmp_path):
    rng = np.random.default_rng(6)
    net = random_net(rng, 3, [6, 5])
    dom = rr.Box(-np.ones(3), np.ones(3))
    res = rr.regions(net, dom)
    X = rng.uniform(-1, 1, size=(200, 3))
    idx = res.locate(X)
    assert np.all(idx >= 0)
    np.testing.assert_array_equal(res.patterns[idx], net.activation_pattern(X))
    assert res.locate([5.0, 0.0, 0.0]) == -1  # outside the box
    res.save(tmp_path / "r.npz")
    back = rr.PolytopeRegions.load(tmp_path / "r.npz")
    np.testing.assert_array_equal(back.patterns, res.patterns)
    np.testing.assert_allclose(back.witnesses, res.witnesses)
    assert back.domain.input_dim == 3


# ------------------------------------------------------------------------ limits and errors


def test_limits_raise_or_mark_partial():
    rng = np.random.default_rng(9)
    net = random_net(rng, 3, [12, 12])
    dom = rr.Box(-np.ones(3), np.ones(3))
    with pytest.raises(rr.LimitExceeded, match="max_regions=10"):
        rr.count(net, dom, max_regions=10)
    part = rr.count(net, dom, max_regions=10, partial=True)
    assert not part.complete and int(part) == 10 and "max_regions=10" in part.reason
    res = rr.regions(net, dom, max_regions=10, partial=True, threads=2)
    assert not res.complete and res.count == 10
    # the regions found are regions: distinct patterns, witnesses with their patterns
    assert len(pattern_set(res.patterns)) == 10
    np.testing.assert_array_equal(net.activation_pattern(res.witnesses), res.patterns)


def test_progress_callback_is_called():
    rng = np.random.default_rng(2)
    net = random_net(rng, 5, [30, 30, 30])
    calls = []
    rr.count(
        net,
        rr.Box(-np.ones(5), np.ones(5)),
        progress=lambda r, o, t: calls.append((r, o, t)),
        max_regions=3000,
        partial=True,
    )
    assert calls and all(r >= 0 and t >= 0 for r, _, t in calls)


def test_bad_domains_and_engines():
    with pytest.raises(ValueError, match="empty"):
        rr.Polytope([[1.0, 0.0], [-1.0, 0.0]], [0.0, -1.0])
    with pytest.raises(ValueError, match="no interior"):
        rr.Polytope([[1.0, 0.0], [-1.0, 0.0]], [0.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        rr.Polytope([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="entries"):
        rr.Polytope([[1.0, 2.0]], [1.0, 2.0])
    with pytest.raises(TypeError, match="numeric"):
        rr.Polytope([["a", "b"]], [1.0])
    with pytest.raises(ValueError, match="input_dim"):
        rr.Space(0)
    net = rr.Network([np.ones((2, 3)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    with pytest.raises(ValueError, match="R\\^2 but the network has 3"):
        rr.count(net, rr.Space(2))
    with pytest.raises(ValueError, match="engine='polygon' cannot handle"):
        rr.count(net, rr.Box(-np.ones(3), np.ones(3)), engine="polygon")
    with pytest.raises(ValueError, match="unknown engine"):
        rr.count(net, rr.Space(), engine="fast")
    with pytest.raises(ValueError, match="threads"):
        rr.count(net, rr.Space(), threads=0)
    linear = rr.Network([np.ones((1, 3))], [np.zeros(1)])
    assert rr.count(linear, rr.Space()) == 1  # no hidden layer: one region (issue 9)


# ------------------------------------------------- facets, adjacency, volumes, linear regions


@pytest.mark.parametrize("d", [2, 3])
def test_arrangement_faces_and_bounded_regions(d):
    # n hyperplanes in general position in R^d: each is cut by the others into the regions of an
    # arrangement of n - 1 hyperplanes in R^(d-1), so there are n * sum_{j<d} C(n-1, j) pairs of
    # regions sharing a facet; C(n - 1, d) regions are bounded (Zaslavsky).
    rng = np.random.default_rng(20 + d)
    n = 7
    net = random_net(rng, d, [n])
    res = rr.regions(net, rr.Space(), facets=True)
    assert res.count == sum(comb(n, j) for j in range(d + 1))
    assert len(res.adjacency) == n * sum(comb(n - 1, j) for j in range(d))
    assert int(res.bounded.sum()) == rr.bounds.zaslavsky_bounded(n, d) == comb(n - 1, d)
    # Neighbours differ in exactly the unit whose hyperplane they share.
    i, j = res.adjacency.T
    assert np.all(np.sum(res.patterns[i] != res.patterns[j], axis=1) == 1)


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("cut", [0.7, -0.6, 0.25])
def test_chebyshev_radii_of_a_cut_box_closed_form(d, cut):
    # One unit x1 = cut in [-1, 1]^d: two boxes of widths 1 + cut and 1 - cut along x1 (2 across), with
    # Chebyshev radii (1 + cut) / 2 and (1 - cut) / 2. For |cut| in [1/2, 1) the cut crosses the root's
    # ball off-centre: the child on the centre's side must not keep the parent's ball as its own.
    W = np.zeros((1, d))
    W[0, 0] = 1.0
    net = rr.Network([W, np.ones((1, 1))], [np.array([-cut]), np.zeros(1)])
    res = rr.regions(net, rr.Box(-np.ones(d), np.ones(d)), engine="walk")
    assert res.count == 2
    on = np.asarray(res.patterns, dtype=bool)[:, 0]
    np.testing.assert_allclose(res.radii[~on], [(1 + cut) / 2], rtol=1e-12)
    np.testing.assert_allclose(res.radii[on], [(1 - cut) / 2], rtol=1e-12)


def test_volumes_sum_to_the_domain():
    scipy_spatial = pytest.importorskip("scipy.spatial")
    rng = np.random.default_rng(12)
    for d in (1, 2, 3):
        net = random_net(rng, d, [6, 5])
        box = rr.Box(-rng.uniform(0.5, 2, d), rng.uniform(0.5, 2, d))
        res = rr.regions(net, box, facets=True)
        assert res.measures.sum() == pytest.approx(np.prod(box.hi - box.lo), rel=1e-9)
        assert np.all(res.measures > 0)
    # A polytope: the cube cut by a plane; its volume from SciPy's convex hull of its vertices.
    A = np.vstack([np.eye(3), -np.eye(3), [[1.0, 1.0, 1.0]]])
    b = np.array([1, 1, 1, 1, 1, 1, 0.5])
    cube = np.array(np.meshgrid(*[[-1.0, 1.0]] * 3)).reshape(3, -1).T
    pts = [p for p in cube if p.sum() <= 0.5]
    for e in range(3):  # cube edges crossing the plane
        for p in cube:
            q = p.copy()
            q[e] = -p[e]
            if p.sum() < 0.5 < q.sum():
                t = (0.5 - p.sum()) / (q.sum() - p.sum())
                pts.append(p + t * (q - p))
    volume = scipy_spatial.ConvexHull(np.array(pts)).volume
    res = rr.regions(random_net(rng, 3, [6, 5]), rr.Polytope(A, b), facets=True)
    assert res.measures.sum() == pytest.approx(volume, rel=1e-9)


def test_facets_describe_the_regions():
    # A point lies in region r iff it satisfies r's facets (away from the boundaries); every facet
    # carries a split unit or the domain's boundary; the witness is strictly inside.
    rng = np.random.default_rng(13)
    net = random_net(rng, 3, [6, 6])
    box = rr.Box(-np.ones(3), np.ones(3))
    res = rr.regions(net, box, facets=True)
    X = rng.uniform(-1, 1, size=(300, 3))
    where = res.locate(X)
    for r in range(0, res.count, max(1, res.count // 15)):
        A, b, units = res.facets(r)
        assert np.all(A @ res.witnesses[r] < b)
        slack = X @ A.T - b
        clear = np.all(slack < -1e-9, axis=1) | np.any(slack > 1e-9, axis=1)
        inside = np.all(slack <= 0, axis=1)
        np.testing.assert_array_equal(inside[clear], (where == r)[clear])
        assert np.all(units >= -1) and np.all(units < net.num_hidden)


def test_volume_estimate_agrees_with_exact_volumes():
    rng = np.random.default_rng(14)
    net = random_net(rng, 3, [5])
    res = rr.regions(net, rr.Box(-np.ones(3), np.ones(3)), facets=True)
    est, se = res.volume_estimate(100_000, seed=0)
    assert np.all(np.abs(est - res.measures) <= 5 * se + 1e-3)


def test_linear_regions_walk_matches_polygon_engine():
    rng = np.random.default_rng(15)
    # Two identical hidden units cancelled in the output: their line separates activation regions
    # but not linear ones.
    W0 = rng.normal(size=(6, 2))
    W0[1] = W0[0]
    b0 = rng.normal(size=6)
    b0[1] = b0[0]
    W1 = rng.normal(size=(4, 6))
    W1[:, 0], W1[:, 1] = 1.0, -1.0
    net = rr.Network([W0, W1, rng.normal(size=(1, 4))], [b0, rng.normal(size=4), rng.normal(size=1)])
    box = rr.Box([-2, -2], [2, 2])
    fast = rr.regions(net, box, merge_linear=True)
    walked = rr.regions(net, box, engine="walk", merge_linear=True)
    assert walked.count == fast.count
    assert walked.linear_count == fast.linear_count < walked.count
