"""Domains: where in input space the regions are counted.

Every domain used by the 1-D and 2-D engines has an affine parametrization ``x = origin + basis @ s``
with ``s`` in the box ``[lo, hi]`` of domain coordinates (``t`` for a segment, ``(s, t)`` for a plane).
The engines fold it into the network's first layer, so they only ever see a 1- or 2-input network.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _core

__all__ = ["Box", "Domain", "Plane", "Polytope", "Segment", "Space"]


def _vector(value: Any, what: str, dim: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise TypeError(f"{what} could not be converted to an array: {exc}") from None
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{what} must be a real numeric vector, got dtype {arr.dtype}")
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{what} must be a non-empty 1-D vector, got shape {arr.shape}")
    if dim is not None and arr.size != dim:
        raise ValueError(f"{what} must have {dim} entries, got {arr.size}")
    arr = np.array(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} has non-finite entries: {arr}")
    arr.setflags(write=False)
    return arr


def _range(value: Any, what: str) -> tuple[float, float]:
    r = _vector(value, what, 2)
    if not r[0] < r[1]:
        raise ValueError(f"{what} must satisfy lo < hi, got ({r[0]}, {r[1]})")
    return float(r[0]), float(r[1])


class Domain:
    """Base class of domains."""

    #: dimension of the domain itself (1 for a segment, 2 for a plane)
    dim: int
    #: dimension of the input space it lies in
    input_dim: int

    def parametrization(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(origin, basis, lo, hi)`` with ``x = origin + basis @ s`` for ``s`` in ``[lo, hi]``."""
        raise NotImplementedError

    @property
    def measure(self) -> float:
        """Length / area / volume of the domain in domain coordinates."""
        _, _, lo, hi = self.parametrization()
        return float(np.prod(hi - lo))

    def to_input(self, coords: Any) -> np.ndarray:
        """Input-space points of domain coordinates `coords`, shape ``(n, dim)`` -> ``(n, input_dim)``."""
        origin, basis, _, _ = self.parametrization()
        s = np.asarray(coords, dtype=np.float64).reshape(-1, self.dim)
        return origin + s @ basis.T

    def to_coords(self, X: Any) -> np.ndarray:
        """Domain coordinates of input points `X` (least-squares projection onto the domain's span)."""
        origin, basis, _, _ = self.parametrization()
        X = np.asarray(X, dtype=np.float64).reshape(-1, self.input_dim)
        coords, *_ = np.linalg.lstsq(basis, (X - origin).T, rcond=None)
        return coords.T

    def contains(self, X: Any, atol: float = 1e-9) -> np.ndarray:
        """Whether each point of `X` lies in the domain (within `atol`, relative to the domain's size)."""
        origin, basis, lo, hi = self.parametrization()
        X = np.asarray(X, dtype=np.float64).reshape(-1, self.input_dim)
        s = self.to_coords(X)
        scale = float(np.max(np.abs(basis)) * np.max(hi - lo) + np.max(np.abs(origin)))
        off_span = np.linalg.norm(self.to_input(s) - X, axis=1) <= atol * max(scale, 1.0)
        margin = atol * (hi - lo)
        inside = np.all((s >= lo - margin) & (s <= hi + margin), axis=1)
        return np.asarray(off_span & inside)


