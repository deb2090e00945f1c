import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

import reluregions as rr


def numpy_forward(weights, biases, slopes, X):
    """Plain NumPy forward pass and strict patterns (z > 0), independent of the core."""
    h = np.asarray(X, dtype=float)
    bits = []
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = h @ W.T + b
        if l == len(weights) - 1:
            return z, (np.concatenate(bits, axis=1) if bits else np.zeros((len(h), 0), bool))
        bits.append(z > 0)
        h = np.where(z > 0, z, slopes[l] * z)


def random_net(seed, dims, leaky=False):
    rng = np.random.default_rng(seed)
    W = [rng.normal(size=(dims[i + 1], dims[i])) for i in range(len(dims) - 1)]
    b = [rng.normal(size=dims[i + 1]) for i in range(len(dims) - 1)]
    act = "leaky_relu" if leaky else "relu"
    return rr.Network(W, b, act, negative_slope=0.2), W, b


@settings(max_examples=examples(40))
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(1, 6), min_size=2, max_size=5), st.booleans())
def test_forward_and_patterns_match_numpy(seed, dims, leaky):
    net, W, b = random_net(seed, dims, leaky)
    X = np.random.default_rng(seed + 1).normal(size=(20, dims[0]))
    slopes = [0.2 if leaky else 0.0] * (len(dims) - 2)
    out, pats = numpy_forward(W, b, slopes, X)
    np.testing.assert_allclose(net(X), out, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(net.activation_pattern(X), pats)
    assert net.activation_pattern(X).shape == (20, net.num_hidden)
    np.testing.assert_allclose(net(X[0]), out[0], rtol=1e-12, atol=1e-12)


def test_structure():
    net, _, _ = random_net(0, [3, 5, 4, 2])
    assert (net.input_dim, net.output_dim, net.widths, net.num_hidden) == (3, 2, (5, 4), 9)
    assert net.num_parameters == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2
    assert "3-5-4-2" in repr(net)


def test_strict_convention_zero_is_off():
    net = rr.Network([np.zeros((2, 1)), np.ones((1, 2))], [np.array([0.0, 1.0]), np.zeros(1)])
    np.testing.assert_array_equal(net.activation_pattern([[5.0]]), [[False, True]])


@settings(max_examples=examples(30))
@given(st.integers(0, 2**32 - 1))
def test_local_affine_reproduces_outputs(seed):
    net, _, _ = random_net(seed, [3, 6, 5, 2], leaky=seed % 2 == 1)
    X = np.random.default_rng(seed).normal(size=(10, 3))
    J, c = net.local_affine(X)
    np.testing.assert_allclose(np.einsum("nok,nk->no", J, X) + c, net(X), rtol=1e-9, atol=1e-9)
    eps = 1e-7  # finite differences agree where the pattern does not change
    for k in range(3):
        dX = X.copy()
        dX[:, k] += eps
        same = np.all(net.activation_pattern(dX) == net.activation_pattern(X), axis=1)
        fd = (net(dX) - net(X)) / eps
        np.testing.assert_allclose(fd[same], J[same][:, :, k], rtol=1e-5, atol=1e-5)


@settings(max_examples=examples(30))
@given(st.integers(0, 2**32 - 1))
def test_then_is_composition(seed):
    first, _, _ = random_net(seed, [2, 4, 3])
    second, _, _ = random_net(seed + 7, [3, 5, 1], leaky=True)
    X = np.random.default_rng(seed).normal(size=(15, 2))
    comp = first.then(second)
    np.testing.assert_allclose(comp(X), second(first(X)), rtol=1e-10, atol=1e-10)
    assert comp.widths == first.widths + second.widths
    assert comp.activations == ("relu", "leaky_relu")


def test_then_rejects_mismatch():
    a, _, _ = random_net(0, [2, 4, 3])
    b, _, _ = random_net(1, [2, 4, 1])
    with pytest.raises(ValueError, match="3 outputs"):
        a.then(b)
    with pytest.raises(TypeError, match="then\\(\\) expects a Network, got str"):
        a.then("net")


def test_save_load_roundtrip(tmp_path):
    net, _, _ = random_net(3, [2, 5, 5, 1], leaky=True)
    path = tmp_path / "net.npz"
    net.save(path)
    back = rr.Network.load(path)
    X = np.random.default_rng(0).normal(size=(10, 2))
    np.testing.assert_array_equal(back(X), net(X))
    assert back.activations == net.activations and back.negative_slopes == net.negative_slopes


def test_load_plain_npz_and_errors(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, W0=np.ones((3, 2)), b0=np.zeros(3), W1=np.ones((1, 3)), b1=np.zeros(1))
    assert rr.Network.load(path).widths == (3,)
    np.savez(path, W0=np.ones((3, 2)), b0=np.zeros(3), W1=np.ones((1, 3)))
    with pytest.raises(ValueError, match="b1"):
        rr.Network.load(path)
    np.savez(path, W0=np.ones((3, 2)), b0=np.zeros(3), W2=np.ones((1, 3)), b2=np.zeros(1))
    with pytest.raises(ValueError, match="W1 is missing"):
        rr.Network.load(path)


@pytest.mark.parametrize(
    ("weights", "biases", "kwargs", "error", "match"),
    [
        (
            [np.array([[np.nan]]), np.ones((1, 1))],
            [np.zeros(1), np.zeros(1)],
            {},
            ValueError,
            "layer 0: weight matrix has a non-finite",
        ),
        (
            [np.ones((2, 1)), np.ones((1, 2))],
            [np.zeros(2), np.array([np.inf])],
            {},
            ValueError,
            "layer 1: bias has a non-finite",
        ),
        (
            [np.ones((2, 1)), np.ones((1, 3))],
            [np.zeros(2), np.zeros(1)],
            {},
            ValueError,
            "layer 1: weight matrix expects 3 inputs",
        ),
        ([np.ones((2, 1))], [np.zeros(3)], {}, ValueError, "layer 0: bias has 3 entries"),
        ([np.ones(2)], [np.zeros(2)], {}, ValueError, "layer 0: weight matrix must be 2-D"),
        ([np.ones((2, 1))], [np.zeros((2, 1))], {}, ValueError, "layer 0: bias must be 1-D"),
        ([np.array([["a"]])], [np.zeros(1)], {}, TypeError, "layer 0: weight matrix must be a real numeric"),
        ([np.ones((1, 1), dtype=bool)], [np.zeros(1)], {}, TypeError, "dtype bool"),
        ([np.ones((1, 1), dtype=complex)], [np.zeros(1)], {}, TypeError, "complex"),
        ([], [], {}, ValueError, "at least one layer"),
        (
            [np.ones((2, 1)), np.ones((1, 2))],
            [np.zeros(2), np.zeros(1)],
            {"activation": "tanh"},
            ValueError,
            "unknown activation 'tanh'",
        ),
        (
            [np.ones((2, 1)), np.ones((1, 2))],
            [np.zeros(2), np.zeros(1)],
            {"activation": ["relu", "relu"]},
            ValueError,
            "2 activations for 1 hidden",
        ),
        ([np.ones((2, 1)), np.ones((1, 2))], [np.zeros(2)], {}, ValueError, "2 weight matrices but 1 bias"),
        ([np.ones((0, 1))], [np.zeros(0)], {}, ValueError, "empty"),
    ],
)
def test_bad_networks(weights, biases, kwargs, error, match):
    with pytest.raises(error, match=match):
        rr.Network(weights, biases, **kwargs)


def test_bad_container_and_points():
    with pytest.raises(TypeError, match="list or tuple"):
        rr.Network(np.ones((1, 2, 2)), [np.zeros(2)])
    net, _, _ = random_net(0, [2, 3, 1])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        net(np.ones((4, 3)))
    with pytest.raises(TypeError, match="X must be a real numeric array"):
        net(np.array([["x", "y"]]))
    with pytest.raises(ValueError, match="tol"):
        net.activation_pattern(np.ones((1, 2)), tol=-1.0)


def test_from_torch():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    model = (
        nn.Sequential(
            nn.Flatten(),
            nn.Linear(3, 6),
            nn.ReLU(),
            nn.Sequential(nn.Linear(6, 5), nn.Dropout(0.5)),
            nn.LeakyReLU(0.3),
            nn.Identity(),
            nn.Linear(5, 4),
            nn.Linear(4, 2),
            nn.ReLU(),
        )
        .eval()
        .double()
    )
    net = rr.Network.from_torch(model)
    X = np.random.default_rng(0).normal(size=(50, 3))
    with torch.no_grad():
        expected = model(torch.tensor(X)).numpy()
    np.testing.assert_allclose(net(X), expected, rtol=1e-10, atol=1e-10)
    assert net.widths == (6, 5, 2) and net.activations == ("relu", "leaky_relu", "relu")
    with pytest.raises(TypeError, match=r"layer 1 \(Sigmoid\) is not supported"):
        rr.Network.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1)))
    single = rr.Network.from_torch(nn.Linear(2, 3))
    assert single.widths == () and single.output_dim == 3
