"""Sanity of the reference itself (reluregions.reference), so that agreeing with it means something:
closed forms (Zaslavsky's count of a hyperplane arrangement, the zigzag construction), hand counts,
and its two methods (LP brute force, 1-D breakpoints) against each other. No engine is used here."""

from itertools import combinations
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from profiles import examples
from hypothesis import strategies as st
from strategies import domains_1d, domains_2d, networks

import reluregions as rr
from reluregions import constructions as C
from reluregions import reference as ref


class Space:
    """All of R^d, as the reference accepts it (a class named ``Space`` with ``input_dim``)."""

    def __init__(self, d):
        self.input_dim = d


def one_layer(n, d, seed):
    """`n` hyperplanes with normal weights (general position almost surely) as one hidden layer, and a
    box, with a margin of 1, that meets every intersection of up to `d` of them (it contains a point
    of each: the arrangement's regions are then exactly those of all of R^d)."""
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(n, d)), rng.normal(size=n)
    subsets = [list(r) for k in range(1, d + 1) for r in combinations(range(n), k)]
    pts = [np.linalg.lstsq(W[r], -b[r], rcond=None)[0] for r in subsets]  # a point of each flat
    pts = np.array(pts)
    return rr.Network([W, np.ones((1, n))], [b, np.zeros(1)]), rr.Box(pts.min(axis=0) - 1.0, pts.max(axis=0) + 1.0)


def zaslavsky(n, d):
    """Regions of n hyperplanes in general position in R^d."""
    return sum(comb(n, k) for k in range(d + 1))


def numpy_patterns(net, X):
    """Strict (z > 0) patterns by a plain forward pass: for float nets the reference must agree."""
    h, bits = np.asarray(X, float), []
    for l in range(len(net.widths)):
        z = h @ net.weights[l].T + net.biases[l]
        bits.append(z > 0)
        h = np.where(z > 0, z, net.negative_slopes[l] * z)
    return np.concatenate(bits, axis=1)


# -------------------------------------------------------------------------------- closed forms
@settings(max_examples=examples(15))
@given(st.integers(1, 7), st.integers(0, 2**32 - 1))
def test_zaslavsky_in_the_plane(n, seed):
    net, box = one_layer(n, 2, seed)
    assert ref.count(net, box) == 1 + n + comb(n, 2) == zaslavsky(n, 2)
    assert ref.count(net, Space(2)) == zaslavsky(n, 2)  # unbounded: the same regions


