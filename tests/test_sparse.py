"""Sparse and dense weight storage give the same results, bit for bit, in every engine.

The core stores a layer in compressed rows and columns when at most a third of its weights are
non-zero (convolutions, max-pool trees, carried values); every engine has a separate loop for it.
Here the same networks run with every layer forced sparse and forced dense: the float operations are
the same (a zero weight adds nothing), so counts, patterns, witnesses, maps and distances must be equal.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import networks

import reluregions as rr
import reluregions.analysis
from reluregions import _core


def _thinned(net: rr.Network, rng: np.random.Generator, keep: float) -> rr.Network:
    """The network with a random part of its weights set to zero (each kept with probability `keep`)."""
    Ws = [np.where(rng.random(W.shape) < keep, W, 0.0) for W in net.weights]
    return rr.Network(Ws, list(net.biases), list(net.activations), _slope(net))


def _with_storage(monkeypatch: pytest.MonkeyPatch, sparse: bool, build):  # type: ignore[no-untyped-def]
    """Runs build() with every core network stored sparse (or dense)."""
    with monkeypatch.context() as m:
        m.setattr(_core, "Network", functools.partial(_ORIGINAL, sparse=sparse))
        return build(sparse)


_ORIGINAL = _core.Network


def _fresh(net: rr.Network) -> rr.Network:
    return rr.Network(list(net.weights), list(net.biases), list(net.activations), _slope(net))


def _slope(net: rr.Network) -> float:
    return next((s for s in net.negative_slopes if s != 0.0), 0.01)


def test_storage_is_chosen_by_density() -> None:
    dense = _core.Network([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)], [0.0])
    assert not dense.is_sparse(0) and not dense.is_sparse(1)
    W = np.zeros((6, 6))
    W[np.arange(6), np.arange(6)] = 1.0  # 6 of 36 non-zero
    mixed = _core.Network([np.ones((6, 2)), W, np.ones((1, 6))], [np.zeros(6)] * 2 + [np.zeros(1)], [0.0, 0.0])
    assert [mixed.is_sparse(l) for l in range(3)] == [False, True, False]
    forced = _core.Network([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)], [0.0], sparse=True)
    assert forced.is_sparse(0) and forced.is_sparse(1)


@settings(max_examples=examples(25))
@given(st.data(), st.sampled_from([1, 2, 3]), st.sampled_from([0.3, 0.6, 1.0]), st.integers(0, 2**32 - 1))
def test_sparse_and_dense_storage_agree(data, dim, keep, seed) -> None:  # type: ignore[no-untyped-def]
    monkeypatch = pytest.MonkeyPatch()
    rng = np.random.default_rng(seed)
    net = _thinned(data.draw(networks(dim, max_hidden=20)), rng, keep)
    domain = {1: rr.Segment([-1.0], [1.0]), 2: rr.Box([-1.0, -1.0], [1.0, 1.0]), 3: rr.Box([-1.0] * 3, [1.0] * 3)}[dim]
    X = rng.uniform(-1, 1, size=(40, dim))

    def run(sparse: bool):  # type: ignore[no-untyped-def]
        n = _fresh(net)
        assert all(n._core.is_sparse(l) == sparse for l in range(len(n.weights)))
        res = rr.regions(n, domain, merge_linear=dim <= 2)
        out = {
            "forward": n(X),
            "pattern": n.activation_pattern(X),
            "exact": n.activation_pattern(X, exact=True),
            "affine": n.local_affine(X),
            "count": res.count,
            "patterns": res.patterns,
            "witnesses": res.witnesses,
            "locate": res.locate(X),
            "distance": rr.analysis.distance_to_boundary(n, X),
        }
        if dim <= 2:
            out["linear"] = res.linear_count
        if dim >= 2:
            out["segment"] = rr.count(n, rr.Segment(-np.ones(dim), np.ones(dim)))
        return out

    sparse = _with_storage(monkeypatch, True, run)
    dense = _with_storage(monkeypatch, False, run)
    for key in dense:
        a, b = sparse[key], dense[key]
        if isinstance(b, tuple):
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y, err_msg=key)
        elif hasattr(b, "distance"):
            np.testing.assert_array_equal(a.distance, b.distance, err_msg=key)
        else:
            np.testing.assert_array_equal(a, b, err_msg=key)
