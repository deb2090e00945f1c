"""Exact decisions in the interval and polygon engines: thin regions, near-degenerate arrangements and
extreme scales, against truths computed in fractions.Fraction (tests/exact_util.py)."""

from __future__ import annotations

import numpy as np
import pytest
from exact_util import arrangement_count_2d, count_1d, exact_domain_patterns, exact_patterns, linear_count_1d
from hypothesis import given, settings
from hypothesis import strategies as st

import reluregions as rr

SQUARE = rr.Box([-1.0, -1.0], [1.0, 1.0])


def one_layer(W, b):
    W = np.asarray(W, float)
    return rr.Network([W, np.ones((1, W.shape[0]))], [np.asarray(b, float), np.zeros(1)])


def plane_in_3d():
    """The square [-1, 1]^2 as a Plane of R^3 (x3 = 0): the same arrangement through a folded net."""
    return rr.Plane([0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], (-1.0, 1.0), (-1.0, 1.0))


def lift(W):
    """First-layer weights of R^3 acting on (x1, x2) only (the third input is multiplied by 0.5)."""
    W = np.asarray(W, float)
    return np.hstack([W, 0.5 * np.ones((W.shape[0], 1))])


def check_2d(W, b):
    truth = arrangement_count_2d(W, b, [-1, -1], [1, 1])
    net = one_layer(W, b)
    assert rr.count(net, SQUARE) == truth
    res = rr.regions(net, SQUARE)
    assert res.count == truth
    assert len({p.tobytes() for p in res.patterns}) == truth
    # the plane x3 = 0 of R^3 (the third input's weights do not matter there)
    net3 = one_layer(lift(W), b)
    assert rr.count(net3, plane_in_3d()) == truth
    return res


@pytest.mark.parametrize("n", [100, 400])
@pytest.mark.parametrize("seed", [0, 1])
def test_random_arrangements_match_the_rational_closed_form(n, seed):
    rng = np.random.default_rng(seed)
    check_2d(rng.normal(size=(n, 2)), rng.normal(size=n))


@pytest.mark.parametrize("gap", [1e-9, 1e-12, 1e-15])
def test_parallel_lines_a_hair_apart(gap):
    W = [[1.0, 0.5], [1.0, 0.5]]
    b = [0.1, 0.1 + gap]
    assert 0.1 + gap != 0.1
    res = check_2d(W, b)
    assert res.count == 3
    # and along a segment across them
    seg = rr.Segment([-1.0, -1.0], [1.0, 1.0])
    assert rr.count(one_layer(W, b), seg) == count_1d(one_layer(W, b), [-1.0, -1.0], [1.0, 1.0]) == 3
    # enumerated too (the two roots are ordered, and found distinct, exactly)
    res1 = rr.regions(one_layer(W, b), seg)
    assert res1.count == 3
    assert np.all(np.diff(res1.intervals[:, 0]) >= 0)


@pytest.mark.parametrize("gap", [1e-9, 1e-12, 1e-15])
def test_lines_crossing_at_a_hair_angle(gap):
    W = [[1.0, 0.5], [1.0, 0.5 + gap]]
    b = [0.1, 0.1]
    assert check_2d(W, b).count == 4


@pytest.mark.parametrize("eps", [0.0, 1e-13, -1e-13])
def test_three_lines_through_a_point_perturbed(eps):
    W = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    b = [-0.25, -0.5, -0.75 + eps]
    res = check_2d(W, b)
    assert res.count == (6 if eps == 0 else 7)


def test_ten_lines_near_the_origin():
    rng = np.random.default_rng(7)
    W, b = rng.normal(size=(10, 2)), rng.normal(size=10) * 1e-12
    assert arrangement_count_2d(W, b, [-1, -1], [1, 1]) == 56
    res = check_2d(W, b)
    np.testing.assert_array_equal(exact_patterns(one_layer(W, b), res.witnesses), res.patterns)


