"""Constructions against the bounds they are built for: exact counts from the engines."""

import numpy as np
import pytest
from hypothesis import given, settings
from profiles import examples
from hypothesis import strategies as st

import reluregions as rr
from reluregions import bounds
from reluregions import constructions as C


def unit_box(d):
    return rr.Box([0.0] * d, [1.0] * d)


@pytest.mark.parametrize(("width", "depth"), [(3, 1), (3, 3), (5, 2), (10, 3), (10, 5)])
def test_zigzag_meets_both_bounds(width, depth):
    n = rr.count(C.zigzag(width, depth), unit_box(1))
    widths = [width] * depth
    assert n == bounds.serra2018_lower(1, widths) == bounds.serra2018_upper(1, widths) == (width + 1) ** depth
    assert n <= bounds.montufar2017_upper(1, widths)


@pytest.mark.parametrize(
    ("input_dim", "widths"),
    [(1, [3, 5]), (1, [4, 4, 6]), (2, [6, 6]), (2, [6, 7, 6]), (2, [12, 10]), (2, [6, 6, 6, 6]), (2, [8, 6, 6, 9])],
)
def test_folding_reaches_serra_lower_bound(input_dim, widths):
    net = C.folding(input_dim, widths)
    n = rr.count(net, unit_box(input_dim))
    assert n == bounds.serra2018_lower(input_dim, widths)
    assert bounds.montufar2014_lower(input_dim, widths) <= n
    assert (
        n <= bounds.serra2018_upper(net) <= bounds.montufar2017_upper(input_dim, widths) <= bounds.trivial_upper(widths)
    )


@settings(max_examples=examples(25))
@given(st.integers(1, 2), st.lists(st.integers(1, 7), min_size=1, max_size=3), st.integers(0, 10**6))
def test_random_networks_never_exceed_upper_bounds(input_dim, widths, seed):
    rng = np.random.default_rng(seed)
    dims = [input_dim, *widths, 1]
    net = rr.Network(
        [rng.normal(size=(dims[i + 1], dims[i])) for i in range(len(dims) - 1)],
        [rng.normal(size=dims[i + 1]) for i in range(len(dims) - 1)],
    )
    n = rr.count(net, rr.Box([-5.0] * input_dim, [5.0] * input_dim))
    assert (
        n
        <= bounds.serra2018_upper(net)
        <= bounds.serra2018_upper(input_dim, widths)
        <= bounds.montufar2017_upper(input_dim, widths)
    )


def test_one_layer_in_general_position_reaches_zaslavsky():
    for n in (1, 4, 9):
        net = C.folding(2, [n])
        assert rr.count(net, unit_box(2)) == bounds.zaslavsky(n, 2) == 1 + n + n * (n - 1) // 2


def test_composed_sawtooths_reach_sixteen():
    s = C.sawtooth(3)
    assert s.num_parameters == 10
    assert rr.count(s.then(s), unit_box(1)) == 16 == bounds.serra2018_upper(1, [3, 3])


def test_folding_errors():
    with pytest.raises(ValueError, match="hidden layer 0 has width 5"):
        C.folding(2, [5, 6])
    with pytest.raises(ValueError, match="input_dim"):
        C.folding(0, [3])


def test_folding_in_three_dimensions_reaches_serra_lower_bound_through_the_walk():
    for widths in ([9], [9, 9], [12]):
        net = rr.constructions.folding(3, widths)
        n = rr.count(net, rr.Space())
        assert n == rr.bounds.serra2018_lower(3, widths) == {(9,): 130, (9, 9): 8320, (12,): 299}[tuple(widths)]
        assert n <= rr.bounds.serra2018_upper(3, widths) <= rr.bounds.montufar2017_upper(3, widths)
