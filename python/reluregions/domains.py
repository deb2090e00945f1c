"""Domains: where in input space the regions are counted.

Every domain used by the 1-D and 2-D engines has an affine parametrization ``x = origin + basis @ s``
with ``s`` in the box ``[lo, hi]`` of domain coordinates (``t`` for a segment, ``(s, t)`` for a plane).
The engines fold it into the network's first layer, so they only ever see a 1- or 2-input network.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Box", "Domain", "Plane", "Segment"]


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
    """The axis-aligned box ``lo <= x <= hi`` of input space (coordinates are the inputs themselves)."""

    def __init__(self, lo: Any, hi: Any) -> None:
        self.lo = _vector(lo, "Box: lo")
        self.hi = _vector(hi, "Box: hi", self.lo.size)
        bad = np.flatnonzero(~(self.lo < self.hi))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"Box: need lo < hi in every coordinate, but coordinate {i} has lo={self.lo[i]}, hi={self.hi[i]}")
        self.dim = self.input_dim = int(self.lo.size)

    def parametrization(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        d = self.input_dim
        return np.zeros(d), np.eye(d), self.lo, self.hi

    def __repr__(self) -> str:
        return f"Box(lo={self.lo.tolist()}, hi={self.hi.tolist()})"
