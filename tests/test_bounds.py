"""Tests for reluregions.bounds: known values, closed forms, DP vs literal sum,
orderings between the bounds, rank refinement and input validation."""

from __future__ import annotations

from dataclasses import dataclass
from math import comb, prod

import numpy as np
import pytest
from hypothesis import given, settings
from profiles import examples
from hypothesis import strategies as st

from reluregions import bounds
from reluregions.bounds import (
    montufar2014_lower,
    montufar2017_upper,
    num_parameters,
    serra2018_lower,
    serra2018_upper,
    trivial_upper,
    zaslavsky,
    zaslavsky_bounded,
)

# No example database: keeps the work tree clean and runs reproducible.
THOROUGH = settings(max_examples=examples(200), deadline=None, database=None)
FAST = settings(max_examples=examples(100), deadline=None, database=None)
QUICK = settings(max_examples=examples(50), deadline=None, database=None)


@dataclass(frozen=True)
class StandInNetwork:
    """Minimal stand-in for reluregions.Network (same three attributes)."""

    input_dim: int
    widths: tuple[int, ...]
    weights: tuple[np.ndarray, ...]


def make_network(input_dim, widths, ranks=None, output_dim=1, seed=0):
    """Random network whose hidden weight matrices have the given ranks."""
    rng = np.random.default_rng(seed)
    sizes = (input_dim, *widths)
    if ranks is None:
        ranks = [min(a, b) for a, b in zip(sizes[1:], sizes)]
    weights = []
    for fan_in, fan_out, rank in zip(sizes, sizes[1:], ranks):
        # A product of Gaussian factors through a rank-dim space has exactly
        # that rank almost surely.
        left = rng.standard_normal((fan_out, rank))
        right = rng.standard_normal((rank, fan_in))
        weights.append(left @ right)
    weights.append(rng.standard_normal((output_dim, widths[-1])))
    return StandInNetwork(input_dim, tuple(widths), tuple(weights))


@st.composite
def architectures(draw, max_input=5, max_width=7, max_depth=4):
    input_dim = draw(st.integers(1, max_input))
    widths = draw(st.lists(st.integers(1, max_width), min_size=1, max_size=max_depth))
    return input_dim, widths


@st.composite
def architectures_with_ranks(draw, **kwargs):
    input_dim, widths = draw(architectures(**kwargs))
    fan_ins = (input_dim, *widths)
    ranks = [draw(st.integers(0, min(n, fan_in))) for n, fan_in in zip(widths, fan_ins)]
    return input_dim, widths, ranks


# --------------------------------------------------------------------------
# Known values
# --------------------------------------------------------------------------


def test_known_values_input_dim_one():
    # n_0 = 1: Serra's bounds meet at prod(n_l + 1) = 11^5 (their Theorem 5).
    assert serra2018_lower(1, [10] * 5) == 161_051
    assert serra2018_upper(1, [10] * 5) == 161_051
    assert montufar2017_upper(1, [10] * 5) == 161_051
    assert montufar2014_lower(1, [10] * 5) == 110_000  # 10^4 * 11
    assert num_parameters(1, [10] * 5) == 471
    assert trivial_upper([10] * 5) == 2**50


def test_known_values_input_dim_ten():
    assert num_parameters(10, [50] * 5) == 10_801
    lower = serra2018_lower(10, [50] * 5)
    assert lower > 10**40
    # (50 // 10 + 1)^10 per replicated layer, 4 of them, times Zaslavsky(50, 10)
    assert lower == 6**40 * sum(comb(50, j) for j in range(11))
    assert montufar2014_lower(10, [50] * 5) == 5**40 * sum(comb(50, j) for j in range(11))
    assert lower <= serra2018_upper(10, [50] * 5) <= montufar2017_upper(10, [50] * 5)


