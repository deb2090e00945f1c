"""A slow, simple and independent reference for the activation regions of a network.

This module exists to check the C++ engines. It shares no code with them: it does its own forward
passes in NumPy and uses a different algorithm.

* :func:`regions` / :func:`count` (``method="lp"``): brute force over activation patterns. Hidden units
  are decided one at a time, layer by layer, depth first; a partial pattern (a *prefix*) is kept only if
  the part of the domain where the decided units have their signs contains a ball of radius
  ``> RADIUS_TOL * scale`` (its Chebyshev ball, found by a linear program). Every region is a leaf of
  this search, so the cost grows with the number of regions times the number of units, not with
  ``2 ** num_hidden`` -- but it is still far slower than the engines: use it on small networks only
  (at most :data:`MAX_HIDDEN` hidden units unless you raise ``max_hidden`` deliberately).
* :func:`breakpoints_1d` (``method="breakpoints"``, 1-D domains): exact breakpoint iteration. Split the
  interval at every root of every unit's pre-activation computed under the pattern of each piece's
  midpoint, until no piece splits any more; then merge neighbours with equal patterns.

Definitions (the contract the engines meet too)
-----------------------------------------------
* The pattern bit of a hidden unit is ``pre-activation > 0`` (strict). A unit whose pre-activation is
  identically zero on a region is off there.
* A region is a pattern ``P`` whose set ``{x in domain : pattern(x) = P}`` has positive measure in the
  domain (positive length / area / volume in domain coordinates). Given ``P`` every pre-activation is
  an affine function, so the set is convex (a polytope): the intersection of the domain, the closed
  half-spaces ``z_i <= 0`` of the off units and the open half-spaces ``z_i > 0`` of the on units. It has
  positive measure iff its closure contains a ball of positive radius.
* Leaky ReLU has the same bits; an off unit passes ``negative_slope * z`` on.

Domains
-------
The reference parametrizes domains itself, from their defining attributes (it never calls the
library's ``Domain.parametrization()``, which the engines use): a ``Segment``-like object (``a``, ``b``:
``x = a + t (b - a)``, ``t`` in ``[0, 1]``), a ``Plane``-like one (``origin``, ``u``, ``v``, ``s_range``,
``t_range``: ``x = origin + s u + t v``), a ``Box``-like one (``lo``, ``hi``: coordinates = inputs). A
``Polytope``-like object with attributes ``A`` and ``b`` (``{x : A x <= b}``, coordinates = input
coordinates, possibly unbounded). A ``Space``-like object (class named ``Space``, attribute
``input_dim``): all of ``R^d``.

Beyond regions
--------------
Every region of :func:`regions` (LP method) keeps its H-representation as found by the search (the
domain's rows and the rows of the units that split it) and its output affine map. From these, with
SciPy and NumPy only: :func:`facets` (non-redundant rows, one LP per row), :func:`adjacency` (regions
whose closures share a facet of positive (k-1)-measure, one LP per candidate pair), :func:`linear_regions`
(union of neighbours with equal maps), :func:`locate` (own forward pass and own domain test),
:func:`forward`; ``measures`` are exact volumes (Qhull) of bounded regions, ``inf`` for unbounded ones.

All tolerances are the module constants below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "FACET_TOL",
    "LINEAR_TOL",
    "LP_FEASIBILITY_TOL",
    "MAX_HIDDEN",
    "RADIUS_CAP",
    "RADIUS_TOL",
    "ZERO_TOL",
    "ReferenceRegions",
    "activation_patterns",
    "adjacency",
    "breakpoints_1d",
    "count",
    "facets",
    "forward",
    "linear_regions",
    "linear_regions_1d",
    "locate",
    "parametrize",
    "regions",
    "vertices",
]

# ------------------------------------------------------------------------------------------- tolerances

#: A unit's affine pre-activation ``a . s + c`` (on the current prefix) is *constant* when every
#: coefficient satisfies ``|a_k| <= ZERO_TOL * |a|_k``, where ``|a|_k`` is the same coefficient computed
#: with all weights, biases and domain vectors replaced by their absolute values (a bound on the terms
#: that were summed). A constant unit is on iff ``c > ZERO_TOL * |c|``. Rounding in these small networks
#: (width <= ~30, depth <= ~5) leaves an exactly-cancelling coefficient below ~1e-14 of that bound, and a
#: genuine coefficient 1e-10 times smaller than the terms it is summed from needs a near-exact
#: cancellation that random test networks do not produce: 1e-10 sits between with four orders to spare
#: on the rounding side. The same rule (applied to the value at a point) is used by the forward pass.
ZERO_TOL = 1e-10

#: A prefix / region is kept iff its Chebyshev radius (in domain coordinates) is ``> RADIUS_TOL * scale``
#: where ``scale`` is the largest side of the domain's bounding box (1 for an unbounded domain). In 1-D
#: the equivalent rule is "length > 2 * RADIUS_TOL * scale". Exactly degenerate configurations (three
#: concurrent lines, coincident units, a line along the box edge) have radius 0 in exact arithmetic but
#: ~1e-16..1e-12 * scale after rounding (deep integer networks cancel large terms); random float networks
#: essentially never make regions thinner than 1e-9 * scale. The radius is certified by evaluating the
#: constraints at the LP's centre in NumPy, so HiGHS's own tolerances do not leak into the decision.
RADIUS_TOL = 1e-9

#: Cap on the Chebyshev radius (in units of ``scale``). For bounded domains it never binds (a region's
#: radius is at most half the domain's width); for unbounded domains it keeps the LP bounded, so
#: reported radii of unbounded regions are ``min(true radius, RADIUS_CAP)``.
RADIUS_CAP = 1.0

#: HiGHS primal/dual feasibility tolerance (its default is 1e-7). Tighter than the default so that the
#: LP's centre is accurate well below ``RADIUS_TOL``; the decision itself uses the certified radius.
LP_FEASIBILITY_TOL = 1e-9

#: Two output affine maps of neighbouring 1-D pieces are the same map when their slopes differ by at most
#: ``LINEAR_TOL * max(|slope|) + ZERO_TOL * (bound on the summed terms)`` in every output. The network
#: is continuous, so equal slopes on neighbouring pieces mean equal maps. 1e-9 is far above the relative
#: rounding (~1e-14) and far below the relative slope changes of random networks.
LINEAR_TOL = 1e-9

#: A row of a region's H-representation is a facet (non-redundant) when, maximizing its left-hand side
#: over the other rows, the maximum exceeds its right-hand side by more than ``FACET_TOL * scale``; two
#: regions are adjacent when the part of the shared hyperplane in both closures has a (k-1)-dimensional
#: Chebyshev ball of radius above ``FACET_TOL * scale``. The same order as ``RADIUS_TOL``: a region
#: thinner than that is not a region, a facet smaller than that is not a facet.
FACET_TOL = 1e-9

#: The largest ``num_hidden`` accepted unless the caller passes a larger ``max_hidden`` on purpose.
#: Around 24 hidden units on a 2-D domain the LP brute force takes seconds (see the tests for timings).
MAX_HIDDEN = 24


# ------------------------------------------------------------------------------------------------ scipy
def _linprog() -> Any:
    try:
        from scipy.optimize import linprog
    except ImportError:  # pragma: no cover - scipy is a test dependency
        raise ImportError("reluregions.reference needs SciPy (linear programs): pip install scipy") from None
    return linprog


def _solve(c: np.ndarray, **kw: Any) -> Any:
    """``scipy.optimize.linprog`` by HiGHS; an "infeasible" from presolve is checked without presolve
    (HiGHS's presolve reports some unbounded problems as infeasible)."""
    linprog = _linprog()
    res = linprog(c, method="highs", **kw)
    if res.status == 2:
        res = linprog(c, method="highs", options={"presolve": False}, **kw)
    return res


def _qhull() -> Any:
    try:
        from scipy.spatial import ConvexHull, HalfspaceIntersection
    except ImportError:  # pragma: no cover
        raise ImportError("reluregions.reference needs SciPy (region volumes): pip install scipy") from None
    return ConvexHull, HalfspaceIntersection


# -------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ReferenceRegions:
    """Regions found by the reference, sorted lexicographically by pattern (rows of 0/1).

    Attributes
    ----------
    patterns : (R, num_hidden) bool
    coords : (R, k) float -- an interior point of each region (its Chebyshev centre) in domain coordinates
    witnesses : (R, input_dim) float -- the same points in input space
    radii : (R,) float -- Chebyshev radius in domain coordinates (capped at ``RADIUS_CAP * scale``), > 0
    measures : (R,) float -- length / area / volume in domain coordinates (``inf`` for unbounded regions)
    bounded : (R,) bool -- whether each region is bounded
    halfspaces : tuple of ``(A, b, units)`` per region -- ``{s : A s <= b}`` (unit rows, domain coordinates):
        the domain's rows (unit -1) and those of the units that split the region in the search (flat
        hidden-unit index); redundant rows included (see :func:`facets`). Empty for the 1-D breakpoints.
    affine : ``(A, c, E)`` or None -- output maps ``f = A[r] @ s + c[r]`` (``(R, out, k)``, ``(R, out)``) and
        a bound ``E`` ``(R, out)`` on the magnitude of the summed terms (for equality up to rounding)
    scale : float -- largest side of the domain's bounding box (1 if unbounded)
    """

    patterns: np.ndarray
    coords: np.ndarray
    witnesses: np.ndarray
    radii: np.ndarray
    measures: np.ndarray
    bounded: np.ndarray | None = None
    halfspaces: tuple = ()
    affine: tuple | None = None
    scale: float = 1.0

    @property
    def count(self) -> int:
        return int(self.patterns.shape[0])

    def __len__(self) -> int:
        return self.count


# --------------------------------------------------------------------------------------------- frames
def _network_arrays(net: Any, max_hidden: int) -> tuple[list[np.ndarray], list[np.ndarray], list[float]]:
    for attr in ("weights", "biases", "negative_slopes", "input_dim", "num_hidden"):
        if not hasattr(net, attr):
            raise TypeError(f"expected a reluregions.Network, got {type(net).__name__} (no attribute {attr!r})")
    if int(net.num_hidden) > max_hidden:
        raise ValueError(
            f"the reference is a slow brute force: the network has {net.num_hidden} hidden units but "
            f"max_hidden={max_hidden} (pass a larger max_hidden deliberately if you mean it)"
        )
    Ws = [np.asarray(W, dtype=np.float64) for W in net.weights]
    bs = [np.asarray(b, dtype=np.float64) for b in net.biases]
    slopes = [float(s) for s in net.negative_slopes]
    if len(Ws) < 2:
        raise ValueError("the network has no hidden layer")
    return Ws, bs, slopes


def _is_graph(net: Any) -> bool:
    return bool(getattr(net, "is_graph", False))


def _first_layer(net: Any) -> tuple[np.ndarray, np.ndarray]:
    """The first affine layer; for a layered graph the identity (the frame's maps are then of x)."""
    if _is_graph(net):
        d = int(net.input_dim)
        return np.eye(d), np.zeros(d)
    return np.asarray(net.weights[0], dtype=np.float64), np.asarray(net.biases[0], dtype=np.float64)


def parametrize(domain: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(origin, basis, lo, hi)`` of a Segment-, Plane- or Box-like domain, from its defining attributes
    (``x = origin + basis @ s`` for ``s`` in the box ``[lo, hi]``)."""
    if hasattr(domain, "A"):
        raise TypeError("a Polytope has no box parametrization")
    if all(hasattr(domain, n) for n in ("origin", "u", "v", "s_range", "t_range")):  # Plane
        origin = np.asarray(domain.origin, dtype=np.float64)
        basis = np.column_stack([np.asarray(domain.u, dtype=np.float64), np.asarray(domain.v, dtype=np.float64)])
        lo = np.array([domain.s_range[0], domain.t_range[0]], dtype=np.float64)
        hi = np.array([domain.s_range[1], domain.t_range[1]], dtype=np.float64)
        return origin, basis, lo, hi
    if hasattr(domain, "a") and hasattr(domain, "b"):  # Segment from a to b, t in [0, 1]
        a, b = np.asarray(domain.a, dtype=np.float64), np.asarray(domain.b, dtype=np.float64)
        return a, (b - a).reshape(-1, 1), np.zeros(1), np.ones(1)
    if hasattr(domain, "lo") and hasattr(domain, "hi"):  # Box: coordinates are the inputs
        lo, hi = (
            np.asarray(domain.lo, dtype=np.float64).reshape(-1),
            np.asarray(domain.hi, dtype=np.float64).reshape(-1),
        )
        return np.zeros(lo.size), np.eye(lo.size), lo, hi
    raise TypeError(f"unsupported domain {type(domain).__name__}: expected Segment, Plane, Box, Polytope or Space")


def _parametrized(domain: Any) -> bool:
    if hasattr(domain, "A") or type(domain).__name__ == "Space":
        return False
    try:
        parametrize(domain)
    except TypeError:
        return False
    return True


def _constraints(
    net: Any, domain: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(W0', b0', A_ub, b_ub, origin, basis)`` for any supported domain.

    ``x = origin + basis @ s`` maps domain coordinates ``s`` to input space; the first layer folded with
    it is ``W0' s + b0'``; the domain is ``{s : A_ub s <= b_ub}`` (rows normalized to unit length; no rows
    for all of R^d).
    """
    d = int(net.input_dim)
    is_space = type(domain).__name__ == "Space"
    if not (is_space and getattr(domain, "input_dim", None) is None) and getattr(domain, "input_dim", None) != d:
        raise ValueError(f"the domain lies in R^{getattr(domain, 'input_dim', '?')} but the network has {d} inputs")
    W0, b0 = _first_layer(net)
    if hasattr(domain, "A") and hasattr(domain, "b"):  # Polytope {x : A x <= b}
        A = np.asarray(domain.A, dtype=np.float64).reshape(-1, d)
        b = np.asarray(domain.b, dtype=np.float64).reshape(-1)
        if A.shape[0] != b.shape[0]:
            raise ValueError(f"polytope: A has {A.shape[0]} rows but b has {b.shape[0]} entries")
        norms = np.linalg.norm(A, axis=1)
        trivial = norms == 0
        if np.any(trivial & (b < 0)):  # a row 0 <= b_i < 0: empty; say so by x_0 <= -1 and x_0 >= 1
            A_ub = np.zeros((2, d))
            A_ub[0, 0], A_ub[1, 0] = 1.0, -1.0
            b_ub = np.array([-1.0, -1.0])
        else:
            A_ub, b_ub = A[~trivial] / norms[~trivial, None], b[~trivial] / norms[~trivial]
        origin, basis = np.zeros(d), np.eye(d)
    elif is_space:  # all of R^d
        origin, basis = np.zeros(d), np.eye(d)
        A_ub, b_ub = np.zeros((0, d)), np.zeros(0)
    elif _parametrized(domain):  # Segment, Plane, Box
        origin, basis, lo, hi = parametrize(domain)
        basis = basis.reshape(d, -1)
        k = basis.shape[1]
        A_ub = np.vstack([np.eye(k), -np.eye(k)])
        b_ub = np.concatenate([hi, -lo])
    else:
        raise TypeError(f"unsupported domain {type(domain).__name__}: expected Segment, Plane, Box, Polytope or Space")
    return W0 @ basis, W0 @ origin + b0, A_ub, b_ub, origin, basis


class _Node(NamedTuple):
    """A node of the reference's depth-first split: the pattern bits so far, the cell's rows A s <= b (and
    the unit behind each row, -1 for the domain's), and a ball inside it (centre, radius)."""

    bits: list[bool]
    A: np.ndarray
    b: np.ndarray
    units: list[int]
    centre: np.ndarray
    r: float


class _Frame(NamedTuple):
    W0: np.ndarray  # folded first layer, (n0, k)
    b0: np.ndarray
    W0abs: np.ndarray  # magnitude bounds of the folded first layer
    b0abs: np.ndarray
    A: np.ndarray  # domain {s : A s <= b}, unit rows
    b: np.ndarray
    origin: np.ndarray
    basis: np.ndarray
    k: int  # domain dimension
    bounded: bool
    scale: float  # largest side of the domain's bounding box (1 if unbounded)
    empty: bool


def _frame(net: Any, domain: Any) -> _Frame:
    W0f, b0f, A, b, origin, basis = _constraints(net, domain)
    W0, b0 = _first_layer(net)
    W0abs = np.abs(W0) @ np.abs(basis)
    b0abs = np.abs(W0) @ np.abs(origin) + np.abs(b0)
    k = basis.shape[1]
    if _parametrized(domain):
        lo, hi = -b[k:], b[:k]
        return _Frame(W0f, b0f, W0abs, b0abs, A, b, origin, basis, k, True, float(np.max(hi - lo)), False)
    if A.shape[0] == 0:
        return _Frame(W0f, b0f, W0abs, b0abs, A, b, origin, basis, k, False, 1.0, False)
    # A polytope: its bounding box by 2k linear programs.
    linprog = _linprog()
    ext = []
    for i in range(k):
        for sign in (1.0, -1.0):
            c = np.zeros(k)
            c[i] = sign
            res = linprog(c, A_ub=A, b_ub=b, bounds=[(None, None)] * k, method="highs")
            if res.status == 2:
                return _Frame(W0f, b0f, W0abs, b0abs, A, b, origin, basis, k, True, 1.0, True)
            if res.status == 3:
                return _Frame(W0f, b0f, W0abs, b0abs, A, b, origin, basis, k, False, 1.0, False)
            if res.status != 0:
                raise RuntimeError(f"reference: bounding-box LP of the polytope failed: {res.message}")
            ext.append(sign * res.fun)  # min x_i, then max x_i (= -min -x_i)
    ext_arr = np.array(ext).reshape(k, 2)
    lo_box, hi_box = ext_arr[:, 0], ext_arr[:, 1]
    scale = float(np.max(hi_box - lo_box))
    return _Frame(W0f, b0f, W0abs, b0abs, A, b, origin, basis, k, True, scale if scale > 0 else 1.0, not scale > 0)


# ------------------------------------------------------------------------------------------- forward
def activation_patterns(net: Any, X: Any) -> np.ndarray:
    """Activation patterns of input points `X` ``(n, input_dim)`` by an independent NumPy forward pass.

    A bit is set where ``z > ZERO_TOL * E``, ``E`` being the same pre-activation computed with absolute
    values of weights, biases, inputs and hidden values (so an exactly-cancelling unit is off).
    """
    if _is_graph(net):
        return _graph_points(net, X)[1]
    Ws, bs, slopes = _network_arrays(net, max_hidden=10**9)
    h = np.asarray(X, dtype=np.float64).reshape(-1, int(net.input_dim))
    habs = np.abs(h)
    bits = []
    for W, b, slope in zip(Ws[:-1], bs[:-1], slopes):
        z = h @ W.T + b
        zabs = habs @ np.abs(W).T + np.abs(b)
        on = z > ZERO_TOL * zabs
        bits.append(on)
        factor = np.where(on, 1.0, slope)
        h, habs = z * factor, zabs * np.abs(factor)
    return np.concatenate(bits, axis=1)


def _layer_maps(
    W: np.ndarray, b: np.ndarray, H: np.ndarray, h: np.ndarray, Habs: np.ndarray, habs: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Pre-activation maps ``Z s + z`` of a layer whose input is ``H s + h`` (with magnitude bounds)."""
    return W @ H, W @ h + b, np.abs(W) @ Habs, np.abs(W) @ habs + np.abs(b)


def _is_constant(a: np.ndarray, aabs: np.ndarray) -> bool:
    return bool(np.all(np.abs(a) <= ZERO_TOL * aabs))


# ------------------------------------------------------------------------------------ layered graphs
# A layered graph (``net.is_graph``) is evaluated from ``net.graph`` with this module's own code: each
# activation layer is one stage of units, each max-pool layer one stage per level of its balanced
# comparison tree (pairs left to right, an odd node passing through; a comparison is on iff left > right,
# and the larger is kept). Maps are ``(Z, z, Zabs, zabs)``: values ``Z s + z`` with magnitude bounds.
_Maps = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _combine(layer: Any, values: dict[int, _Maps]) -> _Maps:
    """A layer's pre-activation maps from its sources' maps."""
    parts = [
        _layer_maps(np.asarray(W, dtype=np.float64), np.zeros(W.shape[0]), *values[src]) for src, W in layer.inputs
    ]
    b = np.asarray(layer.bias, dtype=np.float64)
    return (
        sum(p[0] for p in parts),
        sum(p[1] for p in parts) + b,
        sum(p[2] for p in parts),
        sum(p[3] for p in parts) + np.abs(b),
    )  # type: ignore[return-value]


def _stack(rows: list[_Maps]) -> _Maps:
    return tuple(np.stack([r[i] for r in rows]) for i in range(4))  # type: ignore[return-value]


class _GraphProgram:
    """The units of a layered graph, stage by stage (see above)."""

    def __init__(self, net: Any, max_hidden: int) -> None:
        if int(net.num_hidden) > max_hidden:
            raise ValueError(
                f"the reference is a slow brute force: the network has {net.num_hidden} hidden units but "
                f"max_hidden={max_hidden} (pass a larger max_hidden deliberately if you mean it)"
            )
        _, self.layers, self.output = net.graph
        self.stages: list[tuple[int, int]] = []  # (layer, level)
        self.widths: list[int] = []
        for k, layer in enumerate(self.layers, start=1):
            if layer.kind == "activation":
                self.stages.append((k, 0))
                self.widths.append(int(layer.bias.shape[0]))
                continue
            sizes = [len(w) for w in layer.windows]
            level = 0
            while max(sizes) > 1:
                self.stages.append((k, level))
                self.widths.append(sum(n // 2 for n in sizes))
                sizes = [(n + 1) // 2 for n in sizes]
                level += 1
        if not self.stages:
            raise ValueError("the network has no hidden unit")

    def _open(self, values: dict[int, _Maps], upto: int) -> tuple[dict[int, _Maps], Any]:
        """Values of every layer before stage `upto`'s layer that has no stage left (max-pool layers of
        single windows), then the state at the start of stage `upto` (or of the output)."""
        k_next = self.stages[upto][0] if upto < len(self.stages) else len(self.layers) + 1
        k = max(values) + 1
        while k < k_next:  # max-pool layers whose windows all have one value
            pre = _combine(self.layers[k - 1], values)
            values[k] = _stack([tuple(m[w[0]] for m in pre) for w in self.layers[k - 1].windows])
            k += 1
        if k_next > len(self.layers):
            return values, None
        layer = self.layers[k_next - 1]
        pre = _combine(layer, values)
        if layer.kind == "activation":
            return values, pre
        nodes = [[tuple(m[j] for m in pre) for j in w] for w in layer.windows]
        return values, nodes

    @staticmethod
    def _units(state: Any) -> _Maps:
        if isinstance(state, tuple):
            return state
        rows = []
        for win in state:
            for t in range(len(win) // 2):
                p, q = win[2 * t], win[2 * t + 1]
                rows.append((p[0] - q[0], p[1] - q[1], p[2] + q[2], p[3] + q[3]))
        return _stack(rows)

    def first(self, x_maps: tuple[np.ndarray, ...]) -> tuple[_Maps, Any]:
        values, state = self._open({0: x_maps}, 0)  # type: ignore[dict-item]
        return self._units(state), (values, state)

    def advance(self, l: int, st: Any, maps: Any, on: np.ndarray) -> tuple[_Maps, Any]:
        values, state = st
        values = dict(values)
        k = self.stages[l][0]
        layer = self.layers[k - 1]
        if layer.kind == "activation":
            f = np.where(on, 1.0, np.asarray(layer.negative_slopes, dtype=np.float64))
            values[k] = (f[:, None] * maps[0], f * maps[1], np.abs(f)[:, None] * maps[2], np.abs(f) * maps[3])
            done = True
        else:
            bits = iter(on)
            state = [
                [win[2 * t] if next(bits) else win[2 * t + 1] for t in range(len(win) // 2)]
                + ([win[-1]] if len(win) % 2 else [])
                for win in state
            ]
            done = all(len(win) == 1 for win in state)
            if done:
                values[k] = _stack([win[0] for win in state])
        if not done:
            return self._units(state), (values, state)
        values, state = self._open(values, l + 1)
        if state is None:
            return _combine(self.output, values), (values, None)
        return self._units(state), (values, state)


def _graph_points(net: Any, X: Any) -> tuple[np.ndarray, np.ndarray]:
    """Outputs and patterns of a layered graph at points (bit: value > ZERO_TOL * magnitude bound)."""
    _, layers, output = net.graph
    x = np.asarray(X, dtype=np.float64).reshape(-1, int(net.input_dim))
    vals = {0: (x, np.abs(x))}
    bits = []

    def pre(layer: Any) -> tuple[np.ndarray, np.ndarray]:
        z = sum(vals[s][0] @ np.asarray(W).T for s, W in layer.inputs) + layer.bias
        za = sum(vals[s][1] @ np.abs(W).T for s, W in layer.inputs) + np.abs(layer.bias)
        return z, za

    for k, layer in enumerate(layers, start=1):
        z, za = pre(layer)
        if layer.kind == "activation":
            on = z > ZERO_TOL * za
            f = np.where(on, 1.0, layer.negative_slopes)
            bits.append(on)
            vals[k] = (f * z, np.abs(f) * za)
            continue
        nodes = [[(z[:, j], za[:, j]) for j in w] for w in layer.windows]
        while any(len(win) > 1 for win in nodes):
            level, new = [], []
            for win in nodes:
                out = []
                for t in range(len(win) // 2):
                    (p, pa), (q, qa) = win[2 * t], win[2 * t + 1]
                    on = (p - q) > ZERO_TOL * (pa + qa)
                    level.append(on)
                    out.append((np.where(on, p, q), np.where(on, pa, qa)))
                new.append(out + ([win[-1]] if len(win) % 2 else []))
            bits.append(np.stack(level, axis=1))
            nodes = new
        vals[k] = (np.stack([w[0][0] for w in nodes], axis=1), np.stack([w[0][1] for w in nodes], axis=1))
    y, _ = pre(output)
    pats = np.concatenate(bits, axis=1) if bits else np.zeros((x.shape[0], 0), dtype=bool)
    return y, pats


class _DenseProgram:
    """The units of a dense chain, layer by layer."""

    def __init__(self, net: Any, max_hidden: int) -> None:
        self.Ws, self.bs, self.slopes = _network_arrays(net, max_hidden)
        self.widths = [W.shape[0] for W in self.Ws[:-1]]

    def first(self, maps: tuple[np.ndarray, ...]) -> tuple[tuple[np.ndarray, ...], None]:
        return maps, None

    def advance(
        self, l: int, state: None, maps: tuple[np.ndarray, ...], on: np.ndarray
    ) -> tuple[tuple[np.ndarray, ...], None]:
        Z, z, Zabs, zabs = maps
        f = np.where(on, 1.0, self.slopes[l])
        H, h, Habs, habs = f[:, None] * Z, f * z, np.abs(f)[:, None] * Zabs, np.abs(f) * zabs
        return _layer_maps(self.Ws[l + 1], self.bs[l + 1], H, h, Habs, habs), None


# ------------------------------------------------------------------------------------- LP brute force
class _Chebyshev:
    """Chebyshev balls of polytopes ``{s : A s <= b}`` (unit rows) by HiGHS, certified in NumPy."""

    def __init__(self, k: int, cap: float) -> None:
        self.linprog = _linprog()
        self.k = k
        self.cap = cap
        self.cost = np.zeros(k + 1)
        self.cost[-1] = -1.0  # maximize r
        self.bounds = [(None, None)] * k + [(None, cap)]
        self.options = {
            "primal_feasibility_tolerance": LP_FEASIBILITY_TOL,
            "dual_feasibility_tolerance": LP_FEASIBILITY_TOL,
        }
        self.calls = 0

    def __call__(self, A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, float]:
        """Centre and certified radius (``min(cap, min_i b_i - A_i s)``; may be <= 0)."""
        self.calls += 1
        if A.shape[0] == 0:
            return np.zeros(self.k), self.cap
        A_ub = np.hstack([A, np.ones((A.shape[0], 1))])
        # r is free below, capped above: the LP is always feasible and bounded.
        res = self.linprog(self.cost, A_ub=A_ub, b_ub=b, bounds=self.bounds, method="highs", options=self.options)
        if res.status != 0:
            raise RuntimeError(f"reference: Chebyshev-ball LP failed ({res.status}): {res.message}")
        s = np.asarray(res.x[: self.k], dtype=np.float64)
        return s, self.certify(A, b, s)

    def certify(self, A: np.ndarray, b: np.ndarray, s: np.ndarray) -> float:
        if A.shape[0] == 0:
            return self.cap
        return float(min(self.cap, np.min(b - A @ s)))


def _measure(k: int, A: np.ndarray, b: np.ndarray, centre: np.ndarray) -> float:
    """Length / area / volume of the bounded ``{s : A s <= b}`` (containing a ball around `centre`)."""
    if k == 1:
        a = A[:, 0]
        pos, neg = a > 0, a < 0
        upper = np.min(b[pos] / a[pos])
        lower = np.max(b[neg] / a[neg])
        return float(upper - lower)
    ConvexHull, HalfspaceIntersection = _qhull()
    halfspaces = np.hstack([A, -b[:, None]])  # A s - b <= 0
    try:
        hs = HalfspaceIntersection(halfspaces, centre)
        return float(ConvexHull(hs.intersections).volume)
    except Exception as exc:  # Qhull's precision errors on near-degenerate vertices (QhullError)
        if type(exc).__name__ != "QhullError":
            raise
    # joggled input: Qhull perturbs the points by ~1e-11 (relative), far below the tests' tolerances
    hs = HalfspaceIntersection(halfspaces, centre, qhull_options="QJ")
    return float(ConvexHull(hs.intersections, qhull_options="QJ").volume)


def _is_bounded(A: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``{s : A s <= b}`` (non-empty) is bounded: its recession cone ``{d : A d <= 0}`` is ``{0}``,
    i.e. no direction ``d`` in the unit cube with ``A d <= 0`` has a coordinate above 1e-9 (2k bounded,
    feasible LPs)."""
    k = A.shape[1]
    for i in range(k):
        for sign in (1.0, -1.0):
            c = np.zeros(k)
            c[i] = -sign
            res = _solve(c, A_ub=A, b_ub=np.zeros(A.shape[0]), bounds=[(-1.0, 1.0)] * k)
            if res.status != 0:
                raise RuntimeError(f"reference: boundedness LP failed ({res.status}): {res.message}")
            if -res.fun > 1e-9:
                return False
    return True


def _regions_lp(net: Any, domain: Any, max_hidden: int) -> tuple[ReferenceRegions, int]:
    prog: _DenseProgram | _GraphProgram = (
        _GraphProgram(net, max_hidden) if _is_graph(net) else _DenseProgram(net, max_hidden)
    )
    fr = _frame(net, domain)
    k, nh = fr.k, int(net.num_hidden)
    widths = prog.widths
    offsets = np.concatenate([[0], np.cumsum(widths)])
    L = len(widths)
    tol = RADIUS_TOL * fr.scale
    cheb = _Chebyshev(k, RADIUS_CAP * fr.scale)
    out_p: list[np.ndarray] = []
    out_c: list[np.ndarray] = []
    out_r: list[float] = []
    out_m: list[float] = []
    out_bnd: list[bool] = []
    out_h: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    out_A: list[np.ndarray] = []
    out_cc: list[np.ndarray] = []
    out_E: list[np.ndarray] = []

    if fr.empty:
        centre, radius = np.zeros(k), -1.0
    else:
        centre, radius = cheb(fr.A, fr.b)
    if not radius > tol:  # the domain itself is (numerically) empty or lower-dimensional
        out = int(net.output_dim)
        empty = ReferenceRegions(
            np.zeros((0, nh), bool),
            np.zeros((0, k)),
            np.zeros((0, int(net.input_dim))),
            np.zeros(0),
            np.zeros(0),
            np.zeros(0, bool),
            (),
            (np.zeros((0, out, k)), np.zeros((0, out)), np.zeros((0, out))),
            fr.scale,
        )
        return empty, cheb.calls

    def finish_layer(l: int, maps: tuple[np.ndarray, ...], state: Any, node: _Node) -> None:
        bits, A, b = node.bits, node.A, node.b
        on = np.array(bits[len(bits) - widths[l] :], dtype=bool)
        nxt, state = prog.advance(l, state, maps, on)
        if l == L - 1:
            out_p.append(np.array(bits, dtype=bool))
            out_c.append(node.centre)
            out_r.append(node.r)
            bounded = fr.bounded or _is_bounded(A, b)
            out_bnd.append(bounded)
            out_m.append(_measure(k, A, b, node.centre) if bounded else np.inf)
            out_h.append((A, b, np.array(node.units, dtype=np.int64)))
            out_A.append(nxt[0])
            out_cc.append(nxt[1])
            out_E.append(nxt[3] + np.sum(nxt[2], axis=1))
            return
        visit(l + 1, 0, nxt, state, node)

    def visit(l: int, j: int, maps: tuple[np.ndarray, ...], state: Any, node: _Node) -> None:
        if j == widths[l]:
            finish_layer(l, maps, state, node)
            return
        Z, z, Zabs, zabs = maps
        a, c = Z[j], z[j]
        if _is_constant(a, Zabs[j]):
            # No constraint: on iff the constant is (beyond rounding) positive.
            visit(l, j + 1, maps, state, node._replace(bits=node.bits + [bool(c > ZERO_TOL * zabs[j])]))
            return
        n = float(np.linalg.norm(a))
        u, cu = a / n, c / n
        dist = float(u @ node.centre + cu)  # signed distance of the centre to the unit's hyperplane
        for on in (False, True):  # off first: depth-first order is then lexicographic
            # off: u.s + cu <= 0  ->  row ( u, -cu);  on: u.s + cu >= 0  ->  row (-u, cu)
            row, rhs = (u, -cu) if not on else (-u, cu)
            A2 = np.vstack([node.A, row[None, :]])
            b2 = np.append(node.b, rhs)
            side = dist if on else -dist
            if side >= node.r:  # the parent's ball lies on this side: it is the child's Chebyshev ball too
                c2, r2 = node.centre, node.r
            else:
                c2, r2 = cheb(A2, b2)
                if not r2 > tol:
                    continue
            visit(l, j + 1, maps, state, _Node(node.bits + [on], A2, b2, node.units + [int(offsets[l] + j)], c2, r2))

    first, state0 = prog.first((fr.W0, fr.b0, fr.W0abs, fr.b0abs))
    visit(0, 0, first, state0, _Node([], fr.A, fr.b, [-1] * fr.A.shape[0], centre, radius))

    P = np.array(out_p, dtype=bool).reshape(-1, nh)
    order = np.lexsort(P.T[::-1])
    P = P[order]
    C = np.array(out_c, dtype=np.float64).reshape(-1, k)[order]
    R = np.array(out_r)[order]
    M = np.array(out_m)[order]
    B = np.array(out_bnd, dtype=bool)[order]
    Hs = tuple(out_h[i] for i in order)
    Aff = (_ro(np.array(out_A)[order]), _ro(np.array(out_cc)[order]), _ro(np.array(out_E)[order]))
    X = fr.origin + C @ fr.basis.T
    return ReferenceRegions(_ro(P), _ro(C), _ro(X), _ro(R), _ro(M), _ro(B), Hs, Aff, fr.scale), cheb.calls


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


# ---------------------------------------------------------------------------------------- breakpoints
def _interval(net: Any, domain: Any) -> tuple[np.ndarray, np.ndarray, float, float]:
    """``(origin, direction, lo, hi)`` of a bounded 1-D parametrized domain."""
    if not _parametrized(domain) or parametrize(domain)[2].size != 1:
        raise ValueError(
            "the breakpoint method needs a 1-D Segment or Box, "
            f"got {type(domain).__name__} of dimension {getattr(domain, 'dim', '?')}"
        )
    origin, basis, lo, hi = parametrize(domain)
    if origin.size != net.input_dim:
        raise ValueError(f"the domain lies in R^{origin.size} but the network has {net.input_dim} inputs")
    return origin, basis.reshape(-1), float(lo.reshape(-1)[0]), float(hi.reshape(-1)[0])


def _maps_at(
    Ws: list[np.ndarray], bs: list[np.ndarray], slopes: list[float], origin: np.ndarray, direction: np.ndarray, t: float
) -> tuple[np.ndarray, list[tuple[np.ndarray, ...]], tuple[np.ndarray, ...]]:
    """Pattern at ``t`` and, under that pattern, every layer's maps ``a t + c`` (with magnitudes) and the
    output map."""
    H = (Ws[0] @ direction)[:, None]
    h = Ws[0] @ origin + bs[0]
    Habs = (np.abs(Ws[0]) @ np.abs(direction))[:, None]
    habs = np.abs(Ws[0]) @ np.abs(origin) + np.abs(bs[0])
    maps: tuple[np.ndarray, ...] = (H, h, Habs, habs)
    layers: list[tuple[np.ndarray, ...]] = []
    bits = []
    for l in range(len(Ws) - 1):
        Z, z, Zabs, zabs = maps
        layers.append(maps)
        on = np.empty(Z.shape[0], dtype=bool)
        for j in range(Z.shape[0]):
            if _is_constant(Z[j], Zabs[j]):
                on[j] = z[j] > ZERO_TOL * zabs[j]
            else:
                on[j] = Z[j, 0] * t + z[j] > 0
        bits.append(on)
        f = np.where(on, 1.0, slopes[l])
        maps = _layer_maps(Ws[l + 1], bs[l + 1], f[:, None] * Z, f * z, np.abs(f)[:, None] * Zabs, np.abs(f) * zabs)
    return np.concatenate(bits), layers, maps


def _pieces_1d(net: Any, domain: Any, max_hidden: int) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, ...]]]:
    Ws, bs, slopes = _network_arrays(net, max_hidden)
    origin, direction, lo, hi = _interval(net, domain)
    gap = 2.0 * RADIUS_TOL * (hi - lo)  # pieces no longer than this are not regions (radius <= RADIUS_TOL)
    bps = [lo, hi]
    for _ in range(100_000):
        new: list[float] = []
        for p, q in zip(bps[:-1], bps[1:]):
            _, layers, _ = _maps_at(Ws, bs, slopes, origin, direction, 0.5 * (p + q))
            roots = []
            for Z, z, Zabs, _za in layers:
                for j in range(Z.shape[0]):
                    if not _is_constant(Z[j], Zabs[j]):
                        t = -z[j] / Z[j, 0]
                        if p + gap < t < q - gap:
                            roots.append(float(t))
            last = p
            for t in sorted(roots):  # keep roots at least `gap` apart (rounding twins of one breakpoint)
                if t - last > gap:
                    new.append(t)
                    last = t
        if not new:
            break
        bps = sorted(bps + new)
    else:  # pragma: no cover
        raise RuntimeError("reference: breakpoint iteration did not converge")
    pats, outs = [], []
    for p, q in zip(bps[:-1], bps[1:]):
        pat, _, out = _maps_at(Ws, bs, slopes, origin, direction, 0.5 * (p + q))
        pats.append(pat)
        outs.append(out)
    # Merge neighbours with equal patterns (a unit may touch zero without crossing).
    keep = [0]
    for i in range(1, len(pats)):
        if np.array_equal(pats[i], pats[keep[-1]]):
            continue
        keep.append(i)
    breaks = np.array([bps[i] for i in keep] + [hi])
    P = np.array([pats[i] for i in keep], dtype=bool).reshape(len(keep), -1)
    if len({p.tobytes() for p in P}) != len(P):  # a region is convex, so one interval per pattern
        raise RuntimeError("reference: a pattern occurs on two separate intervals (numerical trouble)")
    return breaks, P, [outs[i] for i in keep]


