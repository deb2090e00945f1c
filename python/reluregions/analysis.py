"""Regions near data: counts along segments and planes through data points, exact local complexity
around points, the distance from a point to its region's boundary, which regions the data occupies, and
region statistics tracked during training.

Every per-point, per-segment and per-plane loop runs in the C++ core, one call per batch, on threads with
the GIL released; results do not depend on the number of threads. Counts are exact for the network as
given (the same engines as :func:`reluregions.count`); patterns of points are decided exactly (a float64
pass with a rigorous error bound, rationals when it cannot settle a sign).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _core
from .domains import Box, Plane, Space
from .network import Network, _as_float_array
from .regions import Regions

__all__ = [
    "DensityResult",
    "DistanceResult",
    "LocalComplexity",
    "Occupancy",
    "PlaneCounts",
    "RegionTracker",
    "SegmentCounts",
    "along_planes",
    "along_segments",
    "density_along",
    "distance_to_boundary",
    "local_count",
    "neighbourhood",
    "occupancy",
    "planes_through",
]

#: Largest dimension of a cross-polytope neighbourhood (it has 2^k facets).
MAX_CROSS_DIM = 12
_MAX_THREADS = 4096


# ------------------------------------------------------------------------------------ checking
def _network(net: Any) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"expected a reluregions.Network, got {type(net).__name__} (see Network.from_torch)")
    return net


def _points(net: Network, X: Any, what: str = "X", min_rows: int = 1) -> np.ndarray:
    """`X` as a C-contiguous float64 ``(n, input_dim)`` array: numeric, finite, at least `min_rows` rows."""
    arr = _as_float_array(X, what, 2)
    if arr.shape[1] != net.input_dim:
        raise ValueError(f"{what} must have shape (n, {net.input_dim}) for this network, got {arr.shape}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{what} needs at least {min_rows} points, got shape {arr.shape}")
    return arr


def _threads(threads: Any) -> int:
    """0 (all cores) for None, else a positive integer."""
    if threads is None:
        return 0
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be a positive integer or None (all cores), got {threads!r}")
    if threads > _MAX_THREADS:
        raise ValueError(f"threads={int(threads)} is too large (at most {_MAX_THREADS})")
    return int(threads)


def _count(value: Any, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _radius(radius: Any) -> float:
    if isinstance(radius, (bool, np.bool_)) or not isinstance(radius, (int, float, np.integer, np.floating)):
        raise TypeError(f"radius must be a number, got {type(radius).__name__}")
    r = float(radius)
    if not (np.isfinite(r) and r > 0):
        raise ValueError(f"radius must be a positive finite number, got {radius!r}")
    return r


def _rng(rng: Any) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _summary(values: np.ndarray) -> dict[str, float]:
    """Mean, standard deviation, standard error of the mean and median of finite `values`."""
    v = np.asarray(values, dtype=np.float64)
    n = v.size
    if n == 0:
        return {"mean": float("nan"), "std": float("nan"), "sem": float("nan"), "median": float("nan"), "n": 0}
    std = float(v.std(ddof=1)) if n > 1 else 0.0
    return {"mean": float(v.mean()), "std": std, "sem": std / np.sqrt(n), "median": float(np.median(v)), "n": n}


# ------------------------------------------------------------------------------ through data
@dataclass
class SegmentCounts:
    """Regions on segments ``A[i] -> B[i]`` (each parametrized as :class:`~reluregions.Segment`).

    Attributes
    ----------
    counts : ndarray of int64, shape (n,)
        Activation regions on each segment (exact; equal to ``count(net, Segment(A[i], B[i]))``).
    lengths : ndarray of float64, shape (n,)
        Euclidean length of each segment.
    breakpoints_flat, offsets : ndarray or None
        With ``breakpoints=True``: the breakpoints of segment ``i`` (its ``t`` in (0, 1) where the
        pattern changes, float64 positions of the exact points) are
        ``breakpoints_flat[offsets[i]:offsets[i + 1]]``; see :meth:`breakpoints`.
    """

    counts: np.ndarray
    lengths: np.ndarray
    breakpoints_flat: np.ndarray | None = None
    offsets: np.ndarray | None = None

    @property
    def density(self) -> np.ndarray:
        """Breakpoints per unit length, ``(counts - 1) / lengths`` (region boundaries crossed per unit
        of Euclidean length: the quantity whose mean Hanin & Rolnick bound)."""
        return (self.counts - 1) / self.lengths

    def breakpoints(self, i: int) -> np.ndarray:
        """The breakpoints ``t`` of segment `i` (needs ``breakpoints=True``)."""
        if self.breakpoints_flat is None or self.offsets is None:
            raise ValueError("breakpoints were not computed: call along_segments(..., breakpoints=True)")
        return self.breakpoints_flat[self.offsets[i] : self.offsets[i + 1]]


def along_segments(
    net: Network, A: Any, B: Any, *, breakpoints: bool = False, threads: int | None = None
) -> SegmentCounts:
    """Exact region counts on the segments from ``A[i]`` to ``B[i]``, batched (interval engine, threads).

    Parameters
    ----------
    net : Network
    A, B : array_like, shape (n, input_dim)
        Start and end points; ``A[i] != B[i]``.
    breakpoints : bool
        Also return the breakpoints of every segment.
    threads : int, optional
        Worker threads (default: all cores). The results do not depend on it.

    Returns
    -------
    SegmentCounts
    """
    net = _network(net)
    P = _points(net, A, "A")
    Q = _points(net, B, "B")
    if P.shape != Q.shape:
        raise ValueError(f"A and B must have the same shape, got {P.shape} and {Q.shape}")
    D = Q - P  # as Segment(a, b) computes its direction
    same = ~np.any(D != 0, axis=1)
    if same.any():
        raise ValueError(f"segment {int(np.argmax(same))}: A and B coincide (zero-length segment)")
    n = P.shape[0]
    raw = _core.batch_count(
        net._core, P, D[:, :, None], np.zeros((n, 1)), np.ones((n, 1)), _threads(threads), bool(breakpoints)
    )
    out = SegmentCounts(np.asarray(raw["counts"], dtype=np.int64), np.linalg.norm(D, axis=1))
    if breakpoints:
        out.breakpoints_flat, out.offsets = raw["breakpoints"], raw["offsets"]
    return out


def _pairs(X: np.ndarray, n_pairs: int, rng: np.random.Generator) -> np.ndarray:
    """`n_pairs` pairs of indices of distinct points of `X`."""
    n = X.shape[0]
    distinct = np.unique(X, axis=0).shape[0]
    if distinct < 2:
        raise ValueError("X needs at least two distinct points to draw segments between them")
    pairs = np.zeros((0, 2), dtype=np.int64)
    while pairs.shape[0] < n_pairs:
        cand = rng.integers(0, n, size=(2 * (n_pairs - pairs.shape[0]) + 8, 2))
        cand = cand[np.any(X[cand[:, 0]] != X[cand[:, 1]], axis=1)]
        pairs = np.concatenate([pairs, cand])[:n_pairs]
    return pairs


@dataclass
class DensityResult:
    """Regions along segments between random pairs of data points (:func:`density_along`).

    ``pairs[i]`` are the indices of the endpoints of segment ``i``; ``segments`` its counts and lengths;
    ``density`` its breakpoints per unit length; ``summary`` the mean, std, sem, median of the density.
    """

    pairs: np.ndarray
    segments: SegmentCounts
    summary: dict[str, float] = field(default_factory=dict)

    @property
    def density(self) -> np.ndarray:
        return self.segments.density


def density_along(net: Network, X: Any, n_pairs: int, rng: Any = None, *, threads: int | None = None) -> DensityResult:
    """Regions per unit length on segments between random pairs of data points (Hanin & Rolnick 2019).

    Parameters
    ----------
    net : Network
    X : array_like, shape (n, input_dim)
        Data points (at least two distinct ones).
    n_pairs : int
        Number of segments ``X[i] -> X[j]``, ``i`` and ``j`` drawn uniformly with ``X[i] != X[j]``.
    rng : numpy.random.Generator or seed, optional
        Makes the pairs reproducible.
    threads : int, optional

    Returns
    -------
    DensityResult
        Per segment: exact counts and lengths (``segments``), ``density = (counts - 1) / length``
        (breakpoints per unit length); ``summary``: its mean, standard deviation, standard error, median.
    """
    net = _network(net)
    P = _points(net, X, "X", min_rows=2)
    pairs = _pairs(P, _count(n_pairs, "n_pairs"), _rng(rng))
    seg = along_segments(net, P[pairs[:, 0]], P[pairs[:, 1]], threads=threads)
    return DensityResult(pairs, seg, _summary(seg.density))


@dataclass
class PlaneCounts:
    """Regions on rectangles ``origins[i] + s u[i] + t v[i]``, ``s`` in ``s_ranges[i]``, ``t`` in
    ``t_ranges[i]`` (:func:`along_planes`, :func:`planes_through`).

    ``counts`` are exact (equal to ``count(net, self.plane(i))``); ``areas`` the Euclidean areas (for
    orthonormal ``u``, ``v``); ``density = counts / areas``; ``triples`` the data indices (planes_through).
    """

    counts: np.ndarray
    origins: np.ndarray
    u: np.ndarray
    v: np.ndarray
    s_ranges: np.ndarray
    t_ranges: np.ndarray
    triples: np.ndarray | None = None
    summary: dict[str, float] = field(default_factory=dict)

    @property
    def areas(self) -> np.ndarray:
        side_s = self.s_ranges[:, 1] - self.s_ranges[:, 0]
        side_t = self.t_ranges[:, 1] - self.t_ranges[:, 0]
        cross = (
            np.linalg.norm(self.u, axis=1) ** 2 * np.linalg.norm(self.v, axis=1) ** 2
            - np.sum(self.u * self.v, axis=1) ** 2
        )
        return side_s * side_t * np.sqrt(np.maximum(cross, 0.0))

    @property
    def density(self) -> np.ndarray:
        """Regions per unit area."""
        return self.counts / self.areas

    def plane(self, i: int) -> Plane:
        """Plane ``i`` as a :class:`~reluregions.Plane` (for :func:`~reluregions.regions`, plots)."""
        return Plane(self.origins[i], self.u[i], self.v[i], tuple(self.s_ranges[i]), tuple(self.t_ranges[i]))


def along_planes(
    net: Network, origins: Any, u: Any, v: Any, s_ranges: Any, t_ranges: Any, *, threads: int | None = None
) -> PlaneCounts:
    """Exact region counts on the rectangles ``origins[i] + s u[i] + t v[i]`` (polygon engine, batched).

    ``origins``, ``u``, ``v``: ``(n, input_dim)``; ``s_ranges``, ``t_ranges``: ``(n, 2)`` with lo < hi.
    Each rectangle is the domain of ``Plane(origins[i], u[i], v[i], s_ranges[i], t_ranges[i])``.
    """
    net = _network(net)
    if net.input_dim < 2:
        raise ValueError("planes need a network with at least 2 inputs")
    O = _points(net, origins, "origins")
    U = _points(net, u, "u")
    V = _points(net, v, "v")
    n = O.shape[0]
    if U.shape != O.shape or V.shape != O.shape:
        raise ValueError(f"origins, u and v must have the same shape, got {O.shape}, {U.shape}, {V.shape}")
    S = np.ascontiguousarray(np.asarray(s_ranges, dtype=np.float64).reshape(n, 2))
    T = np.ascontiguousarray(np.asarray(t_ranges, dtype=np.float64).reshape(n, 2))
    for name, R in (("s_ranges", S), ("t_ranges", T)):
        bad = np.flatnonzero(~(np.isfinite(R).all(axis=1) & (R[:, 0] < R[:, 1])))
        if bad.size:
            raise ValueError(f"{name}[{int(bad[0])}] must be finite with lo < hi, got {R[bad[0]].tolist()}")
    degenerate = ~np.any(U != 0, axis=1) | ~np.any(V != 0, axis=1)
    if degenerate.any():
        raise ValueError(f"plane {int(np.argmax(degenerate))}: u and v must be non-zero")
    bases = np.ascontiguousarray(np.stack([U, V], axis=2))
    lo = np.stack([S[:, 0], T[:, 0]], axis=1)
    hi = np.stack([S[:, 1], T[:, 1]], axis=1)
    raw = _core.batch_count(net._core, O, bases, lo, hi, _threads(threads), False)
    out = PlaneCounts(np.asarray(raw["counts"], dtype=np.int64), O, U, V, S, T)
    out.summary = _summary(out.density)
    return out


def _planes_through(P0: np.ndarray, P1: np.ndarray, P2: np.ndarray, margin: float) -> tuple[np.ndarray, ...]:
    """Vectorized :meth:`Plane.through`: origins, u, v, s_ranges, t_ranges and which triples are usable
    (not collinear)."""
    e1 = P1 - P0
    n1 = np.linalg.norm(e1, axis=1)
    ok = n1 > 0
    u = e1 / np.where(ok, n1, 1.0)[:, None]
    q = P2 - P0
    w = q - np.sum(q * u, axis=1)[:, None] * u
    n2 = np.linalg.norm(w, axis=1)
    ok &= n2 > 1e-12 * np.maximum(n1, np.linalg.norm(q, axis=1))
    v = w / np.where(ok, n2, 1.0)[:, None]
    xs = np.stack([np.zeros_like(n1), n1, np.sum(q * u, axis=1)], axis=1)
    ys = np.stack([np.zeros_like(n1), np.zeros_like(n1), n2], axis=1)
    lo = np.stack([xs.min(axis=1), ys.min(axis=1)], axis=1)
    hi = np.stack([xs.max(axis=1), ys.max(axis=1)], axis=1)
    pad = margin * (hi - lo)
    return (
        P0,
        u,
        v,
        np.stack([lo[:, 0] - pad[:, 0], hi[:, 0] + pad[:, 0]], axis=1),
        (np.stack([lo[:, 1] - pad[:, 1], hi[:, 1] + pad[:, 1]], axis=1)),
        ok,
    )


def planes_through(
    net: Network, X: Any, n_triples: int, margin: float = 0.1, rng: Any = None, *, threads: int | None = None
) -> PlaneCounts:
    """Exact region counts on planes through random triples of data points.

    Each plane is built as :meth:`Plane.through` builds it (orthonormal ``u`` along ``X[j] - X[i]``, the
    rectangle the triple's bounding box in plane coordinates enlarged by `margin` on every side);
    collinear triples are redrawn. ``result.triples`` holds the indices, ``result.plane(i)`` the plane.
    """
    net = _network(net)
    P = _points(net, X, "X", min_rows=3)
    if net.input_dim < 2:
        raise ValueError("planes need a network with at least 2 inputs")
    if not (np.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin must be finite and >= 0, got {margin}")
    n_triples = _count(n_triples, "n_triples")
    gen = _rng(rng)
    n = P.shape[0]
    triples = np.zeros((0, 3), dtype=np.int64)
    parts: list[tuple[np.ndarray, ...]] = []
    for _ in range(100):
        need = n_triples - triples.shape[0]
        if need <= 0:
            break
        cand = gen.integers(0, n, size=(2 * need + 8, 3))
        *geom, ok = _planes_through(P[cand[:, 0]], P[cand[:, 1]], P[cand[:, 2]], float(margin))
        keep = np.flatnonzero(ok)[:need]
        triples = np.concatenate([triples, cand[keep]])
        parts.append(tuple(g[keep] for g in geom))
    if triples.shape[0] < n_triples:
        raise ValueError("could not draw enough non-collinear triples from X (are the points collinear?)")
    O, U, V, S, T = (np.concatenate([p[k] for p in parts]) for k in range(5))
    out = along_planes(net, O, U, V, S, T, threads=threads)
    out.triples = triples
    return out


# --------------------------------------------------------------------------- local complexity
@dataclass
class LocalComplexity:
    """Exact local complexity around points (:func:`local_count`).

    Attributes
    ----------
    counts : ndarray of int64, shape (n,)
        Activation regions meeting each neighbourhood ``X[i] + bases[i] @ a``, ``a`` in the
        cross-polytope ``||a||_1 <= radius`` or the cube ``||a||_inf <= radius`` of R^k (exact).
    proxy : ndarray of int64, shape (n,) or None
        Humayun et al.'s proxy: hidden units whose sign is not the same at all ``2k`` vertices
        ``X[i] +- radius * bases[i][:, j]`` of the cross-polytope (vertices rounded to float64, signs exact).
    bases : ndarray, shape (n, input_dim, k)
        The directions used (columns), orthonormal unless given.
    """

    counts: np.ndarray
    proxy: np.ndarray | None
    bases: np.ndarray
    radius: float
    shape: str


def _bases(n: int, d: int, k: int, directions: Any, gen: np.random.Generator) -> np.ndarray:
    """``(n, d, k)`` bases: `directions` broadcast (``(d, k)`` or ``(n, d, k)``), or random orthonormal."""
    if directions is None:
        G = gen.standard_normal((n, d, k))
        Q, R = np.linalg.qr(G)
        return np.ascontiguousarray(Q * np.sign(np.diagonal(R, axis1=1, axis2=2))[:, None, :])
    D = np.asarray(directions, dtype=np.float64)
    if D.shape == (d, k):
        D = np.broadcast_to(D, (n, d, k))
    if D.shape != (n, d, k):
        raise ValueError(f"directions must have shape ({d}, {k}) or ({n}, {d}, {k}), got {D.shape}")
    if not np.all(np.isfinite(D)):
        raise ValueError("directions has non-finite entries")
    if np.linalg.matrix_rank(D).min() < k:
        raise ValueError(f"directions must be {k} linearly independent columns for every point")
    return np.ascontiguousarray(D)


def local_count(
    net: Network,
    X: Any,
    radius: float,
    dim: int = 2,
    shape: str = "cross",
    rng: Any = None,
    *,
    directions: Any = None,
    proxy: bool = True,
    threads: int | None = None,
) -> LocalComplexity:
    """Exact local complexity: the number of regions meeting a small neighbourhood of every point.

    The neighbourhood of ``x`` is ``x + B a`` with ``B`` an orthonormal ``(input_dim, dim)`` basis of a
    random ``dim``-dimensional subspace (one per point, from `rng`) and ``a`` in the cross-polytope
    ``||a||_1 <= radius`` (``shape="cross"``, as Humayun et al.) or the cube ``||a||_inf <= radius``
    (``"box"``). ``dim=1`` is the segment ``x +- radius b`` (interval engine), ``dim=2`` with ``"box"`` a
    square (polygon engine); the rest go to the walk. ``dim = input_dim`` is a full neighbourhood.

    Parameters
    ----------
    net : Network
    X : array_like, shape (n, input_dim)
    radius : float
        Half-width of the neighbourhood, > 0, in the units of `directions` (Euclidean for the random
        orthonormal bases).
    dim : int
        k, 1 <= k <= input_dim (at most :data:`MAX_CROSS_DIM` for the cross-polytope, which has 2^k facets).
    shape : {"cross", "box"}
    rng : numpy.random.Generator or seed, optional
        Makes the bases reproducible.
    directions : array_like, optional
        The basis ``B`` instead of random ones: ``(input_dim, dim)`` for every point or
        ``(n, input_dim, dim)``; used as given (not orthonormalized).
    proxy : bool
        Also compute Humayun et al.'s proxy (units whose sign changes over the cross-polytope's vertices).
    threads : int, optional

    Returns
    -------
    LocalComplexity
    """
    net = _network(net)
    P = _points(net, X)
    d = net.input_dim
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)) or not 1 <= dim <= d:
        raise ValueError(f"dim must be an integer with 1 <= dim <= input_dim = {d}, got {dim!r}")
    if shape not in ("cross", "box"):
        raise ValueError(f"shape must be 'cross' or 'box', got {shape!r}")
    if shape == "cross" and dim > MAX_CROSS_DIM:
        raise ValueError(
            f"a {dim}-dimensional cross-polytope has 2^{dim} facets; use dim <= {MAX_CROSS_DIM} or shape='box'"
        )
    r = _radius(radius)
    t = _threads(threads)
    B = _bases(P.shape[0], d, int(dim), directions, _rng(rng))
    counts = np.asarray(_core.local_counts(net._core, P, B, r, shape == "cross", t), dtype=np.int64)
    prox = np.asarray(_core.proxy_counts(net._core, P, B, r, t), dtype=np.int64) if proxy else None
    return LocalComplexity(counts, prox, B, r, shape)


def neighbourhood(x: Any, basis: Any, radius: float, shape: str = "cross") -> tuple[np.ndarray, np.ndarray, Any]:
    """The neighbourhood of :func:`local_count` as ``(origin, basis, rows)`` for building it by hand:
    points ``origin + basis @ a`` with ``a`` in ``{a : rows[:, :-1] @ a <= rows[:, -1]}``."""
    B = np.asarray(basis, dtype=np.float64)
    k = B.shape[1]
    r = _radius(radius)
    if shape == "box":
        eye = np.eye(k)
        rows = np.concatenate([np.hstack([eye, np.full((k, 1), r)]), np.hstack([-eye, np.full((k, 1), r)])])
    else:
        signs = np.array([[1.0 if (s >> j) & 1 == 0 else -1.0 for j in range(k)] for s in range(2**k)])
        rows = np.hstack([signs, np.full((2**k, 1), r)])
    return np.asarray(x, dtype=np.float64), B, rows


# ----------------------------------------------------------------------- distance to boundary
@dataclass
class DistanceResult:
    """:func:`distance_to_boundary` with ``return_point=True``.

    ``distance[i]``: Euclidean distance from ``X[i]`` to the boundary of its activation region (0 on a
    boundary, inf when no hidden unit bounds the region); ``point[i]``: the nearest boundary point
    (``X[i]`` itself at distance 0, NaN when there is none); ``unit[i]``: the hidden unit (flat index)
    whose hyperplane carries it, -1 when there is none.
    """

    distance: np.ndarray
    point: np.ndarray
    unit: np.ndarray


def distance_to_boundary(
    net: Network, X: Any, return_point: bool = False, *, threads: int | None = None
) -> np.ndarray | DistanceResult:
    """The Euclidean distance from every point to the boundary of its activation region.

    For ``x`` inside its region the distance is ``min_i |z_i(x)| / ||grad z_i||`` over the hidden units
    that are not identically zero on the region, ``z_i`` the unit's affine map there (the region is the
    intersection of those half-spaces, so redundant ones are never closer). One forward pass per point
    with the units' gradients, in C++. The point's pattern is decided exactly (float64 with a rigorous
    error bound, rationals when needed): a point on a boundary (some unit exactly 0 there and not
    identically zero on the region) gives exactly 0. The distances themselves are float64 values.

    Parameters
    ----------
    net : Network
    X : array_like, shape (n, input_dim)
    return_point : bool
        Also return the nearest boundary point and its unit (a :class:`DistanceResult`).
    threads : int, optional

    Returns
    -------
    ndarray of float64, shape (n,), or DistanceResult
    """
    net = _network(net)
    P = _points(net, X)
    raw = _core.distance_to_boundary(net._core, P, bool(return_point), _threads(threads))
    if not return_point:
        return np.asarray(raw["distance"])
    return DistanceResult(np.asarray(raw["distance"]), np.asarray(raw["point"]), np.asarray(raw["unit"]))


# -------------------------------------------------------------------------------- occupancy
@dataclass
class Occupancy:
    """Activation patterns met by a data set (:func:`occupancy`).

    Attributes
    ----------
    patterns : ndarray of bool, shape (m, num_hidden)
        The distinct exact activation patterns of the points, in order of first occurrence.
    counts : ndarray of int64, shape (m,)
        Points with each pattern.
    labels : ndarray of int64, shape (n,)
        Index into `patterns` of every point.
    region_counts : ndarray of int64, shape (R,) or None
        With ``regions=``: the points in each region of the result (pattern equal and point in the
        result's domain).
    empty_regions : int or None
        With ``regions=``: the regions that hold no data point.
    """

    patterns: np.ndarray
    counts: np.ndarray
    labels: np.ndarray
    region_counts: np.ndarray | None = None
    empty_regions: int | None = None

    @property
    def num_patterns(self) -> int:
        return int(self.counts.size)


def occupancy(net: Network, X: Any, regions: Regions | None = None, *, threads: int | None = None) -> Occupancy:
    """The distinct activation patterns (regions of the whole input space) that the points of `X` fall
    in, how many points fall in each, and, for a :class:`~reluregions.Regions` result, how many of its
    regions hold no point.

    Patterns are exact. With ``regions=``, a point counts for region ``r`` when its pattern is
    ``regions.patterns[r]`` and it lies in the result's domain (boxes: exact comparisons; segments,
    planes and polytopes: ``domain.contains``, within its tolerance).
    """
    net = _network(net)
    P = _points(net, X)
    packed, unpacked, _ = _core.exact_patterns(net._core, P, _threads(threads))
    packed = np.asarray(packed)
    if packed.shape[1] == 0:
        packed = np.zeros((P.shape[0], 1), dtype=np.uint64)
    _, first, inverse, counts = np.unique(packed, axis=0, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first, kind="stable")  # patterns in order of first occurrence
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    labels = rank[np.asarray(inverse).reshape(-1)]
    out = Occupancy(np.asarray(unpacked)[first[order]], counts[order].astype(np.int64), labels.astype(np.int64))
    if regions is not None:
        if not isinstance(regions, Regions):
            raise TypeError(f"regions must be a reluregions.Regions result, got {type(regions).__name__}")
        if regions.network.widths != net.widths or regions.network.input_dim != net.input_dim:
            raise ValueError("regions was computed for a network of another architecture")
        dom = regions.domain
        if isinstance(dom, Box):
            inside = np.all((dom.lo <= P) & (dom.hi >= P), axis=1)
        elif isinstance(dom, Space):
            inside = np.ones(P.shape[0], dtype=bool)
        else:
            inside = np.asarray(dom.contains(P), dtype=bool).reshape(-1)
        idx = np.asarray(_core.locate_packed(np.asarray(regions._raw["packed"]), packed)) if regions.count else None
        region_counts = np.zeros(regions.count, dtype=np.int64)
        if idx is not None:
            hit = inside & (idx >= 0)
            np.add.at(region_counts, idx[hit], 1)
        out.region_counts = region_counts
        out.empty_regions = int(np.sum(region_counts == 0))
    return out


# --------------------------------------------------------------------------- during training
def _as_network(model: Any) -> Network:
    """A :class:`Network` copy of the weights of `model` (a Network, or a torch module)."""
    if isinstance(model, Network):
        if model.is_graph:  # a layered graph has no dense weights to copy (and a Network is not changed)
            return model
        return Network(list(model.weights), list(model.biases), list(model.activations), model._raw_slopes())
    try:
        import torch.nn as nn
    except ImportError:
        nn = None
    if nn is not None and isinstance(model, nn.Module):
        return Network.from_torch(model)
    raise TypeError(f"expected a reluregions.Network or a torch module, got {type(model).__name__}")


class RegionTracker:
    """Fixed probes measured on copies of a network's weights during training.

    The probes are fixed when the tracker is made: segments (``A[i] -> B[i]``), planes (a
    :class:`PlaneCounts` from :func:`planes_through` or :func:`along_planes`), neighbourhoods of named
    point sets (exact local counts and Humayun et al.'s proxy, with the random subspaces drawn once) and
    named point sets whose distance to the region boundary is measured. :meth:`measure` copies the
    weights (a :class:`Network` or a ``torch.nn.Sequential``) and records every probe; :meth:`step`
    does so on the scheduled steps only.

    Parameters
    ----------
    segments : tuple (A, B), optional
    planes : PlaneCounts, optional
    neighbourhoods : dict of name -> array (n, input_dim), optional
    radius, dim, shape : float, int, str
        The neighbourhoods' size and shape (see :func:`local_count`).
    distances : dict of name -> array (n, input_dim), optional
    every : int, optional
        Measure on every `every`-th step (``step % every == 0``).
    steps : sequence of int, optional
        Or exactly on these steps (e.g. log-spaced).
    rng : numpy.random.Generator or seed
        Draws the neighbourhoods' subspaces.
    threads : int, optional

    Examples
    --------
    >>> tracker = RegionTracker(neighbourhoods={"train": X[:200]}, radius=0.05, steps=[0, 10, 100])  # doctest: +SKIP
    >>> for step in range(101):                                                                   # doctest: +SKIP
    ...     train_step(model)
    ...     tracker.step(model, step)
    >>> tracker.to_pandas()                                                                        # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        segments: tuple[Any, Any] | None = None,
        planes: PlaneCounts | None = None,
        neighbourhoods: dict[str, Any] | None = None,
        radius: float = 0.1,
        dim: int = 2,
        shape: str = "cross",
        distances: dict[str, Any] | None = None,
        every: int | None = None,
        steps: Any = None,
        rng: Any = None,
        threads: int | None = None,
    ) -> None:
        if every is not None and steps is not None:
            raise ValueError("give every= or steps=, not both")
        self.every = None if every is None else _count(every, "every")
        self.steps = None if steps is None else sorted({int(s) for s in steps})
        self.segments = None if segments is None else tuple(np.asarray(v, dtype=np.float64) for v in segments)
        if planes is not None and not isinstance(planes, PlaneCounts):
            raise TypeError(
                f"planes must be a PlaneCounts (from planes_through or along_planes), got {type(planes).__name__}"
            )
        self.planes = planes
        self.radius = _radius(radius)
        if shape not in ("cross", "box"):
            raise ValueError(f"shape must be 'cross' or 'box', got {shape!r}")
        self.dim, self.shape, self.threads = int(dim), shape, threads
        gen = _rng(rng)
        self.neighbourhoods: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, X in (neighbourhoods or {}).items():
            P = np.asarray(X, dtype=np.float64)
            if P.ndim != 2 or P.shape[0] == 0:
                raise ValueError(f"neighbourhoods[{name!r}] must be a non-empty (n, input_dim) array, got {P.shape}")
            if not 1 <= self.dim <= P.shape[1]:
                raise ValueError(f"dim must be in 1..{P.shape[1]}, got {dim}")
            self.neighbourhoods[name] = (P, _bases(P.shape[0], P.shape[1], self.dim, None, gen))
        self.distances = {name: np.asarray(X, dtype=np.float64) for name, X in (distances or {}).items()}
        self.records: list[dict[str, Any]] = []

    def due(self, step: int) -> bool:
        """Whether `step` is a scheduled step."""
        if self.steps is not None:
            return int(step) in self.steps
        return self.every is None or int(step) % self.every == 0

    def step(self, model: Any, step: int) -> dict[str, Any] | None:
        """Measure at `step` if it is scheduled (see :meth:`due`); returns the record or None."""
        return self.measure(model, step) if self.due(step) else None

    def measure(self, model: Any, step: int) -> dict[str, Any]:
        """Measure every probe on a copy of `model`'s weights now; the record is appended to
        :attr:`records` and returned (arrays per probe, and their means)."""
        net = _as_network(model)
        rec: dict[str, Any] = {"step": int(step)}
        if self.segments is not None:
            seg = along_segments(net, *self.segments, threads=self.threads)
            rec["segment_regions"] = seg.counts
            rec["segment_density"] = seg.density
        if self.planes is not None:
            p = self.planes
            rec["plane_regions"] = along_planes(
                net, p.origins, p.u, p.v, p.s_ranges, p.t_ranges, threads=self.threads
            ).counts
        for name, (P, B) in self.neighbourhoods.items():
            lc = local_count(net, P, self.radius, self.dim, self.shape, directions=B, threads=self.threads)
            rec[f"local_{name}"] = lc.counts
            rec[f"proxy_{name}"] = lc.proxy
        for name, P in self.distances.items():
            rec[f"distance_{name}"] = distance_to_boundary(net, P, threads=self.threads)
        self.records.append(rec)
        return rec

    def table(self) -> dict[str, np.ndarray]:
        """One row per measurement: ``step`` and the mean of every probe (``<probe>_mean``)."""
        cols: dict[str, list[float]] = {"step": []}
        for rec in self.records:
            cols["step"].append(rec["step"])
            for key, val in rec.items():
                if key != "step":
                    cols.setdefault(f"{key}_mean", []).append(float(np.mean(val)))
        return {k: np.asarray(v) for k, v in cols.items()}

    def to_pandas(self) -> Any:
        """:meth:`table` as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("RegionTracker.to_pandas needs pandas: pip install pandas") from None
        return pd.DataFrame(self.table())
