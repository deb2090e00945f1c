"""The test data is worth testing with: the strategies' distributions, and the Hypothesis profiles.

Each strategy is sampled (by Hypothesis, as the tests see it) and the test fails if its distribution
degenerates: too many single-region examples, integer networks made of zeros, degenerate networks
without degeneracies, near-degenerate ones without near-coincidences. Also: the thorough profile
multiplies every property test's examples by ten.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from profiles import BASE, THOROUGH_FACTOR, examples
from strategies import (
    ALL_KINDS,
    NEAR_EXPONENTS,
    domains_1d,
    domains_2d,
    near_domains_1d,
    near_domains_2d,
    networks,
)

import reluregions as rr

SAMPLES = 150  # per strategy: the fractions below are checked on this many (not scaled by the profile)


def sample(strategy, n=SAMPLES):
    """`n` examples of `strategy` as Hypothesis generates them for a test (no shrinking, no database)."""
    out = []

    # derandomized: the same examples on every run (a distribution test must not be flaky); the
    # thresholds below leave a wide margin over what random runs give (e.g. 0-9% single regions)
    @settings(
        max_examples=n,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(x):
        out.append(x)

    collect()
    assert len(out) >= 0.9 * n  # Hypothesis ran the examples asked for
    return out


def first_layer_rows(net):
    """First-layer rows ``(w, b)``, sign- and scale-normalized (zero rows are left as they are)."""
    M = np.hstack([net.weights[0], net.biases[0][:, None]])
    out = []
    for row in M:
        k = np.flatnonzero(row[:-1])
        if k.size:
            row = row / row[k[0]]  # first non-zero weight 1: coincident or opposite units give equal rows
        out.append(row)
    return np.array(out)


def coincidences(net):
    """Smallest non-zero and count of zero distances between normalized first-layer rows (coincident
    units) and between their weight parts (parallel units); dead first-layer units."""
    R = first_layer_rows(net)
    live = np.any(net.weights[0] != 0, axis=1)
    dists, exact = [], 0
    for i, j in itertools.combinations(np.flatnonzero(live), 2):
        full = float(np.max(np.abs(R[i] - R[j])))
        weights = float(np.max(np.abs(R[i, :-1] - R[j, :-1])))
        for dist in (full, weights):
            if dist == 0:
                exact += 1
            else:
                dists.append(dist)
    if net.input_dim == 2 and live.sum() >= 3:  # concurrent lines: det [w b] of three rows
        for i, j, k in itertools.combinations(np.flatnonzero(live), 3):
            M = R[[i, j, k]]
            if np.linalg.matrix_rank(M[:, :2]) == 2:  # not all parallel: concurrent iff det [w b] = 0
                det = abs(float(np.linalg.det(M)))
                if det == 0:
                    exact += 1
                else:
                    dists.append(det)
    return exact, min(dists, default=np.inf), int((~live).sum())


def near_in_deeper_layers(net):
    """Whether a layer after the first has two rows within 1e-8 (normalized, also weights only) or a
    row of size at most 1e-8 (nearly dead or nearly cancelling)."""
    for W, b in zip(net.weights[1:-1], net.biases[1:-1]):
        M = np.hstack([W, b[:, None]])
        size = np.max(np.abs(M), axis=1)
        if np.any((size > 0) & (size <= 1e-8)) or np.any(
            (np.max(np.abs(W), axis=1) > 0) & (np.max(np.abs(W), axis=1) <= 1e-8)
        ):
            return True
        for i, j in itertools.combinations(range(len(M)), 2):
            for A in (M, W):
                ni, nj = np.max(np.abs(A[i])), np.max(np.abs(A[j]))
                if ni > 0 and nj > 0:
                    dist = min(np.max(np.abs(A[i] / ni - A[j] / nj)), np.max(np.abs(A[i] / ni + A[j] / nj)))
                    if 0 < dist <= 1e-8:
                        return True
    return False


# ------------------------------------------------------------------------------ region counts


@pytest.mark.parametrize("kind", ["float", "int", "degenerate", "near", None])
@pytest.mark.parametrize("dim", [1, 2])
def test_most_examples_have_many_regions(kind, dim):
    domain = domains_1d() if dim == 1 else domains_2d()
    pairs = sample(st.tuples(networks(dim, max_hidden=12 if dim == 2 else None, kind=kind), domain))
    counts = np.array([rr.count(net, dom) for net, dom in pairs])
    assert np.mean(counts == 1) <= 0.20, (kind, dim, np.bincount(counts)[:5])
    assert np.median(counts) >= (3 if dim == 1 else 4), (kind, dim, np.median(counts))


@pytest.mark.parametrize("dim", [1, 2])
def test_near_domains_have_many_regions(dim):
    nets = networks(dim, max_hidden=12, kind="near")
    pairs = sample(st.tuples(nets, near_domains_1d() if dim == 1 else near_domains_2d()), 100)
    counts = np.array([rr.count(net, dom) for net, dom in pairs])
    assert np.mean(counts == 1) <= 0.20


# -------------------------------------------------------------------------- what the kinds hold


def test_float_networks_are_generic():
    nets = sample(networks(2, kind="float"), 100)
    for net in nets:
        exact, closest, dead = coincidences(net)
        assert exact == 0 and dead == 0 and closest > 1e-6


def test_integer_networks_are_mostly_not_zeros():
    nets = sample(networks(2, kind="int"))
    weights = np.concatenate([W.ravel() for net in nets for W in net.weights])
    biases = np.concatenate([b for net in nets for b in net.biases])
    assert np.all(weights == np.round(weights)) and np.abs(weights).max() <= 3
    assert np.all(biases == np.round(biases))
    assert np.mean(weights == 0) <= 0.25 and np.mean(biases == 0) <= 0.5
    dead = np.mean([np.all(net.weights[0] == 0, axis=1).mean() for net in nets])
    assert dead <= 0.1


@pytest.mark.parametrize("dim", [1, 2])
def test_degenerate_networks_are_degenerate(dim):
    nets = sample(networks(dim, kind="degenerate"))
    stats = [coincidences(net) for net in nets]
    exact = np.array([s[0] for s in stats])
    dead = np.array([s[2] for s in stats])
    assert np.mean(exact > 0) >= 0.6  # coincident, parallel or concurrent units
    assert np.mean(dead > 0) >= 0.15  # dead or constant units
    assert np.mean((exact > 0) | (dead > 0)) >= 0.7
    for net in nets:  # exact: integers, so that the degeneracies hold in floating point
        assert all(np.array_equal(W, np.round(W)) for W in net.weights)


@pytest.mark.parametrize("dim", [1, 2])
def test_near_networks_are_near_degenerate(dim):
    nets = sample(networks(dim, kind="near"))
    near = []
    for net in nets:
        _, closest, _ = coincidences(net)
        entries = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in zip(net.weights, net.biases)])
        frac = np.abs(entries - np.round(entries)) / np.maximum(1.0, np.abs(np.round(entries)))
        moved = frac[frac > 0]
        # only the perturbations are fractional, 10^-15 .. 10^-9 of the entry
        assert np.all((moved > 0.9 * 10.0 ** -max(NEAR_EXPONENTS)) & (moved <= 1.01 * 10.0 ** -min(NEAR_EXPONENTS))), (
            moved
        )
        assert moved.size, "a near-degenerate network was not perturbed"
        near.append(closest <= 1e-8 or near_in_deeper_layers(net))
    assert np.mean(near) >= 0.5  # the perturbed units are near-coincident / parallel / concurrent / dead


def test_near_domains_are_near_integer():
    for dom in sample(near_domains_2d(), 100):
        corners = np.concatenate([dom.lo, dom.hi])
        off = np.abs(corners - np.round(corners))
        assert np.all((off > 0) & (off <= 10.0 ** -min(NEAR_EXPONENTS) * 1.01 * np.maximum(1.0, np.abs(corners))))


def test_every_kind_is_drawn_by_default():
    # networks() without a kind draws float, int and degenerate (not near) networks
    nets = sample(networks(2), 100)
    integer = [all(np.array_equal(W, np.round(W)) for W in net.weights) for net in nets]
    assert 0.3 <= np.mean(integer) <= 0.9
    assert set(ALL_KINDS) == {"float", "int", "degenerate", "near"}


# ------------------------------------------------------------------------------------ profiles


def test_thorough_profile_runs_ten_times_the_examples():
    assert (
        settings.get_profile("thorough").max_examples
        == THOROUGH_FACTOR * settings.get_profile("ci").max_examples
        == 10 * BASE
    )
    assert examples(12, "thorough") == 120 and examples(12, "ci") == 12
    loaded = settings._current_profile
    calls = []
    try:
        settings.load_profile("thorough")
        n = examples(7)
        assert n == 70

        @settings(max_examples=n, database=None)
        @given(st.integers(0, 10**9))
        def counted(x):
            calls.append(x)

        counted()
    finally:
        settings.load_profile(loaded)
    assert len(calls) >= 65  # Hypothesis ran (about) the scaled count
    assert examples(7) == 7 * settings().max_examples // BASE


def test_examples_rejects_nonsense():
    with pytest.raises(ValueError, match="positive number of examples"):
        examples(0)