def breakpoints_1d(net: Any, domain: Any, *, max_hidden: int = MAX_HIDDEN) -> tuple[np.ndarray, np.ndarray]:
    """Regions along a 1-D domain (``Segment`` or 1-D ``Box``) by exact breakpoint iteration.

    Returns ``(breakpoints, patterns)``: ``breakpoints`` ``(R + 1,)`` increasing in domain coordinates from
    ``lo`` to ``hi``; ``patterns`` ``(R, num_hidden)`` bool, the pattern on each piece (neighbours differ).
    """
    breaks, P, _ = _pieces_1d(net, domain, max_hidden)
    return _ro(breaks), _ro(P)


def linear_regions_1d(net: Any, domain: Any, *, max_hidden: int = MAX_HIDDEN) -> int:
    """Number of maximal linear pieces of the network along a 1-D domain (by the breakpoint method):
    neighbouring activation regions are merged when their output affine maps are equal within
    :data:`LINEAR_TOL`."""
    _, _, outs = _pieces_1d(net, domain, max_hidden)
    n = 1
    for prev, cur in zip(outs[:-1], outs[1:]):
        J1, J2 = prev[0][:, 0], cur[0][:, 0]
        Jabs = np.maximum(prev[2][:, 0], cur[2][:, 0])
        bound = LINEAR_TOL * np.maximum(np.abs(J1), np.abs(J2)) + ZERO_TOL * Jabs
        if np.any(np.abs(J1 - J2) > bound):
            n += 1
    return n


