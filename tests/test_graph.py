"""Layered graphs (skips, PReLU slopes, max-pool): every engine against the reference, which evaluates
the graph with its own code (reluregions.reference), and exact checks of witnesses."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

import reluregions as rr
from reluregions import reference as ref


@st.composite
def graphs(draw, input_dim=None, max_units=10):
    """A random small layered graph: activation and max-pool layers, each reading the previous layer
    and possibly skips from earlier ones (or the input); the output reads the last layer and maybe more."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    integer = draw(st.booleans())
    d = input_dim or draw(st.integers(1, 3))

    def matrix(rows, cols):
        if integer:
            return rng.integers(-2, 3, size=(rows, cols)).astype(float)
        return rng.normal(size=(rows, cols))

    sizes = [d]
    layers = []
    units = 0
    for k in range(1, draw(st.integers(1, 3)) + 1):
        srcs = {k - 1} | {s for s in range(k - 1) if draw(st.booleans())}
        if draw(st.booleans()):  # max-pool
            m = draw(st.integers(2, 5))
            windows = [
                rng.choice(m, size=draw(st.integers(1 if w or units else 2, min(3, m))), replace=False)
                for w in range(draw(st.integers(1, 3)))
            ]
            new = sum(len(w) - 1 for w in windows)
            if units + new > max_units:
                break
            layers.append(rr.Layer.max_pool({s: matrix(m, sizes[s]) for s in srcs}, matrix(1, m)[0], windows))
            sizes.append(len(windows))
        else:
            n = draw(st.integers(1, 4))
            if units + n > max_units:
                break
            slope = draw(st.sampled_from(["relu", "leaky", "prelu"]))
            s = 0.0 if slope == "relu" else (0.25 if slope == "leaky" else rng.choice([0.0, 0.5, -0.5, 2.0], size=n))
            layers.append(rr.Layer.activation({s_: matrix(n, sizes[s_]) for s_ in srcs}, matrix(1, n)[0], s))
            sizes.append(n)
            new = n
        units += new
    K = len(layers)
    srcs = {K} | {s for s in range(K) if draw(st.booleans())}
    out = rr.Layer.affine({s: matrix(2, sizes[s]) for s in srcs}, matrix(1, 2)[0])
    return rr.Network.from_graph(d, layers, out)


def same_patterns(a, b):
    key = lambda P: sorted(map(bytes, np.asarray(P, dtype=np.uint8)))  # noqa: E731
    return key(a) == key(b)


# ------------------------------------------------------------------------------ evaluation
@settings(max_examples=examples(40))
@given(graphs(), st.integers(0, 2**32 - 1))
def test_forward_patterns_and_maps_match_the_reference(net, seed):
    X = np.random.default_rng(seed).normal(size=(50, net.input_dim)) * 2
    y = ref.forward(net, X)
    np.testing.assert_allclose(net(X), y, rtol=1e-12, atol=1e-12 * (1 + np.abs(y).max()))
    # Float points: exact patterns equal the reference's wherever no value sits within rounding of 0.
    exact = net.activation_pattern(X, exact=True)
    assert exact.shape == (50, net.num_hidden)
    assert np.array_equal(exact, ref.activation_patterns(net, X)) or _has_near_tie(net, X)
    J, c = net.local_affine(X)
    np.testing.assert_allclose(np.einsum("nij,nj->ni", J, X) + c, y, rtol=1e-9, atol=1e-9 * (1 + np.abs(y).max()))


def _has_near_tie(net, X):
    # Integer graphs tie exactly (e.g. max(a, a)); the reference's tolerance and the exact rule agree on
    # those, so a mismatch is only allowed where some pattern value is within 1e-9 of zero in floats.
    pats = [net.activation_pattern(X, tol=t) for t in (0.0, 1e-9)]
    return not np.array_equal(pats[0], pats[1])


