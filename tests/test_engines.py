"""Acceptance properties of the 1-D and 2-D engines: against the independent reference
(reluregions.reference), closed forms, invariances and hand counts of degenerate arrangements.

Nothing here compares with numbers printed by the engines themselves. Independent checks done in
NumPy in this file: folding a domain into the first layer, the output affine map of a pattern, and
merging activation regions into linear regions.
"""

from itertools import combinations
from math import comb

import numpy as np
from exact_util import (
    count_1d,
    exact_domain_patterns,
    exact_output_map,
    exact_patterns,
    exact_regions,
    linear_count_1d,
)
import pytest
from hypothesis import given, settings
from profiles import examples
from hypothesis import strategies as st
from strategies import domains_1d, domains_2d, networks, planes_nd, segments_nd

import reluregions as rr
from reluregions import constructions as C
from reluregions import reference as ref

# The 1-D breakpoint reference is fast; the 2-D LP reference is a brute force, so 2-D nets checked
# against it stay small.
REF_HIDDEN_1D = 32
REF_HIDDEN_2D = 12


# ------------------------------------------------------------------------------- NumPy helpers
def is_integer_net(net):
    return all(np.array_equal(W, np.round(W)) for W in net.weights) and all(
        np.array_equal(b, np.round(b)) for b in net.biases
    )


def pattern_tol(net):
    """Tolerance for the forward-pass pattern at a witness.

    Float weights: strict ``z > 0``. No unit is identically zero on a region and a witness is an
    interior point, so every pre-activation there is far from 0. Integer weights: a unit can be
    identically zero on a whole region (``relu(x) - relu(x)``, a dead layer feeding an exact
    cancellation); the engines call it off, but at a witness the forward pass sums the cancelling
    terms in floating point and can get +1e-16, which ``z > 0`` reads as on (seen in about 1 of 500
    random integer cases). ``tol=ZERO_TOL`` makes rounding-level values zero, the convention the
    engines (and the reference) use.
    """
    return rr.ZERO_TOL if is_integer_net(net) else 0.0


def rebuild(net, weights, biases):
    """A network with `net`'s activations and new weights."""
    return rr.Network(weights, biases, list(net.activations), list(net.negative_slopes))


def fold(net, domain):
    """The network ``u -> net(origin + basis @ u)`` on the box ``[lo, hi]`` of domain coordinates."""
    origin, basis, lo, hi = domain.parametrization()
    W0, b0 = net.weights[0], net.biases[0]
    return rebuild(net, [W0 @ basis, *net.weights[1:]], [b0 + W0 @ origin, *net.biases[1:]]), rr.Box(lo, hi)


def affine_of_pattern(net, pattern, domain):
    """Output map ``f = A s + c`` in domain coordinates on the region of `pattern` (NumPy)."""
    origin, basis, _, _ = domain.parametrization()
    H, h = net.weights[0] @ basis, net.weights[0] @ origin + net.biases[0]
    start = 0
    for l, width in enumerate(net.widths):
        f = np.where(pattern[start : start + width], 1.0, net.negative_slopes[l])
        start += width
        H, h = net.weights[l + 1] @ (f[:, None] * H), net.weights[l + 1] @ (f * h) + net.biases[l + 1]
    return H, h


def maps_equal(A1, c1, A2, c2, scale):
    return np.max(np.abs(A1 - A2)) <= 1e-8 * scale and np.max(np.abs(c1 - c2)) <= 1e-8 * scale


def sorted_by_pattern(patterns, *arrays):
    order = np.lexsort(np.asarray(patterns).T[::-1])
    return [np.asarray(patterns)[order]] + [np.asarray(a)[order] for a in arrays]


def uniform_points(domain, n, seed):
    """Uniform random points of the domain, in input space."""
    _, _, lo, hi = domain.parametrization()
    s = lo + np.random.default_rng(seed).random((n, lo.size)) * (hi - lo)
    return domain.to_input(s)


def check_against_reference(net, domain, res):
    """Count and patterns equal the exact splitting in fractions (tests/exact_util.py); measures equal
    the floating-point reference's (SciPy LPs / breakpoints), which resolves all but sub-1e-9 slivers."""
    truth = exact_regions(net, domain)
    assert rr.count(net, domain) == res.count == len(truth)
    P, M = sorted_by_pattern(res.patterns, res.measures)
    np.testing.assert_array_equal(P, truth)
    if domain.dim == 1:
        expect = ref.regions(net, domain, method="breakpoints", max_hidden=REF_HIDDEN_1D)
    else:
        expect = ref.regions(net, domain, method="lp", max_hidden=REF_HIDDEN_2D)
    if expect.count == res.count:
        np.testing.assert_array_equal(P, expect.patterns)
        np.testing.assert_allclose(M, expect.measures, rtol=1e-7, atol=1e-9 * domain.measure)
    else:  # the float reference merged slivers thinner than its tolerance: they are all that differs
        assert expect.count < res.count
        small = ~np.isin([p.tobytes() for p in P], [p.tobytes() for p in expect.patterns])
        assert np.all(M[small] <= 1e-8 * domain.measure)