@pytest.mark.parametrize("k", list(range(-150, 151, 30)))
def test_extreme_scales_give_the_same_regions(k):
    rng = np.random.default_rng(3)
    W1, b1 = rng.normal(size=(8, 2)), rng.normal(size=8)
    W2, b2 = rng.normal(size=(8, 8)), rng.normal(size=8)
    W3 = rng.normal(size=(1, 8))
    net = rr.Network([W1, W2, W3], [b1, b2, np.zeros(1)])
    s = 10.0**k
    truth2, truth1 = rr.count(net, SQUARE), rr.count(net, rr.Segment([-1.0, -0.5], [1.0, 0.7]))
    # every pre-activation scaled by s
    scaled = rr.Network([W1 * s, W2, W3], [b1 * s, b2 * s, np.zeros(1)])
    # single units rescaled by s (incoming) and 1/s (outgoing)
    units = rr.Network(
        [W1 * np.array([[s]] * 4 + [[1.0]] * 4), W2 / np.array([s] * 4 + [1.0] * 4), W3],
        [b1 * np.array([s] * 4 + [1.0] * 4), b2, np.zeros(1)],
    )
    # the domain scaled by s, the first layer scaled back
    dom = rr.Network([W1 / s, W2, W3], [b1, b2, np.zeros(1)])
    for twin, box, seg in [
        (scaled, SQUARE, rr.Segment([-1.0, -0.5], [1.0, 0.7])),
        (units, SQUARE, rr.Segment([-1.0, -0.5], [1.0, 0.7])),
        (dom, rr.Box([-s, -s], [s, s]), rr.Segment([-s, -0.5 * s], [s, 0.7 * s])),
    ]:
        assert rr.count(twin, box) == truth2
        assert rr.count(twin, seg) == truth1
        res = rr.regions(twin, box)
        assert res.count == truth2


def test_beyond_float64_is_an_error_or_exact():
    W, b = np.array([[1.0, 0.5], [0.5, -1.0], [-1.0, 0.25]]), np.array([0.1, -0.2, 0.05])
    truth = arrangement_count_2d(W, b, [-1, -1], [1, 1])
    for s in [1e155, 1e300, 1.7e308]:
        assert rr.count(one_layer(W / s, b), rr.Box([-s, -s], [s, s])) == truth
        if s < 1e308:
            assert rr.regions(one_layer(W / s, b), rr.Box([-s, -s], [s, s])).count == truth
    with pytest.raises(ValueError, match="overflows float64"):
        rr.regions(one_layer(W / 1.7e308, b), rr.Box([-1.7e308, -1.7e308], [1.7e308, 1.7e308]))


def test_stats_report_exact_decisions():
    rng = np.random.default_rng(7)
    W, b = rng.normal(size=(10, 2)), rng.normal(size=10) * 1e-12
    c = rr.count(one_layer(W, b), SQUARE)
    assert c.stats["exact_decisions"] > 0  # the lines meet within rounding of one another
    W, b = rng.normal(size=(10, 2)), rng.normal(size=10)
    assert rr.count(one_layer(W, b), SQUARE).stats["exact_decisions"] == 0


@st.composite
def near_degenerate_lines(draw):
    """Lines through a few common points and parallel families, each perturbed by 1e-9..1e-15 or not."""
    n = draw(st.integers(3, 9))
    centers = [(draw(st.integers(-3, 3)) / 4, draw(st.integers(-3, 3)) / 4) for _ in range(2)]
    W, b = [], []
    for _ in range(n):
        w = (float(draw(st.integers(-3, 3))), float(draw(st.integers(-3, 3))))
        if w == (0.0, 0.0):
            w = (1.0, 0.0)
        cx, cy = draw(st.sampled_from(centers))
        c = -(w[0] * cx + w[1] * cy)
        e = draw(st.sampled_from([0.0, 1e-9, -1e-12, 1e-15, 3e-13]))
        W.append(w)
        b.append(c + e)
    return np.array(W), np.array(b)


@settings(max_examples=40, deadline=None)
@given(near_degenerate_lines())
def test_near_degenerate_arrangements(lines):
    W, b = lines
    check_2d(W, b)


@settings(max_examples=40, deadline=None)
@given(near_degenerate_lines())
def test_near_degenerate_witnesses_lie_in_their_regions(lines):
    W, b = lines
    res = rr.regions(one_layer(W, b), SQUARE)
    ok = ~res.thin
    np.testing.assert_array_equal(exact_patterns(one_layer(W, b), res.witnesses[ok]), res.patterns[ok])


def test_a_region_too_thin_for_a_float_is_counted_and_flagged():
    # x = 0.5 and x = 0.5 + 2^-53, the next float: the strip between them holds no float64 point
    W = [[1.0, 0.0], [4.0, 0.0]]
    b = [-0.5, -(2.0 + 2.0**-51)]
    assert -b[1] / 4 == np.nextafter(0.5, 1.0)
    res = check_2d(W, b)
    assert res.count == 3
    assert res.thin.sum() == 1
    ok = ~res.thin
    np.testing.assert_array_equal(exact_patterns(one_layer(W, b), res.witnesses[ok]), res.patterns[ok])