# -------------------------------------------------------------------------------------------- entry
def _method(net: Any, domain: Any, method: str) -> str:
    if method not in ("auto", "lp", "breakpoints"):
        raise ValueError(f"method must be 'auto', 'lp' or 'breakpoints', got {method!r}")
    one_d = _parametrized(domain) and parametrize(domain)[2].size == 1
    if method == "auto" and _is_graph(net):
        return "lp"
    if method == "breakpoints" and _is_graph(net):
        raise ValueError("method='breakpoints' is for dense chains; use method='lp' for a layered graph")
    if method == "breakpoints" and not one_d:
        raise ValueError("method='breakpoints' needs a 1-D Segment or Box")
    if method == "auto":
        return "breakpoints" if one_d else "lp"
    return method


def regions(net: Any, domain: Any, *, method: str = "lp", max_hidden: int = MAX_HIDDEN) -> ReferenceRegions:
    """All regions of `net` on `domain` (see the module docstring for the definitions).

    ``method="lp"`` (default): the LP brute force, any domain. ``"breakpoints"``: the 1-D breakpoint
    iteration (coords = interval midpoints, radii = half-lengths, measures = lengths). ``"auto"``: the
    breakpoints for 1-D Segment/Box domains, the LP otherwise.
    """
    if _method(net, domain, method) == "lp":
        return _regions_lp(net, domain, max_hidden)[0]
    breaks, P, _ = _pieces_1d(net, domain, max_hidden)
    origin, direction, _, _ = _interval(net, domain)
    mids = 0.5 * (breaks[:-1] + breaks[1:])
    order = np.lexsort(P.T[::-1])
    P, mids = P[order], mids[order]
    lengths = np.diff(breaks)[order]
    C = mids[:, None]
    X = origin + C * direction
    return ReferenceRegions(_ro(P), _ro(C), _ro(X), _ro(0.5 * lengths), _ro(lengths))