@settings(max_examples=examples(25))
@given(graphs(), st.data())
def test_every_engine_equals_the_reference_on_segments_and_planes(net, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    d = net.input_dim
    seg = rr.Segment(rng.normal(size=d) * 3, rng.normal(size=d) * 3)
    domains = [seg, rr.Box(-2 * np.ones(d), 2 * np.ones(d))] if d <= 2 else [seg]
    if d >= 2:
        domains.append(rr.Plane(rng.normal(size=d), rng.normal(size=d), rng.normal(size=d), (-2, 2), (-2, 2)))
    for dom in domains:
        truth = ref.regions(net, dom, method="lp", max_hidden=64)
        for engine in ("auto", "walk"):
            res = rr.regions(net, dom, engine=engine)
            assert res.count == truth.count, (engine, dom)
            assert same_patterns(res.patterns, truth.patterns), (engine, dom)
            assert np.array_equal(net.activation_pattern(res.witnesses, exact=True), res.patterns)
            assert rr.count(net, dom, engine=engine) == truth.count


@settings(max_examples=examples(15))
@given(graphs(input_dim=3, max_units=8), st.integers(0, 2**32 - 1))
def test_walk_on_a_box_equals_the_reference(net, seed):
    box = rr.Box(-np.ones(3), np.ones(3))
    truth = ref.regions(net, box, method="lp", max_hidden=64)
    res = rr.regions(net, box)
    assert res.count == truth.count
    assert same_patterns(res.patterns, truth.patterns)
    assert np.array_equal(net.activation_pattern(res.witnesses, exact=True), res.patterns)


# ---------------------------------------------------------------------------- closed forms
def test_max_pool_of_x_and_minus_x_is_abs_with_one_unit():
    mp = rr.Layer.max_pool({0: [[1.0], [-1.0]]}, [0.0, 0.0], [[0, 1]])
    net = rr.Network.from_graph(1, [mp], rr.Layer.affine({1: [[1.0]]}, [0.0]))
    assert net.num_hidden == 1 and net.widths == (1,)
    assert np.array_equal(net(np.array([[-3.0], [2.0]]))[:, 0], [3.0, 2.0])
    res = rr.regions(net, rr.Segment([-1.0], [2.0]))
    assert res.count == 2
    assert np.array_equal(np.sort(res.patterns[:, 0]), [False, True])


def test_max_pool_of_four_values_adds_three_units_in_tree_order():
    # max(x, 2x, 3x, -x): comparisons (x > 2x), (3x > -x) on level 1, then the winners on level 2.
    mp = rr.Layer.max_pool({0: [[1.0], [2.0], [3.0], [-1.0]]}, [0.0] * 4, [[0, 1, 2, 3]])
    net = rr.Network.from_graph(1, [mp], rr.Layer.affine({1: [[1.0]]}, [0.0]))
    assert net.num_hidden == 3
    x = np.array([[1.0], [-1.0]])
    assert np.array_equal(net(x)[:, 0], [3.0, 1.0])
    # x = 1: 1 > 2 no; 3 > -1 yes; max(2, 3) = 3: 2 > 3 no.  x = -1: -1 > -2 yes; -3 > 1 no; -1 > 1 no.
    assert np.array_equal(net.activation_pattern(x, exact=True), [[False, True, False], [True, False, False]])
    assert rr.count(net, rr.Segment([-1.0], [1.0])) == 2


def test_residual_block_counts_like_its_dense_equivalent():
    # y = x + relu(W x + b): the skip is carried exactly; the regions are those of the ReLU layer.
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(6, 2)), rng.normal(size=6)
    block = rr.Layer.activation({0: W}, b)
    net = rr.Network.from_graph(2, [block], rr.Layer.affine({0: np.eye(2), 1: rng.normal(size=(2, 6))}, np.zeros(2)))
    dense = rr.Network([W, rng.normal(size=(2, 6))], [b, np.zeros(2)])
    box = rr.Box([-3, -3], [3, 3])
    assert rr.count(net, box) == rr.count(dense, box) == ref.count(dense, box)
    assert net.num_hidden == 6