@settings(max_examples=40, deadline=None)
@given(near_degenerate_lines(), st.sampled_from([0.0, 0.1]))
def test_near_degenerate_deep_nets_on_segments(lines, slope):
    W, b = lines
    rng = np.random.default_rng(len(b))
    net = rr.Network(
        [W, rng.integers(-2, 3, size=(4, len(b))).astype(float), np.ones((1, 4))],
        [b, np.zeros(4), np.zeros(1)],
        activation="leaky_relu" if slope else "relu",
        negative_slope=slope or 0.01,
    )
    a, z = [-1.0, -0.75], [1.0, 0.5]
    seg = rr.Segment(a, z)
    res = rr.regions(net, seg)
    assert res.count == count_1d(net, a, z)
    # the witnesses' domain coordinates stand for exact points of the segment inside their regions
    ok = ~res.thin
    np.testing.assert_array_equal(exact_domain_patterns(net, seg, res.coords[ok]), res.patterns[ok])
    # linear regions: exact maps merged, against the exact sweep
    assert rr.regions(net, seg, merge_linear=True).linear_count == linear_count_1d(net, a, z)


@pytest.mark.parametrize("seed", range(4))
def test_a_unit_vanishing_at_an_earlier_breakpoint_adds_no_region(seed):
    # Layer 2 copies layer 1 (z2_k = relu(z1_k)): its roots are exactly layer 1's, so at the end of a
    # piece z2_k is exactly 0, and its float value a rounding away from 0 with either sign. Only the
    # exact sign there keeps an empty piece [a, a] out of the count.
    rng = np.random.default_rng(seed)
    n = 12
    W1, b1 = rng.normal(size=(n, 1)), rng.normal(size=n) * 0.5
    net = rr.Network([W1, np.eye(n), rng.normal(size=(1, n))], [b1, np.zeros(n), np.zeros(1)])
    a, z = [-1.0], [1.0]
    truth = count_1d(net, a, z)
    seg = rr.Segment(a, z)
    assert rr.count(net, seg) == truth
    res = rr.regions(net, seg)
    assert res.count == truth
    ok = ~res.thin
    np.testing.assert_array_equal(exact_domain_patterns(net, seg, res.coords[ok]), res.patterns[ok])


@pytest.mark.parametrize("seed", range(3))
def test_a_unit_vanishing_on_an_earlier_line_adds_no_region(seed):
    # The same in the plane: z2_k = relu(z1_k) is exactly 0 at the vertices on line k, its float value
    # a rounding away from 0 with either sign; only exact signs there keep empty pieces out.
    rng = np.random.default_rng(seed)
    n = 10
    W1, b1 = rng.normal(size=(n, 2)), rng.normal(size=n) * 0.5
    net = rr.Network([W1, np.eye(n), rng.normal(size=(1, n))], [b1, np.zeros(n), np.zeros(1)])
    truth = arrangement_count_2d(W1, b1, [-1, -1], [1, 1])
    assert rr.count(net, SQUARE) == truth
    res = rr.regions(net, SQUARE)
    assert res.count == truth
    ok = ~res.thin
    np.testing.assert_array_equal(exact_patterns(net, res.witnesses[ok]), res.patterns[ok])


def test_linear_regions_see_a_tiny_bend():
    # relu(x) + 1e-5 relu(x - 0.5): two linear regions on [0, 1] (and three activation regions on
    # [-1, 1]); a tolerance of 1e-4 on the maps would merge them
    net = rr.Network([np.array([[1.0], [1.0]]), np.array([[1.0, 1e-5]])], [np.array([0.0, -0.5]), np.zeros(1)])
    assert rr.regions(net, rr.Segment([0.0], [1.0]), merge_linear=True).linear_count == 2
    assert rr.regions(net, rr.Segment([-1.0], [1.0]), merge_linear=True).linear_count == 3
    net2 = rr.Network(
        [np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([[1.0, 1e-5]])], [np.array([0.0, -0.5]), np.zeros(1)]
    )
    assert rr.regions(net2, rr.Box([0.0, 0.0], [1.0, 1.0]), merge_linear=True).linear_count == 2
    # and equal maps across a unit that does not reach the output merge, exactly
    net3 = rr.Network([np.array([[1.0], [1.0]]), np.array([[1.0, 0.0]])], [np.array([0.0, -0.5]), np.zeros(1)])
    res = rr.regions(net3, rr.Segment([0.0], [1.0]), merge_linear=True)
    assert res.count == 2 and res.linear_count == 1


@pytest.mark.parametrize("bend", [1e-5, 1e-12, 1e-300])
def test_walk_linear_regions_are_exact(bend):
    # relu(x) + bend relu(x - 0.5) in a 3-D box: two linear regions however small the bend (a tolerance
    # on the maps would merge them), and one when the second unit does not reach the output
    W = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    net = rr.Network([W, np.array([[1.0, bend]])], [np.array([0.0, -0.5]), np.zeros(1)])
    box = rr.Box([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    assert rr.regions(net, box, merge_linear=True).linear_count == 2
    flat = rr.Network([W, np.array([[1.0, 0.0]])], [np.array([0.0, -0.5]), np.zeros(1)])
    res = rr.regions(flat, box, merge_linear=True)
    assert res.count == 2 and res.linear_count == 1