def check_regions(net, domain, res):
    """Properties every enumeration must have, whatever the network."""
    P = res.patterns
    assert P.shape == (res.count, net.num_hidden)
    assert len({p.tobytes() for p in P}) == res.count  # one region per pattern (regions are convex)
    # a witness lies in its region: the exact pattern (fractions here) of its exact domain point is the
    # region's, unless the region is flagged too thin to hold a float64 point
    ok = ~res.thin
    np.testing.assert_array_equal(exact_domain_patterns(net, domain, res.coords[ok]), P[ok])
    if isinstance(domain, rr.Box):  # the witnesses are those points themselves (rationals in the core)
        np.testing.assert_array_equal(net.activation_pattern(res.witnesses[ok], exact=True), P[ok])
    assert domain.contains(res.witnesses).all()
    assert np.all(res.measures >= 0)  # float measures of regions thinner than rounding can be 0
    assert abs(res.measures.sum() - domain.measure) <= 1e-9 * domain.measure
    if domain.dim == 1:  # the intervals tile the domain in order
        I = res.intervals
        _, _, lo, hi = domain.parametrization()
        assert I[0, 0] == lo[0] and I[-1, 1] == hi[0]
        np.testing.assert_array_equal(I[1:, 0], I[:-1, 1])
        np.testing.assert_allclose(I[:, 1] - I[:, 0], res.measures, rtol=1e-12, atol=1e-12 * domain.measure)


# ------------------------------------------------------------------------ against the reference
@settings(max_examples=examples(150))
@given(networks(1), domains_1d())
def test_1d_matches_reference(net, domain):
    res = rr.regions(net, domain)
    check_regions(net, domain, res)
    check_against_reference(net, domain, res)
    # in 1-D the order is known too: the breakpoint reference's pieces, left to right (when it resolves
    # every piece; it merges pieces thinner than its tolerance, which check_against_reference allows)
    breaks, P = ref.breakpoints_1d(net, domain, max_hidden=REF_HIDDEN_1D)
    if len(P) == res.count:
        np.testing.assert_array_equal(res.patterns, P)
        span = float(np.ptp(breaks))
        np.testing.assert_allclose(res.intervals[:, 0], breaks[:-1], rtol=0, atol=1e-9 * span)


@settings(max_examples=examples(60))
@given(networks(2, max_hidden=REF_HIDDEN_2D), domains_2d())
def test_2d_matches_reference(net, domain):
    res = rr.regions(net, domain)
    check_regions(net, domain, res)
    check_against_reference(net, domain, res)


@settings(max_examples=examples(60))
@given(networks(2, max_hidden=32), domains_2d())
def test_2d_larger_nets(net, domain):
    # beyond the reference's reach: the properties that need no reference
    check_regions(net, domain, rr.regions(net, domain))


@settings(max_examples=examples(60))
@given(networks(2, max_hidden=32), st.data())
def test_segments_in_the_plane(net, data):
    # a Segment of a 2-input space (integer end points: through crossings of integer nets' lines)
    point = st.tuples(st.integers(-3, 3), st.integers(-3, 3))
    a = data.draw(point)
    b = data.draw(point.filter(lambda p: p != a))
    seg = rr.Segment(np.array(a, float), np.array(b, float))
    res = rr.regions(net, seg)
    check_regions(net, seg, res)
    # integer end points cross integer nets' lines exactly: the truth is the exact sweep in fractions
    assert res.count == count_1d(net, a, b)


# --------------------------------------------------------------------------------- invariances
@st.composite
def reparametrized(draw, net):
    """`net` with the hidden units of every layer permuted and each unit rescaled by c > 0 (output
    weights by 1/c): the same function, the same regions with permuted bits. Returns it and the
    permutation of pattern columns."""
    Ws, bs = [W.copy() for W in net.weights], [b.copy() for b in net.biases]
    columns, start = [], 0
    # Powers of two, so that the twin is exactly the same function: counts are exact for the network as
    # given, and any other factor rounds exact coincidences (of integer nets) into near-coincidences
    # with thin regions of their own. Scales far from 1 check that nothing depends on magnitudes.
    factors = st.integers(-60, 60).map(lambda k: 2.0**k)
    for l, width in enumerate(net.widths):
        perm = np.array(draw(st.permutations(range(width))))
        c = np.array(draw(st.lists(factors, min_size=width, max_size=width)))
        Ws[l], bs[l] = c[:, None] * Ws[l][perm], c * bs[l][perm]
        Ws[l + 1] = Ws[l + 1][:, perm] / c[None, :]
        columns.extend(start + perm)
        start += width
    return rebuild(net, Ws, bs), np.array(columns, dtype=int)