def test_two_by_three_in_the_plane():
    assert serra2018_upper(2, (3, 3)) == 40
    assert bounds._serra2018_upper_literal(2, (3, 3)) == 40
    assert montufar2017_upper(2, (3, 3)) == 49  # (1 + 3 + 3)^2


def test_bottleneck_by_hand():
    # A narrow first layer caps the dimension seen by the second one.
    # Montufar 2017: d_1 = d_2 = min(3, 2, 5) = 2, so (1+2+1) * (1+5+10).
    assert montufar2017_upper(3, [2, 5]) == 4 * 16
    # Serra: j_1 = 0, 1, 2 (weights 1, 2, 1) leave dimension 2, 1, 0 for
    # layer 2, which then adds 1+5+10, 1+5 and 1 pieces: 16 + 2*6 + 1.
    assert serra2018_upper(3, [2, 5]) == 29
    assert bounds._serra2018_upper_literal(3, [2, 5]) == 29
    assert trivial_upper([2, 5]) == 128


def test_rank_refinement_by_hand():
    # Layer 1 splits the plane into 7 regions: 4 of dimension 2 (j_1 <= 1)
    # and 3 of dimension 1 (j_1 = 2).  With rank(W^2) = 1 each region gets
    # at most 1 + 3 pieces: 7 * 4 = 28.  With rank 0 layer 2 cuts nothing.
    assert serra2018_upper(2, (3, 3), ranks=(2, 1)) == 28
    assert serra2018_upper(2, (3, 3), ranks=(2, 0)) == 7 == zaslavsky(3, 2)
    assert serra2018_upper(2, (3, 3), ranks=(2, 2)) == 40
    # rank(W^1) = 1: only j_1 <= 1, all 4 first-layer regions keep dimension 2.
    assert serra2018_upper(2, (3, 3), ranks=(1, 2)) == 4 * 7


def test_numpy_integer_widths_are_accepted():
    assert serra2018_upper(np.int64(1), np.array([10] * 5)) == 161_051
    assert num_parameters(np.int32(1), np.array([10] * 5)) == 471


def test_results_are_python_ints():
    for value in (
        zaslavsky(5, 2),
        zaslavsky_bounded(5, 2),
        montufar2014_lower(1, [10] * 5),
        serra2018_lower(1, [10] * 5),
        montufar2017_upper(1, [10] * 5),
        serra2018_upper(np.int64(1), np.array([10] * 5)),
        trivial_upper([3]),
        num_parameters(1, np.array([10] * 5)),
    ):
        assert type(value) is int


def test_one_layer_is_zaslavsky():
    for input_dim in range(1, 7):
        for width in range(1, 13):
            expected = zaslavsky(width, input_dim)
            assert serra2018_upper(input_dim, [width]) == expected
            assert montufar2017_upper(input_dim, [width]) == expected


@QUICK
@given(st.lists(st.integers(2, 30), min_size=1, max_size=8))
def test_input_dim_one_upper_is_product(widths):
    # With n_0 = 1 and n_l >= 2 Theorem 1 reduces to prod(n_l + 1) ([S18] Sec. 3.2).
    assert serra2018_upper(1, widths) == prod(n + 1 for n in widths)


def test_wide_and_deep():
    # The literal sum would never finish here; the dynamic programme takes milliseconds.
    widths = [1000] * 50
    assert serra2018_upper(1, widths) == 1001**50
    assert serra2018_upper(100, widths) <= montufar2017_upper(100, widths)


# --------------------------------------------------------------------------
# Closed forms independent of the implementation
# --------------------------------------------------------------------------


def test_zaslavsky_closed_forms():
    for n in range(40):
        assert zaslavsky(n, 0) == 1
        assert zaslavsky(n, 1) == n + 1
        assert zaslavsky(n, 2) == 1 + n + n * (n - 1) // 2
        assert zaslavsky(n, 3) == (n**3 + 5 * n + 6) // 6  # cake numbers
        for d in range(n, n + 3):
            assert zaslavsky(n, d) == 2**n