def count(net: Any, domain: Any, method: str = "auto", *, max_hidden: int = MAX_HIDDEN) -> int:
    """Number of regions of `net` on `domain` (``method`` as in :func:`regions`; "auto" by default)."""
    if _method(net, domain, method) == "lp":
        return _regions_lp(net, domain, max_hidden)[0].count
    return int(breakpoints_1d(net, domain, max_hidden=max_hidden)[1].shape[0])


# ------------------------------------------------------------------------------------- forward, locate
def forward(net: Any, X: Any) -> np.ndarray:
    """The network's outputs ``(n, output_dim)`` at input points `X` ``(n, input_dim)`` (NumPy)."""
    if _is_graph(net):
        return _graph_points(net, X)[0]
    Ws, bs, slopes = _network_arrays(net, max_hidden=10**9)
    h = np.asarray(X, dtype=np.float64).reshape(-1, int(net.input_dim))
    for W, b, slope in zip(Ws[:-1], bs[:-1], slopes):
        z = h @ W.T + b
        h = np.where(z > 0, z, slope * z)
    return h @ Ws[-1].T + bs[-1]


def _in_domain(domain: Any, X: np.ndarray, rtol: float = 1e-9) -> np.ndarray:
    """Whether each input point lies in the domain (within `rtol` of its size), by the reference's own
    description of the domain."""
    if type(domain).__name__ == "Space":
        return np.all(np.isfinite(X), axis=1)
    if hasattr(domain, "A"):
        A, b = np.asarray(domain.A, dtype=np.float64), np.asarray(domain.b, dtype=np.float64)
        norms = np.linalg.norm(A, axis=1)
        return np.all(X @ A.T - b <= rtol * norms * (1.0 + np.abs(X).max(axis=1, keepdims=True)), axis=1)
    origin, basis, lo, hi = parametrize(domain)
    s, *_ = np.linalg.lstsq(basis, (X - origin).T, rcond=None)
    s = s.T
    size = float(np.max(hi - lo))
    on_span = np.linalg.norm(origin + s @ basis.T - X, axis=1) <= rtol * max(
        1.0, size * float(np.abs(basis).max()) + float(np.abs(origin).max())
    )
    return on_span & np.all((s >= lo - rtol * size) & (s <= hi + rtol * size), axis=1)