def test_dense_chain_as_a_graph_is_the_same_network():
    rng = np.random.default_rng(5)
    dense = rr.Network(
        [rng.normal(size=(5, 2)), rng.normal(size=(4, 5)), rng.normal(size=(1, 4))],
        [rng.normal(size=5), rng.normal(size=4), rng.normal(size=1)],
        ["relu", "leaky_relu"],
        [0.01, 0.2],
    )
    d, layers, out = dense.graph
    net = rr.Network.from_graph(d, layers, out)
    X = rng.normal(size=(20, 2))
    assert np.array_equal(net(X), dense(X))
    assert np.array_equal(net.activation_pattern(X), dense.activation_pattern(X))
    plane = rr.Box([-2, -2], [2, 2])
    assert same_patterns(rr.regions(net, plane).patterns, rr.regions(dense, plane).patterns)
    assert net.num_parameters == dense.num_parameters


@settings(max_examples=examples(10))
@given(graphs(input_dim=2, max_units=6), graphs(input_dim=2, max_units=4), st.integers(0, 2**32 - 1))
def test_then_save_load_and_regions_files(tmp_path_factory, a, b, seed):
    X = np.random.default_rng(seed).normal(size=(30, 2))
    both = a.then(b)
    np.testing.assert_allclose(both(X), b(a(X)), rtol=1e-10, atol=1e-10 * (1 + np.abs(b(a(X))).max()))
    assert both.num_hidden == a.num_hidden + b.num_hidden
    path = tmp_path_factory.mktemp("g") / "net.npz"
    a.save(path)
    back = rr.Network.load(path)
    assert back.is_graph and np.array_equal(back(X), a(X)) and back.num_parameters == a.num_parameters
    res = rr.regions(a, rr.Box([-1, -1], [1, 1]))
    res.save(path.with_name("regions.npz"))
    again = rr.Regions.load(path.with_name("regions.npz"))
    assert np.array_equal(again.patterns, res.patterns)


def test_walk_facets_name_user_units():
    mp = rr.Layer.max_pool({0: [[1.0, 0.0], [0.0, 1.0]]}, [0.0, 0.0], [[0, 1]])
    act = rr.Layer.activation({0: [[1.0, 1.0]]}, [0.5])
    net = rr.Network.from_graph(2, [mp, act], rr.Layer.affine({1: [[1.0]], 2: [[1.0]], 0: [[1.0, 0.0]]}, [0.0]))
    res = rr.regions(net, rr.Box([-1, -1], [1, 1]), engine="walk", facets=True)
    assert res.count == 4
    units = np.concatenate([res.facets(r)[2] for r in range(res.count)])
    assert set(units.tolist()) == {-1, 0, 1}


# ------------------------------------------------------------------------------ bad input
def test_bad_graphs_are_named():
    act = rr.Layer.activation({0: np.ones((2, 3))}, np.zeros(2))
    with pytest.raises(ValueError, match="weight matrix from source 0 has 3 columns but the source has 2 values"):
        rr.Network.from_graph(2, [act], rr.Layer.affine({1: np.ones((1, 2))}, [0.0]))
    with pytest.raises(ValueError, match="input from layer 2, which is not earlier"):
        rr.Network.from_graph(
            3, [rr.Layer.activation({2: np.ones((2, 2))}, np.zeros(2))], rr.Layer.affine({1: np.ones((1, 2))}, [0.0])
        )
    with pytest.raises(ValueError, match="max-pool window 0 has an index outside 0..1"):
        rr.Layer.max_pool({0: np.ones((2, 1))}, np.zeros(2), [[0, 2]])
    with pytest.raises(ValueError, match="non-finite value nan"):
        rr.Layer.activation({0: [[np.nan]]}, [0.0])
    with pytest.raises(ValueError, match="output layer must be Layer.affine"):
        rr.Network.from_graph(1, [], act)
    net = rr.Network.from_graph(3, [act], rr.Layer.affine({1: np.ones((1, 2))}, [0.0]))
    with pytest.raises(TypeError, match="layered graph"):
        net.weights  # noqa: B018