def test_zaslavsky_small_values_by_hand():
    assert [zaslavsky(n, 2) for n in range(6)] == [1, 2, 4, 7, 11, 16]
    assert [zaslavsky(n, 3) for n in range(7)] == [1, 2, 4, 8, 15, 26, 42]


@pytest.mark.parametrize(
    ("n", "d", "expected"),
    [
        (0, 0, 1),  # R^0 is a point: one bounded region
        (0, 1, 0),  # the whole line is unbounded
        (0, 3, 0),
        (1, 0, 1),
        (1, 1, 0),  # a point splits the line into two half-lines
        (2, 1, 1),  # one segment
        (5, 1, 4),
        (2, 2, 0),  # two crossing lines: four unbounded wedges
        (3, 2, 1),  # one triangle
        (4, 2, 3),
        (5, 2, 6),
        (3, 3, 0),
        (4, 3, 1),  # one tetrahedron
    ],
)
def test_zaslavsky_bounded_by_hand(n, d, expected):
    assert zaslavsky_bounded(n, d) == expected


def test_unbounded_regions_identity():
    # Unbounded regions correspond to the regions of the arrangement at
    # infinity: n central hyperplanes in general position in R^d, which
    # number 2 * sum_{i<d} C(n-1, i) (Cover / Wendel).
    for n in range(1, 15):
        for d in range(1, 6):
            unbounded = zaslavsky(n, d) - zaslavsky_bounded(n, d)
            assert unbounded == 2 * sum(comb(n - 1, i) for i in range(d)), (n, d)


# --------------------------------------------------------------------------
# Dynamic programme against the literal sum over J
# --------------------------------------------------------------------------


@THOROUGH
@given(architectures_with_ranks())
def test_dp_matches_literal_sum(arch):
    input_dim, widths, ranks = arch
    literal = bounds._serra2018_upper_literal
    assert serra2018_upper(input_dim, widths) == literal(input_dim, widths)
    assert serra2018_upper(input_dim, widths, ranks) == literal(input_dim, widths, ranks)


# --------------------------------------------------------------------------
# Orderings and monotonicity
# --------------------------------------------------------------------------


@FAST
@given(architectures_with_ranks(max_input=8, max_width=40, max_depth=6), st.data())
def test_orderings(arch, data):
    input_dim, widths, ranks = arch
    upper = serra2018_upper(input_dim, widths)
    refined = serra2018_upper(input_dim, widths, ranks)
    assert trivial_upper(widths) >= montufar2017_upper(input_dim, widths) >= upper
    assert upper >= refined >= 1
    if all(n >= input_dim for n in widths):
        assert montufar2014_lower(input_dim, widths) <= upper
    if all(n >= 3 * input_dim for n in widths):
        lower = serra2018_lower(input_dim, widths)
        assert montufar2014_lower(input_dim, widths) <= lower <= upper
    # Lowering any one rank never increases the refined bound.
    layer = data.draw(st.integers(0, len(widths) - 1))
    lower_ranks = list(ranks)
    lower_ranks[layer] = data.draw(st.integers(0, ranks[layer]))
    assert serra2018_upper(input_dim, widths, lower_ranks) <= refined


@FAST
@given(architectures_with_ranks(max_input=6, max_width=25, max_depth=5), st.data())
def test_monotone_in_each_width_and_input_dim(arch, data):
    input_dim, widths, ranks = arch
    layer = data.draw(st.integers(0, len(widths) - 1))
    wider = list(widths)
    wider[layer] += 1
    for bound in (serra2018_upper, montufar2017_upper):
        assert bound(input_dim, wider) >= bound(input_dim, widths)
        assert bound(input_dim + 1, widths) >= bound(input_dim, widths)
    assert trivial_upper(wider) == 2 * trivial_upper(widths)
    # Ranks stay valid for the wider layer, so the refined bound must not drop.
    assert serra2018_upper(input_dim, wider, ranks) >= serra2018_upper(input_dim, widths, ranks)
    for bound, factor in ((montufar2014_lower, 1), (serra2018_lower, 3)):
        if all(n >= factor * input_dim for n in widths):
            assert bound(input_dim, wider) >= bound(input_dim, widths)