def locate(res: ReferenceRegions, net: Any, domain: Any, X: Any) -> np.ndarray:
    """Index (into `res`) of the region of each input point of `X` ``(n, input_dim)``: the region whose
    pattern is the point's (own forward pass); -1 outside the domain or if no region has the pattern (a
    point on a boundary whose pattern belongs to no full-dimensional region)."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, int(net.input_dim))
    index = {p.tobytes(): i for i, p in enumerate(np.asarray(res.patterns, dtype=bool))}
    P = activation_patterns(net, X)
    idx = np.array([index.get(p.tobytes(), -1) for p in P], dtype=np.int64)
    return np.where(_in_domain(domain, X), idx, -1)


# --------------------------------------------------------------------------- facets and adjacency
def _dedupe_rows(A: np.ndarray, b: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit rows without repeats (the first copy of coincident rows is kept: the domain's before units')."""
    keep: list[int] = []
    for i in range(A.shape[0]):
        if not any(
            np.max(np.abs(A[i] - A[j])) <= 1e-12 and abs(b[i] - b[j]) <= 1e-12 * (1.0 + abs(b[i])) for j in keep
        ):
            keep.append(i)
    return A[keep], b[keep], units[keep]


def vertices(res: ReferenceRegions, r: int) -> np.ndarray:
    """Vertices ``(V, k)`` of the bounded region `r` in domain coordinates (Qhull's halfspace
    intersection from the region's Chebyshev centre; the two end points in 1-D)."""
    if not res.halfspaces:
        raise ValueError("vertices need regions found by the LP method")
    if res.bounded is not None and not res.bounded[r]:
        raise ValueError(f"region {r} is unbounded")
    A, b, _ = res.halfspaces[r]
    if A.shape[1] == 1:
        a = A[:, 0]
        return np.array([[np.max(b[a < 0] / a[a < 0])], [np.min(b[a > 0] / a[a > 0])]])
    _, HalfspaceIntersection = _qhull()
    return np.asarray(HalfspaceIntersection(np.hstack([A, -b[:, None]]), np.asarray(res.coords[r])).intersections)