class Segment(Domain):
    """The segment from `a` to `b` in input space, parametrized by ``t`` in ``[0, 1]``:
    ``x = a + t (b - a)``. Lengths are measured in ``t`` (the whole segment has measure 1).
    """

    dim = 1

    def __init__(self, a: Any, b: Any) -> None:
        self.a = _vector(a, "Segment: a")
        self.b = _vector(b, "Segment: b")
        if self.a.size != self.b.size:
            raise ValueError(f"Segment: a and b must have the same length, got {self.a.size} and {self.b.size}")
        if not np.any(self.a != self.b):
            raise ValueError("Segment: a and b coincide (zero-length segment)")
        self.input_dim = int(self.a.size)

    @property
    def length(self) -> float:
        """Euclidean length in input space."""
        return float(np.linalg.norm(self.b - self.a))

    def parametrization(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.a, (self.b - self.a)[:, None], np.zeros(1), np.ones(1)

    def __repr__(self) -> str:
        return f"Segment(a={self.a.tolist()}, b={self.b.tolist()})"


class Plane(Domain):
    """The rectangle ``origin + s u + t v``, ``s`` in `s_range`, ``t`` in `t_range`, in input space.

    Areas are measured in ``(s, t)`` coordinates. For ``u``, ``v`` orthonormal (as built by
    :meth:`through`) these are Euclidean areas in the plane.
    """

    dim = 2

    def __init__(self, origin: Any, u: Any, v: Any, s_range: Any = (0.0, 1.0), t_range: Any = (0.0, 1.0)) -> None:
        self.origin = _vector(origin, "Plane: origin")
        d = self.origin.size
        self.u = _vector(u, "Plane: u", d)
        self.v = _vector(v, "Plane: v", d)
        self.s_range = _range(s_range, "Plane: s_range")
        self.t_range = _range(t_range, "Plane: t_range")
        if d < 2:
            raise ValueError("Plane: the input space must have at least 2 dimensions")
        nu, nv = float(np.linalg.norm(self.u)), float(np.linalg.norm(self.v))
        if nu == 0 or nv == 0:
            raise ValueError("Plane: u and v must be non-zero (degenerate plane)")
        cos = abs(float(self.u @ self.v)) / (nu * nv)
        if 1.0 - cos < 1e-12:
            raise ValueError("Plane: u and v are parallel (degenerate plane)")
        self.input_dim = int(d)

    @classmethod
    def through(cls, p0: Any, p1: Any, p2: Any, margin: float = 0.1) -> Plane:
        """The plane through three points, with an orthonormal basis (``u`` along ``p1 - p0``).

        The rectangle is the bounding box of the three points in plane coordinates, enlarged by
        `margin` times its size on every side. ``p0`` is at coordinates ``(0, 0)``.
        """
        q0 = _vector(p0, "Plane.through: p0")
        q1 = _vector(p1, "Plane.through: p1", q0.size)
        q2 = _vector(p2, "Plane.through: p2", q0.size)
        if not (np.isfinite(margin) and margin >= 0):
            raise ValueError(f"Plane.through: margin must be finite and >= 0, got {margin}")
        e1 = q1 - q0
        n1 = float(np.linalg.norm(e1))
        if n1 == 0:
            raise ValueError("Plane.through: p0 and p1 coincide")
        u = e1 / n1
        w = (q2 - q0) - ((q2 - q0) @ u) * u
        n2 = float(np.linalg.norm(w))
        if n2 <= 1e-12 * max(n1, float(np.linalg.norm(q2 - q0))):
            raise ValueError("Plane.through: the three points are collinear")
        v = w / n2
        pts = np.array([[0.0, 0.0], [n1, 0.0], [(q2 - q0) @ u, n2]])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = margin * (hi - lo)
        return cls(q0, u, v, (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]))

    def parametrization(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (
            self.origin,
            np.stack([self.u, self.v], axis=1),
            np.array([self.s_range[0], self.t_range[0]]),
            np.array([self.s_range[1], self.t_range[1]]),
        )

    def __repr__(self) -> str:
        return (
            f"Plane(origin={self.origin.tolist()}, u={self.u.tolist()}, v={self.v.tolist()}, "
            f"s_range={self.s_range}, t_range={self.t_range})"
        )


class Box(Domain):
    """The axis-aligned box ``lo <= x <= hi`` of input space, in any dimension (coordinates are the
    inputs themselves). 1- and 2-D boxes go to the interval and polygon engines, others to the walk."""

    def __init__(self, lo: Any, hi: Any) -> None:
        self.lo = _vector(lo, "Box: lo")
        self.hi = _vector(hi, "Box: hi", self.lo.size)
        bad = np.flatnonzero(~(self.lo < self.hi))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"Box: need lo < hi in every coordinate, but coordinate {i} has lo={self.lo[i]}, hi={self.hi[i]}"
            )
        self.dim = self.input_dim = int(self.lo.size)

    def parametrization(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        d = self.input_dim
        return np.zeros(d), np.eye(d), self.lo, self.hi

    def __repr__(self) -> str:
        return f"Box(lo={self.lo.tolist()}, hi={self.hi.tolist()})"

    @classmethod
    def from_vnnlib(cls, path: Any) -> Box:
        """The input box of a VNN-LIB property (bounds on ``X_0, X_1, ...``; output constraints are
        ignored). A property whose input constraints are a disjunction of several boxes raises a
        ValueError: use :func:`reluregions.vnnlib` for the list."""
        boxes = vnnlib(path)
        if len(boxes) != 1:
            raise ValueError(f"{path}: the input constraints are {len(boxes)} boxes; use reluregions.vnnlib(path)")
        return boxes[0]


def vnnlib(path: Any) -> list[Box]:
    """The input boxes of a VNN-LIB property: one :class:`Box` per disjunct of its input constraints."""
    from ._nnet import read_vnnlib

    return [Box(lo, hi) for lo, hi in read_vnnlib(path)]


class Polytope(Domain):
    """The polytope ``{x : A x <= b}`` of input space (possibly unbounded), for the walk engine.

    Empty and lower-dimensional polytopes (no interior) are rejected. Coordinates are the inputs.
    """

    def __init__(self, A: Any, b: Any) -> None:
        try:
            A_arr = np.asarray(A)
        except Exception as exc:
            raise TypeError(f"Polytope: A could not be converted to an array: {exc}") from None
        if A_arr.dtype == bool or A_arr.dtype.kind not in "iuf":
            raise TypeError(f"Polytope: A must be a real numeric matrix, got dtype {A_arr.dtype}")
        if A_arr.ndim != 2 or A_arr.shape[0] == 0 or A_arr.shape[1] == 0:
            raise ValueError(f"Polytope: A must be a non-empty 2-D matrix (m, d), got shape {A_arr.shape}")
        A_arr = np.array(A_arr, dtype=np.float64)
        if not np.all(np.isfinite(A_arr)):
            raise ValueError("Polytope: A has non-finite entries")
        b_arr = _vector(b, "Polytope: b", A_arr.shape[0])
        A_arr.setflags(write=False)
        self.A, self.b = A_arr, b_arr
        self.dim = self.input_dim = int(A_arr.shape[1])
        # The LPs below run on the polytope divided by a power of two near its rows' distances from the
        # origin, so that polytopes of any scale (1e-150 .. 1e150) are treated alike.
        self._lp_scale = _row_scale(A_arr, b_arr)
        centre, radius = _chebyshev(A_arr, b_arr)
        if radius is None:
            raise ValueError("Polytope: {x : A x <= b} is empty")
        if not radius > 1e-9 * max(self._lp_scale, float(np.max(np.abs(centre)))):
            raise ValueError(
                f"Polytope: {{x : A x <= b}} has no interior (lower-dimensional; Chebyshev radius {radius:g})"
            )
        # An interior point near the origin's scale (the centre of a ball of radius <= 1).
        self.interior_point = _chebyshev(A_arr, b_arr, cap=1.0)[0] if radius > 1.0 else centre
        self._bbox: tuple[np.ndarray, np.ndarray] | None = None

    def bounding_box(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lo, hi)``, the smallest box containing the polytope (entries may be infinite)."""
        if self._bbox is None:
            d = self.input_dim
            lp = _core.LPSolver(d)
            s = self._lp_scale
            for a, beta in zip(self.A, self.b):
                lp.add_row(a, float(beta) / s)
            lo, hi = np.full(d, -np.inf), np.full(d, np.inf)
            for j in range(d):
                e = np.zeros(d)
                e[j] = 1.0
                _, _, v = lp.maximize(e)
                if v is not None:
                    hi[j] = v * s
                _, _, v = lp.minimize(e)
                if v is not None:
                    lo[j] = v * s
            self._bbox = (lo, hi)
        return self._bbox

    @property
    def bounded(self) -> bool:
        lo, hi = self.bounding_box()
        return bool(np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)))

    @property
    def measure(self) -> float:
        raise NotImplementedError("the volume of a Polytope domain is not computed (use Regions.measures for d <= 3)")

    def contains(self, X: Any, atol: float = 1e-9) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64).reshape(-1, self.input_dim)
        norms = np.linalg.norm(self.A, axis=1)
        return np.asarray(
            np.all(
                X @ self.A.T - self.b
                <= atol * np.maximum(norms, 1.0) * (1.0 + np.abs(X).max(axis=1, initial=0.0))[:, None],
                axis=1,
            )
        )

    def to_input(self, coords: Any) -> np.ndarray:
        return np.asarray(coords, dtype=np.float64).reshape(-1, self.input_dim)

    def to_coords(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=np.float64).reshape(-1, self.input_dim)

    def __repr__(self) -> str:
        return f"Polytope(A={self.A.tolist()}, b={self.b.tolist()})"


class Space(Domain):
    """All of ``R^d`` (unbounded regions are counted too), for the walk engine.

    ``Space()`` takes its dimension from the network; ``Space(d)`` fixes it.
    """

    def __init__(self, input_dim: int | None = None) -> None:
        if input_dim is not None and (
            isinstance(input_dim, bool) or not isinstance(input_dim, (int, np.integer)) or input_dim < 1
        ):
            raise ValueError(f"Space: input_dim must be a positive integer or None, got {input_dim!r}")
        self.input_dim = None if input_dim is None else int(input_dim)  # type: ignore[assignment]
        self.dim = self.input_dim

    def bound_to(self, d: int) -> Space:
        """This space with its dimension set to `d` (the network's input dimension)."""
        return self if self.input_dim == d else Space(d)

    @property
    def measure(self) -> float:
        return float("inf")

    def contains(self, X: Any, atol: float = 1e-9) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        return np.all(np.isfinite(X.reshape(X.shape[0] if X.ndim > 1 else 1, -1)), axis=1)

    def to_input(self, coords: Any) -> np.ndarray:
        return np.asarray(coords, dtype=np.float64).reshape(-1, self.input_dim)

    def to_coords(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=np.float64).reshape(-1, self.input_dim)

    def __repr__(self) -> str:
        return "Space()" if self.input_dim is None else f"Space({self.input_dim})"


def _row_scale(A: np.ndarray, b: np.ndarray) -> float:
    """A power of two near the largest distance ``|b_i| / ||a_i||`` of a row from the origin (1 if 0)."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        norms = np.max(np.abs(A), axis=1)
        dist = np.where(norms > 0, np.abs(b) / np.where(norms > 0, norms, 1.0), 0.0)
    m = float(np.max(dist, initial=0.0))
    if not (m > 0 and np.isfinite(m)):
        return 1.0
    return math.ldexp(1.0, max(-1000, min(math.frexp(m)[1], 1000)))


def _chebyshev(A: np.ndarray, b: np.ndarray, cap: float = 1e300) -> tuple[np.ndarray, float | None]:
    """Chebyshev centre and radius of ``{A x <= b}`` (radius capped at `cap`), or radius None if empty."""
    s = _row_scale(A, b)
    lp = _core.LPSolver(A.shape[1])
    for a, beta in zip(A, b):
        lp.add_row(a, float(beta) / s)
    st, x, r = lp.chebyshev(min(cap / s, 1e300))
    if x is None or r is None:
        return np.zeros(A.shape[1]), None
    return np.asarray(x) * s, float(r) * s
