"""Degenerate and near-degenerate networks, engines against exact truths.

Exactly degenerate networks (integer weights: coincident, parallel and concurrent units, dead units,
exact cancellations) and near-degenerate ones (the same moved by 1e-9..1e-15) must give the exact
regions. In 1-D and 2-D the truth is exact splitting in fractions (tests/exact_util.py); the walk is
compared with the floating-point reference, which resolves all but slivers below its tolerance (its
near-degenerate comparison is expected to fail sometimes until the walk's exact decisions land).
Nothing is rounded away: the domains' corners are not put on a grid.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from profiles import examples
from exact_util import exact_domain_patterns, exact_regions
from strategies import domains_1d, domains_2d, near_domains_1d, near_domains_2d, networks

import reluregions as rr
from reluregions import reference as ref

ISSUE_8 = pytest.mark.xfail(strict=False, reason="exact decisions: issue 8")
# An expected failure need not be minimized: no shrinking (it would take minutes).
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]


def pattern_set(P):
    return {bytes(row) for row in np.asarray(P, dtype=np.uint8)}


def compare(net, domain, engine="auto", max_hidden=12):
    res = rr.regions(net, domain, engine=engine, **({"facets": True} if engine == "walk" else {}))
    if engine != "walk":  # the exact truth; witnesses exactly inside (unless flagged thin)
        truth = exact_regions(net, domain)
        assert res.count == len(truth)
        assert pattern_set(res.patterns) == pattern_set(truth)
        ok = ~res.thin
        np.testing.assert_array_equal(exact_domain_patterns(net, domain, res.coords[ok]), res.patterns[ok])
        return
    expect = ref.regions(net, domain, method="lp", max_hidden=max_hidden)
    # The float reference cannot see regions too thin for a float64 point (e.g. a slope of 0.1, which
    # is not 1/10, leaves a 1e-17 sliver): the walk counts and flags them; everything else must agree.
    thin = res.thin
    assert pattern_set(expect.patterns) <= pattern_set(res.patterns)
    assert pattern_set(res.patterns[~thin]) <= pattern_set(expect.patterns)
    assert res.count - int(thin.sum()) <= expect.count <= res.count
    # per region (matched by pattern): the measures
    where = {bytes(np.asarray(p, dtype=np.uint8)): i for i, p in enumerate(expect.patterns)}
    keep = [i for i, p in enumerate(res.patterns) if bytes(np.asarray(p, dtype=np.uint8)) in where]
    m = np.array([where[bytes(np.asarray(res.patterns[i], dtype=np.uint8))] for i in keep], dtype=np.int64)
    if domain.dim <= 3:
        measure = np.prod(ref.parametrize(domain)[3] - ref.parametrize(domain)[2])
        np.testing.assert_allclose(res.measures[keep], expect.measures[m], rtol=1e-7, atol=1e-9 * measure)


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
    compare(net, rr.Box(-half * np.ones(3), half * np.ones(3)), engine="walk", max_hidden=10)


# --------------------------------------------------------------------------------- near-degenerate


@settings(max_examples=examples(40))
@given(networks(1, kind="near", max_hidden=16), st.one_of(domains_1d(), near_domains_1d()))
def test_near_degenerate_1d(net, domain):
    compare(net, domain, max_hidden=16)


@settings(max_examples=examples(30))
@given(networks(2, kind="near", max_hidden=12), st.one_of(domains_2d(), near_domains_2d()))
def test_near_degenerate_2d(net, domain):
    compare(net, domain)


@ISSUE_8
@settings(max_examples=examples(10), phases=NO_SHRINK)
@given(networks(3, kind="near", max_hidden=10, max_layers=2), st.sampled_from([1.0, 2.0]))
def test_near_degenerate_3d_through_the_walk(net, half):
    compare(net, rr.Box(-half * np.ones(3), half * np.ones(3)), engine="walk", max_hidden=10)