@settings(max_examples=examples(80))
@given(st.data(), st.sampled_from([1, 2]))
def test_permuting_and_rescaling_units_changes_nothing(data, dim):
    net = data.draw(networks(dim, max_hidden=24))
    domain = data.draw(domains_1d() if dim == 1 else domains_2d())
    twin, columns = data.draw(reparametrized(net))
    X = uniform_points(domain, 20, 0)
    np.testing.assert_allclose(twin(X), net(X), rtol=1e-9, atol=1e-9 * (1 + np.abs(net(X)).max()))
    res, res2 = rr.regions(net, domain), rr.regions(twin, domain)
    assert rr.count(twin, domain) == rr.count(net, domain) == res.count == res2.count
    P, M = sorted_by_pattern(res.patterns[:, columns], res.measures)
    P2, M2 = sorted_by_pattern(res2.patterns, res2.measures)
    np.testing.assert_array_equal(P2, P)
    np.testing.assert_allclose(M2, M, rtol=1e-6, atol=1e-9 * domain.measure)


# ---------------------------------------------------------------------- domains in 5-D input
@settings(max_examples=examples(40))
@given(networks(5, max_hidden=32, kind="float"), st.data())
def test_segment_in_5d_equals_folded_net(net, data):
    # Generic (float) networks only: folding the domain into the first layer in NumPy rounds, which
    # turns an exact degeneracy of an integer network (three concurrent zero sets) into a near one
    # that the exact engines resolve (a tiny extra region): the folded network is then another network.
    seg = data.draw(segments_nd(5))
    folded, box = fold(net, seg)
    res, res2 = rr.regions(net, seg), rr.regions(folded, box)
    assert rr.count(net, seg) == rr.count(folded, box) == res.count == res2.count
    np.testing.assert_array_equal(res.patterns, res2.patterns)  # both left to right
    np.testing.assert_allclose(res.intervals, res2.intervals, rtol=0, atol=1e-9)
    check_regions(net, seg, res)
    assert res.count == ref.count(net, seg, max_hidden=REF_HIDDEN_1D)


@settings(max_examples=examples(40))
@given(networks(5, max_hidden=32, kind="float"), st.data())
def test_plane_in_5d_equals_folded_net(net, data):
    # Generic (float) networks only: folding the domain into the first layer in NumPy rounds, which
    # turns an exact degeneracy of an integer network (three concurrent zero sets) into a near one
    # that the exact engines resolve (a tiny extra region): the folded network is then another network.
    plane = data.draw(planes_nd(5))
    res = rr.regions(net, plane)
    # the truth: exact splitting of the plane in fractions
    truth = exact_regions(net, plane)
    assert rr.count(net, plane) == res.count == len(truth)
    P, M = sorted_by_pattern(res.patterns, res.measures)
    np.testing.assert_array_equal(P, truth)
    check_regions(net, plane, res)
    # The net folded in float64 onto the plane's box is a slightly different network (folding rounds),
    # so exact coincidences can split into slivers; where its exact regions are the plane's, so is all.
    folded, box = fold(net, plane)
    if len(exact_regions(folded, box)) == res.count:
        res2 = rr.regions(folded, box)
        P2, M2 = sorted_by_pattern(res2.patterns, res2.measures)
        np.testing.assert_array_equal(P, P2)
        np.testing.assert_allclose(M, M2, rtol=1e-7, atol=1e-9 * plane.measure)


@settings(max_examples=examples(15))
@given(networks(5, max_hidden=REF_HIDDEN_2D), st.data())
def test_plane_in_5d_matches_reference(net, data):
    plane = data.draw(planes_nd(5))
    check_against_reference(net, plane, rr.regions(net, plane))


# -------------------------------------------------------------------------------- closed forms
def general_position_layer(n, input_dim, seed):
    """One hidden layer of `n` units (normal weights) and a box, with a margin of 1, that meets every
    intersection of up to `input_dim` of their zero hyperplanes (it contains a point of each)."""
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(n, input_dim)), rng.normal(size=n)
    subsets = [list(r) for k in range(1, input_dim + 1) for r in combinations(range(n), k)]
    pts = np.array([np.linalg.lstsq(W[r], -b[r], rcond=None)[0] for r in subsets])
    net = rr.Network([W, rng.normal(size=(1, n))], [b, np.zeros(1)])
    return net, rr.Box(pts.min(axis=0) - 1.0, pts.max(axis=0) + 1.0)