# --------------------------------------------------------------------------
# Network objects
# --------------------------------------------------------------------------


def test_network_argument_matches_architecture():
    net = make_network(3, (9, 12, 10), output_dim=4)
    arch = (3, [9, 12, 10])
    assert montufar2014_lower(net) == montufar2014_lower(*arch)
    assert serra2018_lower(net) == serra2018_lower(*arch)
    assert montufar2017_upper(net) == montufar2017_upper(*arch)
    # Full-rank weights: the rank refinement changes nothing.
    assert serra2018_upper(net) == serra2018_upper(*arch)
    assert trivial_upper(net) == trivial_upper(arch[1]) == 2**31
    # The output width comes from the network's last weight matrix.
    # (3+1)*9 + (9+1)*12 + (12+1)*10 + (10+1)*4
    assert num_parameters(net) == num_parameters(*arch, output_dim=4) == 330
    assert num_parameters(net, output_dim=4) == num_parameters(net)


def test_network_low_rank_weights_tighten_the_bound():
    net = make_network(2, (3, 3), ranks=(2, 1))
    assert serra2018_upper(net) == 28
    zero_net = make_network(2, (3, 3), ranks=(2, 0))
    assert serra2018_upper(zero_net) == 7
    # Explicit ranks take precedence over the ones measured from the weights.
    assert serra2018_upper(net, ranks=(2, 2)) == 40


@QUICK
@given(architectures_with_ranks(max_input=4, max_width=6, max_depth=3), st.integers(0, 2**32 - 1))
def test_network_ranks_are_measured(arch, seed):
    input_dim, widths, ranks = arch
    net = make_network(input_dim, widths, ranks=ranks, seed=seed)
    assert serra2018_upper(net) == bounds._serra2018_upper_literal(input_dim, widths, ranks)
    assert bounds._serra2018_upper_literal(net) == serra2018_upper(input_dim, widths, ranks)


def test_arch_helper():
    net = make_network(2, (4, 5))
    assert bounds._arch(net) == (2, (4, 5))
    assert bounds._arch(2, [4, 5]) == (2, (4, 5))
    with pytest.raises(TypeError, match="not both"):
        bounds._arch(net, [4, 5])
    with pytest.raises(TypeError, match="widths is required"):
        bounds._arch(2)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

ARCH_FUNCTIONS = [
    montufar2014_lower,
    serra2018_lower,
    montufar2017_upper,
    serra2018_upper,
    num_parameters,
    bounds._serra2018_upper_literal,
]


@pytest.mark.parametrize("function", ARCH_FUNCTIONS)
@pytest.mark.parametrize(
    ("widths", "error", "message"),
    [
        ([10, 0, 10], ValueError, r"hidden layer 2 \(widths\[1\]\) must be >= 1, got 0"),
        ([10, 10, -3], ValueError, r"hidden layer 3 \(widths\[2\]\)"),
        ([True, 10], TypeError, r"hidden layer 1 \(widths\[0\]\).*bool"),
        ([10, 3.0], TypeError, r"hidden layer 2 \(widths\[1\]\).*float"),
        ([10, "10"], TypeError, r"hidden layer 2"),
        ([], ValueError, "at least one hidden layer"),
        ("10", TypeError, "sequence"),
        (10, TypeError, "sequence"),
    ],
)
def test_invalid_widths(function, widths, error, message):
    with pytest.raises(error, match=message):
        function(1, widths)


