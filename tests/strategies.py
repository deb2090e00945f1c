"""Hypothesis strategies: small random networks and domains for the property tests.

Two kinds of weights:

* ``"float"``: standard normal weights and biases (from a drawn seed). Configurations are generic:
  no two zero lines coincide, no three meet in a point, no unit is identically zero.
* ``"int"``: every weight and bias in {-2, ..., 2}, drawn entry by entry (so Hypothesis shrinks
  failures to small integer networks). With the integer-cornered domains below this provokes the
  degenerate cases exactly: coincident and parallel zero lines, three or more lines through one
  point, lines through box corners and along box edges, dead units and units identically zero
  on whole regions.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import reluregions as rr

KINDS = ("float", "int")
INT_RANGE = (-2, 2)


@st.composite
def networks(
    draw,
    input_dim: int,
    *,
    min_layers: int = 1,
    max_layers: int = 4,
    max_width: int = 8,
    max_hidden: int | None = None,
    kind: str | None = None,
    output_dim: int = 1,
    leaky: bool | None = None,
) -> rr.Network:
    """A network with `input_dim` inputs, 1-4 hidden layers of widths 1-8 (at most `max_hidden`
    units in all, to keep the reference fast), ReLU or leaky ReLU, float or integer weights."""
    kind = draw(st.sampled_from(KINDS)) if kind is None else kind
    depth = draw(st.integers(min_layers, max_layers))
    budget = depth * max_width if max_hidden is None else max_hidden
    widths = []
    for l in range(depth):
        room = budget - sum(widths) - (depth - l - 1)  # leave one unit for each later layer
        widths.append(draw(st.integers(1, max(1, min(max_width, room)))))
    dims = [input_dim, *widths, output_dim]
    if kind == "float":
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        weights = [rng.normal(size=(dims[i + 1], dims[i])) for i in range(len(dims) - 1)]
        biases = [rng.normal(size=dims[i + 1]) for i in range(len(dims) - 1)]
    else:
        entry = st.integers(*INT_RANGE)
        weights = [
            np.array(draw(st.lists(entry, min_size=dims[i] * dims[i + 1], max_size=dims[i] * dims[i + 1])), float).reshape(dims[i + 1], dims[i])
            for i in range(len(dims) - 1)
        ]
        biases = [np.array(draw(st.lists(entry, min_size=d, max_size=d)), float) for d in dims[1:]]
    if leaky is None:
        acts = draw(st.lists(st.sampled_from(["relu", "leaky_relu"]), min_size=depth, max_size=depth))
    else:
        acts = ["leaky_relu" if leaky else "relu"] * depth
    # 0.1 is not a binary fraction (rounding in every leaky layer); 0.5 is exact.
    slope = draw(st.sampled_from([0.1, 0.5]))
    return rr.Network(weights, biases, acts, negative_slope=slope)


# --------------------------------------------------------------------------------------- domains
def _ints(lo: int = -3, hi: int = 3) -> st.SearchStrategy[float]:
    return st.integers(lo, hi).map(float)


def _floats(lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy[float]:
    # Multiples of 1/100, not arbitrary floats. Hypothesis likes values such as -1.8e-9, and a domain
    # end that close to an integer net's breakpoint leaves a sliver region that the engines (1e-10 of
    # the domain) resolve but the reference (2e-9) does not; a breakpoint p/q is 0 or at least
    # 1/(100 q) away from this grid, far above both resolutions. Decimal, not dyadic (1/64, 1/1024):
    # folding a decimal box into the first layer rounds, which integer weights alone never do.
    return st.integers(round(lo * 100), round(hi * 100)).map(lambda k: k / 100)


@st.composite
def intervals(draw, integer: bool | None = None) -> tuple[float, float]:
    """``(a, b)`` with ``a < b``, integer corners or floats, length at least 0.25."""
    integer = draw(st.booleans()) if integer is None else integer
    a = draw(_ints() if integer else _floats())
    length = draw(st.integers(1, 4).map(float) if integer else _floats(0.25, 4.0))
    return a, a + length


@st.composite
def domains_1d(draw, integer: bool | None = None) -> rr.Domain:
    """A segment or 1-D box of the real line (in either direction for segments)."""
    a, b = draw(intervals(integer))
    kind = draw(st.sampled_from(["segment", "reversed", "box"]))
    if kind == "box":
        return rr.Box([a], [b])
    return rr.Segment([a], [b]) if kind == "segment" else rr.Segment([b], [a])


@st.composite
def boxes_2d(draw, integer: bool | None = None) -> rr.Box:
    """An axis-aligned box in R^2; with integer corners, integer networks have zero lines through
    its corners and along its edges."""
    (x0, x1), (y0, y1) = draw(intervals(integer)), draw(intervals(integer))
    return rr.Box([x0, y0], [x1, y1])


@st.composite
def planes_2d(draw) -> rr.Plane:
    """A rectangle of R^2 in a skewed (non-orthogonal, non-unit) frame."""
    origin = draw(st.tuples(_ints(), _ints()))
    u = draw(st.sampled_from([(1.0, 0.0), (1.0, 1.0), (2.0, -1.0), (0.5, 0.25)]))
    v = draw(st.sampled_from([(0.0, 1.0), (-1.0, 1.0), (1.0, 2.0)]))
    s = draw(intervals())
    t = draw(intervals())
    return rr.Plane(origin, u, v, s, t)


def domains_2d() -> st.SearchStrategy[rr.Domain]:
    return st.one_of(boxes_2d(), planes_2d())


@st.composite
def segments_nd(draw, input_dim: int) -> rr.Segment:
    """A segment in R^input_dim between two normal random points."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.normal(size=input_dim)
    return rr.Segment(a, a + 2.0 * rng.normal(size=input_dim))


@st.composite
def planes_nd(draw, input_dim: int) -> rr.Plane:
    """A rectangle in a random 2-D plane of R^input_dim (random, non-orthonormal frame)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    origin = rng.normal(size=input_dim)
    u, v = rng.normal(size=(2, input_dim))
    s = draw(intervals(integer=False))
    t = draw(intervals(integer=False))
    return rr.Plane(origin, u, v, s, t)
