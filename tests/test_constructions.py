"""Exact counts of constructions against their closed forms."""

from math import prod

import numpy as np
import pytest

import reluregions as rr
from reluregions import constructions as C


@pytest.mark.parametrize(
    ("width", "depth"),
    [(3, 1), (3, 2), (3, 4), (3, 8), (4, 3), (5, 2), (7, 3), (7, 7), (10, 2), (10, 5), (20, 5), (50, 3)],
)
def test_zigzag_reaches_product_of_widths_plus_one(width, depth):
    net = C.zigzag(width, depth)
    expected = prod([width + 1] * depth)  # Π (n_l + 1)
    assert rr.count(net, rr.Box([0.0], [1.0])) == expected
    seg = rr.Segment([0.0], [1.0])
    if expected <= 20000:
        res = rr.regions(net, seg)
        assert res.count == expected
        witness_pats = net.activation_pattern(res.witnesses)
        np.testing.assert_array_equal(witness_pats, res.patterns)


def test_udl_deep_numbers():
    net = C.zigzag(10, 5)
    assert net.num_parameters == 471
    assert rr.count(net, rr.Segment([0.0], [1.0])) == 161_051 == 11**5
    assert C.zigzag(3, 4).num_parameters == 46 and rr.count(C.zigzag(3, 4), rr.Box([0.0], [1.0])) == 256


def test_udl_fig4_1_composition_has_nine_regions():
    first, second = C.udl_fig4_1()
    assert first.num_parameters + second.num_parameters == 20
    box = rr.Box([-1.0], [1.0])
    assert rr.count(first, box) == 3 and rr.count(second, box) == 3
    assert rr.count(first.then(second), box) == 9
    # first folds [-1, 1] onto itself three times
    np.testing.assert_allclose(first(np.array([[-1.0], [-1 / 3], [1 / 3], [1.0]]))[:, 0], [-1, 1, -1, 1], atol=1e-12)


def test_udl_fig4_2_composition_has_seven_then_thirteen_regions():
    first, second, box = C.udl_fig4_2()
    assert rr.count(first, box) == 7
    comp = first.then(second)
    res = rr.regions(comp, box, merge_linear=True)
    assert res.count == 13 and res.linear_count == 13
    # the flat region: all three first-layer units off, output constant
    flat = ~res.patterns[:, :3].any(axis=1)
    assert flat.sum() == 1


@pytest.mark.parametrize("name", list(C.examples()))
def test_examples_match_their_closed_forms(name):
    ex = C.example(name)
    assert rr.count(ex.network, ex.domain) == ex.regions


def test_bad_construction_arguments():
    with pytest.raises(ValueError, match="width"):
        C.zigzag(2, 3)
    with pytest.raises(ValueError, match="depth"):
        C.zigzag(3, 0)
    with pytest.raises(ValueError, match="unknown example"):
        C.example("nope")