@settings(max_examples=examples(40))
@given(st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_general_position_lines_zaslavsky(n, seed):
    # n lines in general position with every crossing inside the box: 1 + n + C(n, 2) regions
    net, box = general_position_layer(n, 2, seed)
    assert rr.count(net, box) == len(rr.regions(net, box)) == 1 + n + comb(n, 2)


@settings(max_examples=examples(40))
@given(st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_general_position_points_1d(n, seed):
    net, box = general_position_layer(n, 1, seed)
    assert rr.count(net, box) == len(rr.regions(net, box)) == n + 1


@pytest.mark.parametrize(("width", "depth"), [(3, 1), (3, 2), (4, 2), (5, 2), (3, 3), (6, 2), (4, 3)])
def test_zigzag_small(width, depth):
    net = C.zigzag(width, depth)
    seg = rr.Segment([0.0], [1.0])
    res = rr.regions(net, seg)
    assert rr.count(net, seg) == res.count == (width + 1) ** depth
    check_regions(net, seg, res)


def test_zigzag_known_numbers():
    assert rr.count(C.zigzag(3, 4), rr.Box([0.0], [1.0])) == 256 == 4**4
    assert rr.count(C.zigzag(10, 5), rr.Segment([0.0], [1.0])) == 161_051 == 11**5


# ------------------------------------------------------------------------------ linear regions
def check_linear(net, domain, res):
    """Linear regions: maps right, constant on each linear region, and (independently merged
    here) the same partition as the engine's."""
    A, c = res.affine
    # the stored maps are those of the patterns (NumPy) ...
    for r in range(res.count):
        A2, c2 = affine_of_pattern(net, res.patterns[r], domain)
        scale = 1.0 + np.abs(A2).max() + np.abs(c2).max()
        assert maps_equal(A[r], c[r], A2, c2, scale), r
    # ... and reproduce the network on the region's witness
    f = np.einsum("rok,rk->ro", A, res.coords) + c
    np.testing.assert_allclose(f, net(res.witnesses), rtol=1e-9, atol=1e-9 * (1 + np.abs(f).max()))
    lin = res.linear_regions()
    assert lin.count == res.linear_count <= res.count
    assert sorted(set(lin.labels.tolist())) == list(range(lin.count))
    np.testing.assert_allclose(lin.measures.sum(), domain.measure, rtol=1e-9)
    scale = 1.0 + np.abs(A).max() + np.abs(c).max()
    # an independent merge: union of neighbours (sharing an edge) with equal maps
    parent = list(range(res.count))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    exact = {}  # the truth of "equal maps" is exact equality (fractions), not a tolerance

    def emap(i):
        if i not in exact:
            exact[i] = exact_output_map(net, res.patterns[i], domain)
        return exact[i]

    for i, j in neighbours(res):
        if emap(i) == emap(j):
            parent[find(i)] = find(j)
    roots = np.array([find(i) for i in range(res.count)])
    # same partition: label <-> root is a bijection
    pairs = set(zip(lin.labels.tolist(), roots.tolist()))
    assert len(pairs) == lin.count == len(set(roots.tolist())), (lin.count, len(set(roots.tolist())))
    return lin


def neighbours(res):
    """Pairs of regions sharing a boundary point (1-D) or an edge of positive length (2-D)."""
    if res.dim == 1:
        return [(i, i + 1) for i in range(res.count - 1)]
    polys = res.polygons
    edges, owner = [], []
    for r, poly in enumerate(polys):
        for k in range(len(poly)):
            edges.append((poly[k], poly[(k + 1) % len(poly)]))
            owner.append(r)
    E, owner = np.array(edges), np.array(owner)
    span = float(np.max(res.domain.parametrization()[3] - res.domain.parametrization()[2]))
    tol = 1e-9 * span
    p, q = E[:, 0], E[:, 1]
    d = q - p
    length = np.linalg.norm(d, axis=1)
    keep = length > tol
    E, owner, p, d, length = E[keep], owner[keep], p[keep], d[keep], length[keep]
    u = d / length[:, None]
    n = np.stack([-u[:, 1], u[:, 0]], axis=1)
    pairs = set()
    for e in range(len(E)):
        other = owner != owner[e]
        # both endpoints of the other edge on e's line ...
        off0 = np.abs((E[other, 0] - p[e]) @ n[e])
        off1 = np.abs((E[other, 1] - p[e]) @ n[e])
        # ... and an overlap of positive length along it
        t0, t1 = (E[other, 0] - p[e]) @ u[e], (E[other, 1] - p[e]) @ u[e]
        overlap = np.minimum(np.maximum(t0, t1), length[e]) - np.maximum(np.minimum(t0, t1), 0.0)
        hit = (off0 <= tol) & (off1 <= tol) & (overlap > tol)
        for j in owner[other][hit]:
            pairs.add((min(owner[e], j), max(owner[e], j)))
    return sorted(pairs)


@settings(max_examples=examples(120))
@given(networks(1), domains_1d())
def test_linear_regions_1d_match_reference(net, domain):
    res = rr.regions(net, domain, merge_linear=True)
    lin = check_linear(net, domain, res)
    # the truth: the exact sweep in fractions, neighbours merged when their exact maps are equal
    x0, B, lo, hi = domain.parametrization()
    assert lin.count == linear_count_1d(net, x0 + B[:, 0] * lo[0], x0 + B[:, 0] * hi[0])


@settings(max_examples=examples(50))
@given(networks(2, max_hidden=24), domains_2d())
def test_linear_regions_2d(net, domain):
    res = rr.regions(net, domain, merge_linear=True)
    check_linear(net, domain, res)
    # neighbours in different linear regions have different maps (exactly: they may differ by 1e-16)
    lab = res.linear_regions().labels
    for i, j in neighbours(res):
        if lab[i] != lab[j]:
            assert exact_output_map(net, res.patterns[i], domain) != exact_output_map(net, res.patterns[j], domain)


def cancelled_pair(input_dim):
    """Units relu(x0 - 0.5) twice, with output weights +1 and -1 (they cancel), and relu(x0 + 0.3)
    (plus relu(x1 + 0.2) in 2-D)."""
    if input_dim == 1:
        W0, b0 = np.array([[1.0], [1.0], [1.0]]), np.array([-0.5, -0.5, 0.3])
        W1 = np.array([[1.0, -1.0, 1.0]])
    else:
        W0, b0 = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), np.array([-0.5, -0.5, 0.3, 0.2])
        W1 = np.array([[1.0, -1.0, 1.0, 2.0]])
    return rr.Network([W0, W1], [b0, np.zeros(1)])


@pytest.mark.parametrize(
    ("domain", "regions", "linear"),
    [
        (rr.Segment([-1.0], [1.0]), 3, 2),  # breaks at -0.3 and 0.5; only -0.3 bends f
        (rr.Box([-1.0, -1.0], [1.0, 1.0]), 6, 4),  # x0 in 3 pieces, x1 in 2; x0 = 0.5 does not bend f
    ],
)
def test_cancelled_duplicate_unit_merges_regions(domain, regions, linear):
    net = cancelled_pair(domain.dim)
    res = rr.regions(net, domain, merge_linear=True)
    assert res.count == regions == ref.count(net, domain)
    assert res.linear_count == linear
    check_linear(net, domain, res)
    if domain.dim == 1:
        assert ref.linear_regions_1d(net, domain) == linear
    # without the cancelling copy, the same regions are all linear regions
    n = net.num_hidden - 1
    plain = rr.Network([net.weights[0][1:], np.ones((1, n))], [net.biases[0][1:], np.zeros(1)])
    assert rr.regions(plain, domain, merge_linear=True).linear_count == regions


# ---------------------------------------------------------------------------- locate, save/load
@settings(max_examples=examples(60))
@given(st.data(), st.sampled_from([1, 2]), st.integers(0, 2**32 - 1))
def test_locate_finds_the_region_of_random_points(data, dim, seed):
    net = data.draw(networks(dim, max_hidden=24))
    domain = data.draw(domains_1d() if dim == 1 else domains_2d())
    res = rr.regions(net, domain)
    X = uniform_points(domain, 50, seed)
    idx = res.locate(X)
    assert np.all(idx >= 0)
    # the region's pattern is the points' exact pattern (fractions; a float pattern, the reference's
    # included, can be wrong on near-degenerate nets: a unit exactly 5.6e-17 above zero on a region)
    np.testing.assert_array_equal(res.patterns[idx], exact_patterns(net, X))
    assert res.locate(X[0]) == idx[0]


def test_locate_outside_the_domain():
    net = cancelled_pair(2)
    res = rr.regions(net, rr.Box([-1.0, -1.0], [1.0, 1.0]))
    assert res.locate(np.array([[2.0, 0.0], [0.0, -1.5]])).tolist() == [-1, -1]
    seg = rr.Segment([0.0, 0.0], [1.0, 0.0])
    res = rr.regions(net, seg)
    assert res.locate(np.array([[0.7, 0.1], [1.5, 0.0]])).tolist() == [-1, -1]  # off the line, past b


def test_a_point_on_a_boundary_is_in_no_region():
    # x0 = 0.5 and 3 x1 = 1: a point with x0 = 0.5 is on a boundary exactly (in no region); x1 = fl(1/3)
    # is not (3 fl(1/3) - 1 = -2^-54 exactly), so that point is in the region below the line.
    net = rr.Network([np.array([[1.0, 0.0], [0.0, 3.0]]), np.ones((1, 2))], [np.array([-0.5, -1.0]), np.zeros(1)])
    for engine in ("polygon", "walk"):
        res = rr.regions(net, rr.Box([-1.0, -1.0], [1.0, 1.0]), engine=engine)
        assert res.count == 4
        X = np.array([[0.5, 0.2], [0.5, -0.7], [0.25, 1 / 3], [0.75, 1 / 3]])
        idx = res.locate(X)
        assert idx[:2].tolist() == [-1, -1], engine
        assert np.all(idx[2:] >= 0), engine
        np.testing.assert_array_equal(res.patterns[idx[2:]], exact_patterns(net, X[2:]))
        assert not res.patterns[idx[2:], 1].any()  # below the line 3 x1 = 1


def regions_equal(a, b):
    assert a.count == b.count and a.complete == b.complete
    np.testing.assert_array_equal(a.patterns, b.patterns)
    np.testing.assert_array_equal(a.witnesses, b.witnesses)
    np.testing.assert_array_equal(a.measures, b.measures)
    if a.dim == 1:
        np.testing.assert_array_equal(a.intervals, b.intervals)
    else:
        np.testing.assert_array_equal(a.vertices, b.vertices)
        np.testing.assert_array_equal(a.offsets, b.offsets)
    assert (a.affine is None) == (b.affine is None)
    if a.affine is not None:
        for x, y in zip(a.affine, b.affine):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    ("make_net", "domain", "affine"),
    [
        (
            lambda: rr.Network(
                [np.array([[1.0], [-2.0], [2.0]]), np.array([[1.0, 1.0, -1.0]])],
                [np.array([0.0, 1.0, -1.0]), np.zeros(1)],
            ),
            rr.Segment([-2.0], [3.0]),
            False,
        ),
        (lambda: C.zigzag(3, 2), rr.Box([0.0], [1.0]), True),
        (lambda: cancelled_pair(2), rr.Box([-1.0, -1.0], [1.0, 1.0]), True),
        (
            lambda: rr.Network(
                [np.random.default_rng(1).normal(size=(6, 5)), np.ones((1, 6))],
                [np.zeros(6), np.zeros(1)],
                "leaky_relu",
                negative_slope=0.1,
            ),
            rr.Plane([0.0] * 5, [1.0, 0, 0, 0, 0], [0, 1.0, 1.0, 0, 0], (-1.0, 2.0), (0.5, 1.5)),
            False,
        ),
    ],
)
def test_save_load_roundtrip(tmp_path, make_net, domain, affine):
    net = make_net()
    res = rr.regions(net, domain, affine=affine)
    path = tmp_path / "regions.npz"
    res.save(path)
    back = rr.Regions.load(path)
    regions_equal(res, back)
    assert type(back.domain) is type(domain)
    for x, y in zip(back.domain.parametrization(), domain.parametrization()):
        np.testing.assert_array_equal(x, y)
    assert len(back.network.weights) == len(net.weights)
    for W, W2, b, b2 in zip(net.weights, back.network.weights, net.biases, back.network.biases):
        np.testing.assert_array_equal(W, W2)
        np.testing.assert_array_equal(b, b2)
    assert back.network.activations == net.activations and back.network.negative_slopes == net.negative_slopes
    X = uniform_points(domain, 30, 0)
    np.testing.assert_array_equal(back.locate(X), res.locate(X))
    assert back.linear_count == res.linear_count


