"""Degenerate and near-degenerate networks, engines against exact truths.

Exactly degenerate networks (integer weights: coincident, parallel and concurrent units, dead units,
exact cancellations) and near-degenerate ones (the same moved by 1e-9..1e-15) must give the exact
regions. The truth is exact splitting in fractions (tests/exact_util.py): polygons in 1-D and 2-D,
double description (vertices with their tight constraints) for the walk's boxes in R^3. The walk's
per-region volumes are also compared with the float reference on the exactly degenerate nets.
Nothing is rounded away: the domains' corners are not put on a grid.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from exact_util import exact_domain_patterns, exact_regions, exact_regions_box
from strategies import domains_1d, domains_2d, near_domains_1d, near_domains_2d, networks

import reluregions as rr
from reluregions import reference as ref


def pattern_set(P):
    return {bytes(row) for row in np.asarray(P, dtype=np.uint8)}


def compare(net, domain, engine="auto", max_hidden=12, volumes_vs_reference=False):
    res = rr.regions(net, domain, engine=engine, **({"facets": True} if engine == "walk" else {}))
    # the exact truth (fractions; a Box through the walk: double-description splitting in R^d)
    truth = exact_regions_box(net, domain.lo, domain.hi) if engine == "walk" else exact_regions(net, domain)
    assert res.count == len(truth)
    assert pattern_set(res.patterns) == pattern_set(truth)
    ok = ~res.thin  # witnesses exactly inside (unless flagged thin: no float64 point inside)
    np.testing.assert_array_equal(exact_domain_patterns(net, domain, res.coords[ok]), res.patterns[ok])
    if engine != "walk":
        return
    volume = float(np.prod(domain.hi - domain.lo))
    assert np.all(np.isfinite(res.measures)) and np.all(res.measures >= 0)
    # Volumes are float, but the cube of each region is cut plane by plane on shared vertices: a plane at a
    # hair's angle to a facet misplaces only a sliver, so the sum holds to rounding even here.
    np.testing.assert_allclose(res.measures.sum(), volume, rtol=1e-9)
    if not volumes_vs_reference:
        return
    if volumes_vs_reference:  # per region (matched by pattern), against the float reference's volumes
        expect = ref.regions(net, domain, method="lp", max_hidden=max_hidden)
        where = {bytes(np.asarray(p, dtype=np.uint8)): i for i, p in enumerate(expect.patterns)}
        keep = [i for i, p in enumerate(res.patterns) if bytes(np.asarray(p, dtype=np.uint8)) in where]
        m = np.array([where[bytes(np.asarray(res.patterns[i], dtype=np.uint8))] for i in keep], dtype=np.int64)
        np.testing.assert_allclose(res.measures[keep], expect.measures[m], rtol=1e-7, atol=1e-9 * volume)


# ------------------------------------------------------------------------------ exactly degenerate


@settings(max_examples=examples(40))
@given(networks(1, kind="degenerate", max_hidden=16), domains_1d())
def test_degenerate_1d(net, domain):
    compare(net, domain, max_hidden=16)


@settings(max_examples=examples(30))
@given(networks(2, kind="degenerate", max_hidden=12), domains_2d())
def test_degenerate_2d(net, domain):
    compare(net, domain)


@settings(max_examples=examples(10))
@given(networks(3, kind="degenerate", max_hidden=10, max_layers=2), st.sampled_from([1.0, 2.0]))
def test_degenerate_3d_through_the_walk(net, half):
    compare(net, rr.Box(-half * np.ones(3), half * np.ones(3)), engine="walk", max_hidden=10, volumes_vs_reference=True)


# --------------------------------------------------------------------------------- near-degenerate


@settings(max_examples=examples(40))
@given(networks(1, kind="near", max_hidden=16), st.one_of(domains_1d(), near_domains_1d()))
def test_near_degenerate_1d(net, domain):
    compare(net, domain, max_hidden=16)


@settings(max_examples=examples(30))
@given(networks(2, kind="near", max_hidden=12), st.one_of(domains_2d(), near_domains_2d()))
def test_near_degenerate_2d(net, domain):
    compare(net, domain)


@settings(max_examples=examples(10))
@given(networks(3, kind="near", max_hidden=10, max_layers=2), st.sampled_from([1.0, 2.0]))
def test_near_degenerate_3d_through_the_walk(net, half):
    compare(net, rr.Box(-half * np.ones(3), half * np.ones(3)), engine="walk", max_hidden=10)


def test_walk_volumes_with_planes_at_a_hairs_angle():
    # Found by CI: units y + z and 1e-15 x + y + z meet along x = 0 at an angle of 1e-15; the facet-by-facet
    # volumes summed to 8.28 for the cube of volume 8 (the region's cube is now cut plane by plane).
    W0 = np.array([[1e-15, 1.0, 1.0], [0.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    net = rr.Network([W0, np.zeros((4, 3)), np.zeros((1, 4))], [np.zeros(3), np.zeros(4), np.zeros(1)])
    box = rr.Box(-np.ones(3), np.ones(3))
    compare(net, box, engine="walk")
    res = rr.regions(net, box, engine="walk", facets=True)
    np.testing.assert_allclose(res.measures.sum(), 8.0, rtol=1e-12)
    # y = 0 and y + z = 0 cut the cube into wedges of volumes 3, 1, 1, 3; the rest are slivers
    np.testing.assert_allclose(np.sort(res.measures)[-4:], [1.0, 1.0, 3.0, 3.0], rtol=1e-12)
    assert np.all(np.sort(res.measures)[:-4] < 1e-14)
