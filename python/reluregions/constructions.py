"""Networks built to have a known number of regions.

zigzag
    1 input, K hidden layers of width D >= 3, exactly (D+1)^K regions on [0, 1]: each layer computes a
    sawtooth that maps each of its D+1 pieces onto [0, 1], so the next layer splits every piece again
    (Serra, Tjandraatmadja, Ramalingam 2018: for one input this meets the upper bound).
folding
    Montúfar's folding construction for d inputs: each hidden layer folds every coordinate with a
    sawtooth of floor(n_l / d) units, so [0, 1]^d is cut into (floor(n_l / d) + 1)^d cells each mapped
    onto [0, 1]^d; the last hidden layer is an arrangement in general position with all its vertices
    inside the cube. Its count on [0, 1]^d is exactly serra2018_lower(d, widths).
udl_fig4_1, udl_fig4_2
    The compositions of "Understanding Deep Learning" (Prince 2023), ch. 4, Figs. 4.1 and 4.2.
"""

from __future__ import annotations

from typing import NamedTuple
from collections.abc import Callable

import numpy as np

from .domains import Box, Domain
from .network import Network

__all__ = ["Example", "example", "examples", "folding", "sawtooth", "udl_fig4_1", "udl_fig4_2", "zigzag"]


def _sawtooth(width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Units ``relu(o_k (y - t_k))`` and output ``g(y) = c + sum_k v_k relu(o_k (y - t_k))``, a sawtooth
    with ``width + 1`` monotone pieces each mapping onto [0, 1]. Returns ``(o, t, v, c)``.

    Pieces have widths proportional to (1, 2, 2, ..., 2), so the slopes are s_0 = 2D+1 and
    s_k = (-1)^k (2D+1)/2. The slope jumps by v_k = s_k - s_{k-1} at t_k whichever way unit k faces.
    On the first piece only left-facing units are active; for the first slope to be s_0 with a single
    left-facing unit m, s_0 = s_{m-1} - s_m must hold, which the widths above give for m = 3
    (hence D >= 3). All other units face right.
    """
    D = width
    n = 2 * D + 1
    t = np.array([(2 * k - 1) / n for k in range(1, D + 1)])
    slopes = np.array([n] + [(-1) ** k * n / 2 for k in range(1, D + 1)], dtype=float)
    v = slopes[1:] - slopes[:-1]
    o = np.ones(D)
    o[2] = -1.0
    c = -v[2] * t[2]  # g(0) = 0: only unit 3 (index 2) is active at y = 0
    return o, t, v, float(c)


def sawtooth(width: int) -> Network:
    """1-`width`-1 network mapping [0, 1] onto itself with ``width + 1`` monotone pieces (width >= 3).

    ``sawtooth(D).then(sawtooth(D))`` composes two of them: (D + 1)^2 regions, the same network as
    ``zigzag(D, 2)``.
    """
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 3:
        raise ValueError(f"sawtooth: width must be an integer >= 3, got {width!r}")
    o, t, v, c = _sawtooth(int(width))
    return Network([o[:, None], v[None, :]], [-o * t, np.array([c])])


def zigzag(width: int, depth: int) -> Network:
    """1-input network with `depth` hidden layers of `width` >= 3 units and exactly
    ``(width + 1) ** depth`` activation regions on [0, 1].

    For (width, depth) = (10, 5): 471 parameters and 161,051 regions (UDL Fig. 4.7a).
    """
    for name, val, least in (("width", width, 3), ("depth", depth, 1)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < least:
            raise ValueError(f"zigzag: {name} must be an integer >= {least}, got {val!r}")
    o, t, v, c = _sawtooth(int(width))
    weights = [o[:, None]]
    biases = [-o * t]
    for _ in range(depth - 1):
        weights.append(np.outer(o, v))  # pre-activation o_j (g(y) - t_j)
        biases.append(o * c - o * t)
    weights.append(v[None, :])
    biases.append(np.array([c]))
    return Network(weights, biases)


def _arrangement_in_cube(n: int, d: int, seed: int = 0, tries: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """``n`` hyperplanes ``a . y + b = 0`` in general position whose vertices (intersections of any
    ``d`` of them) all lie inside (0, 1)^d, so all ``zaslavsky(n, d)`` regions meet the open cube."""
    from itertools import combinations

    rng = np.random.default_rng(seed)
    for _ in range(tries):
        A = rng.normal(size=(n, d))
        A /= np.linalg.norm(A, axis=1, keepdims=True)
        points = 0.5 + 0.05 * (rng.random((n, d)) - 0.5)  # each plane passes near the centre
        b = -np.einsum("ij,ij->i", A, points)
        ok = True
        for rows in combinations(range(n), min(d, n)):
            sub = A[list(rows)]
            if len(rows) < d:
                break
            if np.linalg.cond(sub) > 1e6:
                ok = False
                break
            vertex = np.linalg.solve(sub, -b[list(rows)])
            if not np.all((vertex > 0.02) & (vertex < 0.98)):
                ok = False
                break
        if ok:
            return A, b
    raise ValueError(f"could not place {n} hyperplanes in general position inside the {d}-cube")


def folding(input_dim: int, widths: list[int] | tuple[int, ...], seed: int = 0) -> Network:
    """Montúfar's folding construction (Montúfar et al. 2014; with Serra et al. 2018's extra piece).

    Every hidden layer but the last folds each of the `input_dim` coordinates with a sawtooth of
    ``floor(n_l / input_dim)`` units (>= 3 needed; leftover units are dead); the last hidden layer is a
    general-position arrangement whose vertices all lie inside the cube. On [0, 1]^d the network has
    exactly ``serra2018_lower(input_dim, widths)`` activation regions. For one input it is `zigzag`
    with a general last layer.
    """
    d = input_dim
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"folding: input_dim must be a positive integer, got {d!r}")
    widths = [int(w) for w in widths]
    if not widths:
        raise ValueError("folding: need at least one hidden layer")
    for l, w in enumerate(widths[:-1]):
        if w < 3 * d:
            raise ValueError(
                f"folding: hidden layer {l} has width {w}, the construction needs >= 3 * input_dim = {3 * d}"
            )
    if widths[-1] < 1:
        raise ValueError("folding: the last hidden layer needs at least one unit")

    # Each folding layer outputs, through the next layer's weights, the folded coordinates g_k(y_k).
    # `into` maps the previous layer's outputs to the current input coordinates y (affine: M h + m).
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    M, m = np.eye(d), np.zeros(d)  # y = M h + m, h = the previous layer's outputs (here: the input)
    for w in widths[:-1]:
        k = w // d
        o, t, v, c = _sawtooth(k)
        W = np.zeros((w, M.shape[1]))
        b = np.zeros(w)
        M_next = np.zeros((d, w))
        m_next = np.zeros(d)
        for j in range(d):
            rows = slice(j * k, (j + 1) * k)
            W[rows] = o[:, None] * M[j][None, :]  # pre-activation o (y_j - t)
            b[rows] = o * (m[j] - t)
            M_next[j, rows] = v  # folded coordinate g(y_j) = c + v . relu(...)
            m_next[j] = c
        weights.append(W)
        biases.append(b)
        M, m = M_next, m_next
    A, b_last = _arrangement_in_cube(widths[-1], d, seed)
    weights.append(A @ M)
    biases.append(A @ m + b_last)
    weights.append(np.ones((1, widths[-1])))
    biases.append(np.zeros(1))
    return Network(weights, biases)


def udl_fig4_1() -> tuple[Network, Network]:
    """The two 1-3-1 networks of UDL Fig. 4.1, to be composed as ``first.then(second)`` on [-1, 1].

    `first` maps [-1, 1] onto [-1, 1] three times (slopes +3, -3, +3); `second` has three linear regions
    on [-1, 1]. The composition has 3 x 3 = 9 regions on [-1, 1]; each network has 10 parameters.
    """
    # first(x) = -1 + 3 relu(x + 1) - 6 relu(x + 1/3) + 6 relu(x - 1/3)
    first = Network(
        [np.array([[1.0], [1.0], [1.0]]), np.array([[3.0, -6.0, 6.0]])],
        [np.array([1.0, 1.0 / 3.0, -1.0 / 3.0]), np.array([-1.0])],
    )
    # second(y): breakpoints at y = -0.5 and 0.5; the unit relu(y + 2) is active on all of [-1, 1].
    second = Network(
        [np.array([[1.0], [1.0], [1.0]]), np.array([[1.0, -2.0, 2.5]])], [np.array([2.0, 0.5, -0.5]), np.array([-2.0])]
    )
    return first, second


def udl_fig4_2() -> tuple[Network, Network, Box]:
    """The networks of UDL Fig. 4.2: a 2-3-1 network with 7 regions in the box (one of them flat)
    composed with a 1-2-1 network with 2 linear regions on its range: 6 x 2 + 1 = 13 regions.

    The three units of `first` are off inside a triangle (so the output is flat there) and each of
    the six other regions contains the level set ``first = 0.25`` where `second` bends.
    """
    # Triangle with vertices (-0.5, -0.25), (0.5, -0.25), (0, 0.5); each unit is positive outside one edge.
    verts = np.array([[-0.5, -0.25], [0.5, -0.25], [0.0, 0.5]])
    W, b = [], []
    for k in range(3):
        p, q, r = verts[k], verts[(k + 1) % 3], verts[(k + 2) % 3]
        normal = np.array([q[1] - p[1], p[0] - q[0]])
        if normal @ (r - p) > 0:  # point away from the opposite vertex
            normal = -normal
        normal /= np.linalg.norm(normal)
        W.append(normal)
        b.append(-normal @ p)
    first = Network([np.array(W), np.ones((1, 3))], [np.array(b), np.zeros(1)])
    second = Network([np.array([[1.0], [1.0]]), np.array([[1.0, -3.0]])], [np.array([1.0, -0.25]), np.array([0.0])])
    return first, second, Box([-1.0, -1.0], [1.0, 1.0])


class Example(NamedTuple):
    """A bundled network with its domain and its number of regions there (known in closed form)."""

    network: Network
    domain: Domain
    regions: int
    description: str


def _udl_fig4_1_composed() -> Example:
    first, second = udl_fig4_1()
    return Example(first.then(second), Box([-1.0], [1.0]), 9, "UDL Fig. 4.1: two composed 1-3-1 networks on [-1, 1]")


def _udl_fig4_2_first() -> Example:
    first, _, box = udl_fig4_2()
    return Example(first, box, 7, "UDL Fig. 4.2: the 2-3-1 network on [-1, 1]^2")


def _udl_fig4_2_composed() -> Example:
    first, second, box = udl_fig4_2()
    return Example(first.then(second), box, 13, "UDL Fig. 4.2: the 2-3-1 network composed with a 1-2-1 network")


_EXAMPLES: dict[str, Callable[[], Example]] = {
    "udl-deep": lambda: Example(
        zigzag(10, 5),
        Box([0.0], [1.0]),
        11**5,
        "UDL Fig. 4.7a: 1 input, 5 hidden layers of 10 (471 parameters), 11^5 regions on [0, 1]",
    ),
    "udl-fig4.1": _udl_fig4_1_composed,
    "udl-fig4.2-first": _udl_fig4_2_first,
    "udl-fig4.2": _udl_fig4_2_composed,
    "zigzag-3-4": lambda: Example(
        zigzag(3, 4), Box([0.0], [1.0]), 4**4, "zigzag, 4 hidden layers of 3: 4^4 regions on [0, 1]"
    ),
}


def examples() -> dict[str, str]:
    """Names and descriptions of the bundled examples."""
    return {name: make().description for name, make in _EXAMPLES.items()}


def example(name: str) -> Example:
    """A bundled example by name (see :func:`examples`)."""
    try:
        return _EXAMPLES[name]()
    except KeyError:
        raise ValueError(f"unknown example {name!r}; available: {', '.join(_EXAMPLES)}") from None