# ------------------------------------------------------------------------ degenerate, by hand
def net2(rows, biases, out=None, *more):
    """A 2-input net with one hidden layer of the given zero lines (and optional further layers)."""
    W0 = np.array(rows, dtype=float).reshape(len(rows), -1)
    layers, bs = [W0], [np.array(biases, dtype=float)]
    for W, b in more:
        layers.append(np.array(W, dtype=float))
        bs.append(np.array(b, dtype=float))
    n = layers[-1].shape[0]
    layers.append(np.ones((1, n)) if out is None else np.array(out, dtype=float))
    bs.append(np.zeros(1))
    return rr.Network(layers, bs)


SQUARE = rr.Box([-1.0, -1.0], [1.0, 1.0])
UNIT = rr.Box([0.0, 0.0], [1.0, 1.0])
LINE = rr.Segment([-1.0], [1.0])

DEGENERATE = {
    # coincident zero lines: a duplicated unit, a scaled copy and an opposite copy add no region
    "duplicated unit": (net2([[1, -1], [1, -1], [1, 0]], [0, 0, 0]), SQUARE, 4),
    "scaled copy": (net2([[1, -1], [2, -2], [1, 0]], [0, 0, 0]), SQUARE, 4),
    "opposite copy": (net2([[1, -1], [-1, 1], [1, 0]], [0, 0, 0]), SQUARE, 4),
    # an all-zero row: off everywhere (dead); with a positive bias, on everywhere
    "dead unit": (net2([[0, 0], [1, 0]], [0, 0]), SQUARE, 2),
    "always-on unit": (net2([[0, 0], [1, 0]], [1, 0]), SQUARE, 2),
    "always-off unit (negative bias)": (net2([[0, 0], [1, 0]], [-1, 0]), SQUARE, 2),
    # lines through corners of the box
    "line touching a corner only": (net2([[1, 1]], [0]), UNIT, 1),
    "diagonal through two corners": (net2([[1, -1]], [0]), UNIT, 2),
    "both diagonals": (net2([[1, -1], [1, 1]], [0, -1]), UNIT, 4),
    # lines along box edges split nothing
    "line along an edge (on inside)": (net2([[1, 0]], [0]), UNIT, 1),
    "line along an edge (off inside)": (net2([[-1, 0]], [0]), UNIT, 1),
    "lines along all four edges": (net2([[1, 0], [0, 1], [-1, 0], [0, -1]], [0, 0, 1, 1]), UNIT, 1),
    "edge line and a crossing line": (net2([[1, 0], [1, -1]], [0, 0]), UNIT, 2),
    # parallel lines
    "three parallel lines": (net2([[1, 0], [1, 0], [2, 0]], [0.5, 0, -1]), SQUARE, 4),
    "parallel grid": (net2([[1, 0], [1, 0], [0, 1], [0, 1]], [0.5, -0.5, 0.5, -0.5]), SQUARE, 9),
    # concurrent lines: k lines through one point make 2k regions
    "three concurrent lines": (net2([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), SQUARE, 6),
    "four concurrent lines": (net2([[1, 0], [0, 1], [1, 1], [1, -1]], [0, 0, 0, 0]), SQUARE, 8),
    "concurrent at a corner": (net2([[1, 0], [0, 1], [1, 1], [1, -1]], [0, 0, 0, 0]), UNIT, 2),
    # second layer: identically zero (relu(x) - relu(x)), and bending exactly on a first-layer line
    "identically zero deep unit": (net2([[1, 0], [1, 0]], [0, 0], None, ([[1, -1]], [0])), SQUARE, 2),
    "deep unit on a first-layer line": (net2([[1, 0], [0, 1]], [0, 0], None, ([[1, 0], [1, 1]], [0, 0])), SQUARE, 4),
    "deep unit through a vertex": (net2([[1, 0], [0, 1]], [0, 0], None, ([[1, -1]], [0])), SQUARE, 5),
}


@pytest.mark.parametrize("name", list(DEGENERATE))
def test_degenerate_2d_by_hand(name):
    net, domain, expected = DEGENERATE[name]
    res = rr.regions(net, domain)
    assert rr.count(net, domain) == res.count == expected
    check_regions(net, domain, res)
    check_against_reference(net, domain, res)


def test_dead_and_always_on_bits():
    res = rr.regions(DEGENERATE["dead unit"][0], SQUARE)
    assert not res.patterns[:, 0].any()
    res = rr.regions(DEGENERATE["always-on unit"][0], SQUARE)
    assert res.patterns[:, 0].all()


DEGENERATE_1D = {
    "root at the left end": (rr.Network([np.array([[1.0]]), np.ones((1, 1))], [np.array([1.0]), np.zeros(1)]), LINE, 1),
    "root at the right end": (
        rr.Network([np.array([[1.0]]), np.ones((1, 1))], [np.array([-1.0]), np.zeros(1)]),
        LINE,
        1,
    ),
    "coincident roots": (
        rr.Network([np.array([[1.0], [2.0], [-3.0]]), np.ones((1, 3))], [np.zeros(3), np.zeros(1)]),
        LINE,
        2,
    ),
    "dead and always-on units": (
        rr.Network([np.array([[0.0], [0.0], [1.0]]), np.ones((1, 3))], [np.array([0.0, 2.0, 0.5]), np.zeros(1)]),
        LINE,
        2,
    ),
    "deep unit identically zero": (
        rr.Network(
            [np.array([[1.0], [1.0]]), np.array([[1.0, -1.0]]), np.ones((1, 1))],
            [np.zeros(2), np.zeros(1), np.zeros(1)],
        ),
        LINE,
        2,
    ),
    "deep root on a first-layer root": (
        rr.Network(
            [np.array([[1.0], [-1.0]]), np.array([[1.0, 0.0], [1.0, -1.0]]), np.ones((1, 2))],
            [np.zeros(2), np.zeros(2), np.zeros(1)],
        ),
        LINE,
        2,
    ),
    "leaky cancellation": (
        rr.Network(
            [np.array([[1.0], [1.0]]), np.array([[1.0, -1.0]]), np.ones((1, 1))],
            [np.zeros(2), np.zeros(1), np.zeros(1)],
            "leaky_relu",
            negative_slope=0.1,
        ),
        LINE,
        2,
    ),
}


@pytest.mark.parametrize("name", list(DEGENERATE_1D))
def test_degenerate_1d_by_hand(name):
    net, domain, expected = DEGENERATE_1D[name]
    res = rr.regions(net, domain)
    assert rr.count(net, domain) == res.count == expected
    check_regions(net, domain, res)
    check_against_reference(net, domain, res)
    assert ref.count(net, domain, method="lp") == expected


# ------------------------------------------------------------------------------- typing stub
def pybind_params(obj):
    """Parameter names and whether each has a default, from a pybind11 signature docstring."""
    sig = obj.__doc__.strip().splitlines()[0]
    inner, depth, parts, cur = sig[sig.index("(") + 1 : sig.rindex(") ->")], 0, [], ""
    for ch in inner:  # split on top-level commas (types contain brackets)
        depth += (ch in "[(") - (ch in "])")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts = [q.strip() for q in [*parts, cur] if q.strip()]
    return [(q.split(":")[0].strip(), "=" in q) for q in parts if q.split(":")[0].strip() != "self"]


def stub_params(fn):
    args = [a.arg for a in fn.args.args if a.arg != "self"]
    n_defaults = len(fn.args.defaults)
    return [(a, i >= len(args) - n_defaults) for i, a in enumerate(args)]


def test_core_stub_matches_the_compiled_module():
    # _core.pyi is hand-written: every public name, method and parameter must match the bindings
    import ast
    import pathlib

    from reluregions import _core

    tree = ast.parse((pathlib.Path(rr.__file__).parent / "_core.pyi").read_text())
    stub = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    stub.update({n.target.id: n for n in tree.body if isinstance(n, ast.AnnAssign) and not n.target.id.startswith("_")})
    public = {n for n in dir(_core) if not n.startswith("_")}
    assert set(stub) == public
    for name in sorted(public):
        obj, node = getattr(_core, name), stub[name]
        if isinstance(node, ast.FunctionDef):
            assert stub_params(node) == pybind_params(obj), name
        elif isinstance(node, ast.ClassDef) and name != "LimitExceeded":
            members = {m.name: m for m in node.body if isinstance(m, ast.FunctionDef)}
            runtime = {m for m in vars(obj) if not m.startswith("_")} | {"__init__"}
            assert set(members) == runtime, name
            for m, fn in members.items():
                if isinstance(vars(obj).get(m), property):
                    assert any(isinstance(d, ast.Name) and d.id == "property" for d in fn.decorator_list), (name, m)
                else:
                    assert stub_params(fn) == pybind_params(getattr(obj, m)), (name, m)


# ------------------------------------------------------------------------------- regressions
# Was ENGINE_BUGS.md #1: rounding left by incremental map updates made an identically-zero unit 'on'.
def test_identically_zero_unit_after_incremental_updates():
    W = [[[-2, 2], [1, -1], [1, 0]], [[0, 0, 1], [0, 0, 1], [0, 2, -1], [-1, 1, 0]], [[0, 0, 1, -1]], [[0]]]
    b = [[1, 0, -1], [0, 0, 0, 0], [0], [0]]
    net = rr.Network([np.array(w, float) for w in W], [np.array(v, float) for v in b])
    box = rr.Box([0.0, 0.0], [2.4, 2.4])  # decimal corners: folding the box into the first layer rounds
    res = rr.regions(net, box)
    assert res.count == 13
    check_regions(net, box, res)
    check_against_reference(net, box, res)