def facets(res: ReferenceRegions, r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-redundant H-representation ``(A, b, units)`` of region `r` (unit rows, domain coordinates,
    ``A s <= b``). A bounded region's facets are the rows whose plane holds vertices spanning k - 1
    dimensions (Qhull's vertices, :func:`vertices`); an unbounded region's, the rows that one linear
    program each (maximize the row over the others, within a box of half-side ``1e6 * scale``) finds
    not redundant. ``units`` as in ``halfspaces``."""
    if not res.halfspaces:
        raise ValueError("facets need regions found by the LP method")
    A, b, units = _dedupe_rows(*res.halfspaces[r])
    k = A.shape[1]
    tol = FACET_TOL * res.scale
    keep = []
    if res.bounded is None or res.bounded[r]:
        V = vertices(res, r)
        for i in range(A.shape[0]):
            on = V[np.abs(V @ A[i] - b[i]) <= tol]
            if len(on) and (k == 1 or np.linalg.matrix_rank(on - on.mean(axis=0), tol=tol) == k - 1):
                keep.append(i)
        return A[keep], b[keep], units[keep]
    # Unbounded: the LPs are kept bounded by a box of half-side 1e6 * scale around the region's centre
    # (HiGHS does not always tell unbounded from infeasible); every facet of the networks' regions
    # reaches into it.
    centre, half = np.asarray(res.coords[r]), 1e6 * res.scale
    bounds = [(c - half, c + half) for c in centre]
    for i in range(A.shape[0]):
        others = np.arange(A.shape[0]) != i
        sol = _solve(-A[i], A_ub=A[others], b_ub=b[others], bounds=bounds)
        if sol.status != 0:
            raise RuntimeError(f"reference: redundancy LP failed ({sol.status}): {sol.message}")
        if -sol.fun > b[i] + tol:
            keep.append(i)
    return A[keep], b[keep], units[keep]


def _facet_ball(A: np.ndarray, b: np.ndarray, n: np.ndarray, beta: float, cap: float) -> float:
    """Radius of the largest (k-1)-ball in ``{s : n.s = beta, A s <= b}`` (rows of A not on the plane)."""
    k = A.shape[1]
    # the component of each row along the plane (its distance rate within the plane)
    proj = np.linalg.norm(A - np.outer(A @ n, n), axis=1)
    cost = np.zeros(k + 1)
    cost[-1] = -1.0
    sol = _solve(
        cost,
        A_ub=np.hstack([A, proj[:, None]]),
        b_ub=b,
        A_eq=np.append(n, 0.0)[None, :],
        b_eq=[beta],
        bounds=[(None, None)] * k + [(None, cap)],
    )
    if sol.status == 2:
        return -1.0
    if sol.status != 0:
        raise RuntimeError(f"reference: facet LP failed ({sol.status}): {sol.message}")
    return float(-sol.fun)


def adjacency(res: ReferenceRegions) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, sorted, of regions whose closures share a piece of a hyperplane with
    a (k-1)-dimensional ball of radius above ``FACET_TOL * scale``: one LP per candidate pair (opposite
    facets on the same hyperplane whose vertices' bounding boxes overlap)."""
    if res.count == 0:
        return np.zeros((0, 2), dtype=np.int64)
    k = res.coords.shape[1]
    tol = FACET_TOL * res.scale
    F = [facets(res, r) for r in range(res.count)]
    owner = np.concatenate([np.full(len(f[1]), r) for r, f in enumerate(F)])
    N = np.vstack([f[0] for f in F])
    B = np.concatenate([f[1] for f in F])
    lo = np.full((len(B), k), -np.inf)
    hi = np.full((len(B), k), np.inf)
    on_facet: list[np.ndarray | None] = []
    e = 0
    for r, f in enumerate(F):
        V = vertices(res, r) if res.bounded is None or res.bounded[r] else None
        for i in range(len(f[1])):
            on = None if V is None else V[np.abs(V @ f[0][i] - f[1][i]) <= tol]
            on_facet.append(on)
            if on is not None:
                lo[e], hi[e] = on.min(axis=0), on.max(axis=0)
            e += 1

    def separated(i: int, j: int, e: int, f: int) -> bool:
        # a row of one region with the other's facet vertices all on or beyond it: no common interior
        for (A, b), V in (((F[i][0], F[i][1]), on_facet[f]), ((F[j][0], F[j][1]), on_facet[e])):
            if V is not None and np.any(np.all(V @ A.T - b >= -tol, axis=0) & (np.abs(np.abs(A @ N[e]) - 1.0) > 1e-9)):
                return True
        return False

    cap = RADIUS_CAP * res.scale
    pairs = set()
    for e in range(len(B)):
        i = int(owner[e])
        # facets of later regions on the same hyperplane, facing the other way, boxes overlapping
        cand = np.flatnonzero(
            (owner > i)
            & (np.max(np.abs(N + N[e]), axis=1) <= 1e-9)
            & (np.abs(B + B[e]) <= 1e-9 * (1.0 + abs(B[e])))
            & np.all(lo <= hi[e] + tol, axis=1)
            & np.all(hi >= lo[e] - tol, axis=1)
        )
        for fe in cand:
            j = int(owner[fe])
            if (i, j) in pairs or separated(i, j, e, int(fe)):
                continue
            A = np.vstack([F[i][0], F[j][0]])
            b = np.concatenate([F[i][1], F[j][1]])
            on_plane = (np.abs(np.abs(A @ N[e]) - 1.0) <= 1e-9) & (
                np.abs(np.abs(b) - abs(B[e])) <= 1e-9 * (1.0 + abs(B[e]))
            )
            if _facet_ball(A[~on_plane], b[~on_plane], N[e], float(B[e]), cap) > tol:
                pairs.add((i, j))
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def maps_equal(res: ReferenceRegions, i: int, j: int) -> bool:
    """Whether regions i and j have the same output affine map: in every output, the summed absolute
    differences of the coefficients are at most ``LINEAR_TOL`` times their magnitude plus ``ZERO_TOL``
    times the bound on the summed terms (rounding)."""
    if res.affine is None:
        raise ValueError("affine maps need regions found by the LP method")
    A, c, E = res.affine
    diff = np.sum(np.abs(A[i] - A[j]), axis=1) + np.abs(c[i] - c[j])
    mag = np.sum(np.abs(A[i]) + np.abs(A[j]), axis=1) + np.abs(c[i]) + np.abs(c[j])
    return bool(np.all(diff <= LINEAR_TOL * mag + ZERO_TOL * (E[i] + E[j])))


def linear_regions(res: ReferenceRegions, pairs: np.ndarray | None = None) -> np.ndarray:
    """Labels ``(R,)`` of the maximal linear regions: connected unions of adjacent regions (see
    :func:`adjacency`, or the given `pairs`) with equal maps (:func:`maps_equal`), numbered by first region."""
    pairs = adjacency(res) if pairs is None else np.asarray(pairs)
    parent = list(range(res.count))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, j in pairs:
        if maps_equal(res, int(i), int(j)):
            ri, rj = find(int(i)), find(int(j))
            parent[max(ri, rj)] = min(ri, rj)
    labels, ids = np.zeros(res.count, dtype=np.int64), dict[Any, int]()
    for r in range(res.count):
        labels[r] = ids.setdefault(find(r), len(ids))
    return labels