@settings(max_examples=examples(5))
@given(st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_zaslavsky_in_3d(n, seed):
    net, box = one_layer(n, 3, seed)
    assert ref.count(net, box) == zaslavsky(n, 3)


@settings(max_examples=examples(20))
@given(st.integers(1, 16), st.integers(0, 2**32 - 1))
def test_points_on_a_line(n, seed):
    # n roots inside the interval: n + 1 pieces, split exactly at the sorted roots
    net, box = one_layer(n, 1, seed)
    roots = np.sort(-net.biases[0] / net.weights[0][:, 0])
    breaks, P = ref.breakpoints_1d(net, box)
    np.testing.assert_allclose(breaks, [box.lo[0], *roots, box.hi[0]], rtol=0, atol=1e-12 * np.ptp(breaks))
    assert len(P) == n + 1 == ref.count(net, box, method="lp")


@pytest.mark.parametrize(("width", "depth"), [(3, 1), (3, 2), (4, 2), (5, 2), (3, 3)])
def test_zigzag(width, depth):
    net, unit = C.zigzag(width, depth), rr.Box([0.0], [1.0])
    expected = (width + 1) ** depth
    assert ref.count(net, unit, method="breakpoints") == expected
    if expected <= 25:  # the LP brute force is slower
        assert ref.count(net, unit, method="lp") == expected
    # neighbouring pieces have slopes of opposite signs: every piece is its own linear region
    assert ref.linear_regions_1d(net, unit) == expected


def test_zigzag_pieces_are_equal_length_sawteeth():
    # zigzag(3, 1): breakpoints at (2k - 1) / 7 (see constructions._sawtooth)
    breaks, _ = ref.breakpoints_1d(C.zigzag(3, 1), rr.Box([0.0], [1.0]))
    np.testing.assert_allclose(breaks, [0, 1 / 7, 3 / 7, 5 / 7, 1], atol=1e-14)


# ----------------------------------------------------------------------------- hand counts
def net2(rows, biases):
    n = len(rows)
    return rr.Network([np.array(rows, float), np.ones((1, n))], [np.array(biases, float), np.zeros(1)])


SQUARE = rr.Box([-1.0, -1.0], [1.0, 1.0])
UNIT = rr.Box([0.0, 0.0], [1.0, 1.0])


@pytest.mark.parametrize(
    ("net", "domain", "expected"),
    [
        (net2([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), SQUARE, 6),  # three concurrent lines
        (net2([[1, -1], [1, -1], [-2, 2]], [0, 0, 0]), SQUARE, 2),  # one line three times
        (net2([[1, 0]], [0]), UNIT, 1),  # along an edge
        (net2([[1, 1]], [0]), UNIT, 1),  # through a corner only
        (net2([[0, 0], [0, 0]], [1, 0]), UNIT, 1),  # constant units
        (net2([[1, 0], [1, 0], [1, 0]], [0.5, 0, -0.5]), SQUARE, 4),  # parallel
        (net2([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), Space(2), 6),
    ],
)
def test_hand_counts(net, domain, expected):
    assert ref.count(net, domain) == expected


def test_deep_identically_zero_unit_is_off():
    # relu(x) - relu(x) == 0 on the whole line: off everywhere, so 2 regions, not 3
    net = rr.Network(
        [np.array([[1.0], [1.0]]), np.array([[1.0, -1.0]]), np.ones((1, 1))], [np.zeros(2), np.zeros(1), np.zeros(1)]
    )
    line = rr.Box([-1.0], [1.0])
    for method in ("lp", "breakpoints"):
        res = ref.regions(net, line, method=method)
        assert res.count == 2 and not res.patterns[:, 2].any()


def test_cancelled_duplicate_is_one_linear_region_less():
    # relu(x - 0.5) - relu(x - 0.5) + relu(x + 0.3): 3 activation regions, 2 linear pieces
    net = rr.Network(
        [np.array([[1.0], [1.0], [1.0]]), np.array([[1.0, -1.0, 1.0]])], [np.array([-0.5, -0.5, 0.3]), np.zeros(1)]
    )
    seg = rr.Segment([-1.0], [1.0])
    assert ref.count(net, seg) == 3 and ref.linear_regions_1d(net, seg) == 2


def test_refuses_large_networks_unless_asked():
    net, box = one_layer(25, 1, 0)
    with pytest.raises(ValueError, match="max_hidden"):
        ref.count(net, box)
    assert ref.count(net, box, max_hidden=25) == 26


# --------------------------------------------------------------------- the two methods agree
@settings(max_examples=examples(60))
@given(networks(1, max_hidden=16), domains_1d())
def test_breakpoints_and_lp_agree(net, domain):
    lp = ref.regions(net, domain, method="lp")
    bp = ref.regions(net, domain, method="breakpoints")
    np.testing.assert_array_equal(lp.patterns, bp.patterns)  # both sorted by pattern
    np.testing.assert_allclose(lp.measures, bp.measures, rtol=1e-9, atol=1e-12)
    # breakpoints_1d: increasing from lo to hi, neighbours differ, each piece's midpoint has its pattern
    breaks, P = ref.breakpoints_1d(net, domain)
    _, _, lo, hi = domain.parametrization()
    assert breaks[0] == lo[0] and breaks[-1] == hi[0] and np.all(np.diff(breaks) > 0)
    assert len(P) == lp.count and not np.any(np.all(P[1:] == P[:-1], axis=1))
    mids = domain.to_input(0.5 * (breaks[:-1] + breaks[1:]))
    np.testing.assert_array_equal(ref.activation_patterns(net, mids), P)


@settings(max_examples=examples(25))
@given(networks(2, max_hidden=10), domains_2d())
def test_lp_regions_are_consistent(net, domain):
    res = ref.regions(net, domain)
    assert len({p.tobytes() for p in res.patterns}) == res.count
    np.testing.assert_array_equal(ref.activation_patterns(net, res.witnesses), res.patterns)  # centres inside
    assert np.all(res.radii > 0) and domain.contains(res.witnesses).all()
    assert abs(res.measures.sum() - domain.measure) <= 1e-9 * domain.measure  # the regions tile the domain


@settings(max_examples=examples(40))
@given(networks(3, kind="float"), st.integers(0, 2**32 - 1))
def test_activation_patterns_are_strict_for_float_nets(net, seed):
    X = np.random.default_rng(seed).normal(size=(30, 3))
    np.testing.assert_array_equal(ref.activation_patterns(net, X), numpy_patterns(net, X))