@pytest.mark.parametrize("function", ARCH_FUNCTIONS)
@pytest.mark.parametrize(
    ("input_dim", "error", "message"),
    [
        (-1, ValueError, "input_dim must be >= 1, got -1"),
        (0, ValueError, "input_dim must be >= 1"),
        (True, TypeError, "input_dim must be an int, got bool"),
        (2.0, TypeError, "input_dim.*float"),
        ("2", TypeError, "widths is required|input_dim must be an int"),
    ],
)
def test_invalid_input_dim(function, input_dim, error, message):
    with pytest.raises(error, match=message):
        function(input_dim, [10, 10])


@pytest.mark.parametrize(
    ("widths", "message"),
    [
        ("abc", "sequence of hidden-layer widths"),
        ([], "at least one hidden layer"),
        ([0], r"widths\[0\]\) must be >= 1"),
        ([2, True], r"widths\[1\]\) must be an int, got bool"),
    ],
)
def test_trivial_upper_rejects_bad_widths(widths, message):
    with pytest.raises((TypeError, ValueError), match=message):
        trivial_upper(widths)


def test_missing_widths():
    with pytest.raises(TypeError, match="widths is required"):
        serra2018_upper(3)


def test_lower_bound_validity_names_the_layer():
    with pytest.raises(ValueError, match=r"3 \* n_0 = 6.*hidden layer 2 \(widths\[1\]\) has width 5"):
        serra2018_lower(2, [6, 5, 6])
    with pytest.raises(ValueError, match=r"n_0 = 3.*hidden layer 3 \(widths\[2\]\) has width 2"):
        montufar2014_lower(3, [3, 4, 2])
    # Boundary cases are valid.
    assert serra2018_lower(2, [6, 6]) == 16 * zaslavsky(6, 2)
    assert montufar2014_lower(3, [3, 3]) == 1 * zaslavsky(3, 3)


@pytest.mark.parametrize(
    ("ranks", "error", "message"),
    [
        ((2, 4), ValueError, r"hidden layer 2 \(widths\[1\]\).*between 0 and .* = 3, got 4"),
        ((3, 1), ValueError, r"hidden layer 1 \(widths\[0\]\).*= 2, got 3"),
        ((2, -1), ValueError, r"hidden layer 2"),
        ((2,), ValueError, "one entry per hidden layer"),
        ((2, 1.0), TypeError, r"hidden layer 2.*float"),
        (3, TypeError, "ranks must be a sequence"),
    ],
)
def test_invalid_ranks(ranks, error, message):
    with pytest.raises(error, match=message):
        serra2018_upper(2, [3, 3], ranks)


def test_network_with_inconsistent_weights():
    net = make_network(2, (3, 4))
    transposed = StandInNetwork(2, (3, 4), (net.weights[0], net.weights[1].T, net.weights[2]))
    with pytest.raises(ValueError, match=r"weights\[1\] of hidden layer 2 \(widths\[1\]\)"):
        serra2018_upper(transposed)
    no_output = StandInNetwork(2, (3, 4), net.weights[:2])
    with pytest.raises(ValueError, match="needs 3 weight matrices"):
        serra2018_upper(no_output)
    with pytest.raises(ValueError, match="disagrees"):
        num_parameters(net, output_dim=2)


@pytest.mark.parametrize("function", [zaslavsky, zaslavsky_bounded])
def test_zaslavsky_invalid_arguments(function):
    with pytest.raises(ValueError, match="must be >= 0"):
        function(-1, 2)
    with pytest.raises(ValueError, match="must be >= 0"):
        function(2, -1)
    with pytest.raises(TypeError, match="float"):
        function(2.0, 1)
    with pytest.raises(TypeError, match="bool"):
        function(3, True)


def test_num_parameters_output_dim():
    assert num_parameters(1, [10] * 5, output_dim=3) == 471 + 2 * 11
    with pytest.raises(ValueError, match="output_dim must be >= 1"):
        num_parameters(1, [10], output_dim=0)
    with pytest.raises(TypeError, match="output_dim"):
        num_parameters(1, [10], output_dim=1.0)
