"""The one place where a domain is mapped to the coordinates an engine works in."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .domains import Box, Domain, Plane, Polytope, Segment, Space

__all__ = ["Frame"]


def _pow2_scale(half_span: float) -> float:
    """The smallest power of two ``>= 2 * half_span`` (within the float64 range)."""
    m, e = math.frexp(half_span)
    return math.ldexp(1.0, max(-1074, min(e if m == 0.5 else e + 1, 1023)))


def _space_scale(network: Any) -> float:
    """For all of R^d: a power of two near the median distance of the first layer's hyperplanes from the
    origin, or 1 when that is within a factor 16 of 1."""
    W, b = network.weights[0], network.biases[0]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        wmax = np.max(np.abs(W), axis=1)
        keep = (wmax > 0) & (b != 0)
        dist = np.abs(b[keep]) / wmax[keep]
    dist = dist[np.isfinite(dist) & (dist > 0)]
    if dist.size == 0:
        return 1.0
    e = math.frexp(float(np.median(dist)))[1]
    return 1.0 if abs(e) <= 4 else math.ldexp(1.0, max(-1000, min(e, 1000)))


class Frame:
    """How a domain is handed to an engine: ``x = origin + basis @ u`` with ``u`` in
    ``{lo <= u <= hi, A u <= b}``, normalized so that the domain has size about 1.

    Two kinds, chosen by the engine:

    - *normalized*: ``u`` in the unit interval / square / cube, ``s = s_lo + u * span`` for the
      domain's own coordinates ``s`` (the interval and polygon engines always; the walk for segments
      and planes);
    - *isotropic*: ``basis = scale * I``, so balls stay balls (the walk on boxes, polytopes and all of
      ``R^d``); the domain coordinates are the inputs, ``x = origin + scale * u``.

    ``network``: for all of ``R^d``, the scale follows the first layer (:func:`_space_scale`).
    ``pow2``: the isotropic scale is a power of two (the walk's exact frame); False reproduces the
    frame of walk results saved before that (scale = the largest side).

    The engines' raw results (witnesses, intervals, polygons, affine maps, facets) are in ``u``; a
    :class:`~reluregions.Regions` converts them with :meth:`to_input`, :meth:`to_coords`,
    :meth:`coord_map` and :attr:`measure_factor`.
    """

    def __init__(self, domain: Domain, input_dim: int, engine: str, pow2: bool = True, network: Any = None) -> None:
        d = int(input_dim)
        self.r_cap = np.inf
        A = np.zeros((0, d))
        b = np.zeros(0)
        self.isotropic = engine == "walk" and not isinstance(domain, (Segment, Plane))
        if not self.isotropic:
            x0, B, s_lo, s_hi = domain.parametrization()
            span = s_hi - s_lo
            self.origin, self.basis = x0 + B @ s_lo, B * span
            self._s_lo, self._span = s_lo, span
            k = int(span.size)
            self.lo, self.hi = np.zeros(k), np.ones(k)
            self.scale = 1.0
            A = np.zeros((0, k))
        else:
            # The scale is a power of two (x = origin + scale u is then exact per coordinate up to the
            # addition, and the walk's exact domain is the user's own data mapped by it).
            if isinstance(domain, Box):
                self.origin = domain.lo.copy()
                half = float(np.max(domain.hi * 0.5 - domain.lo * 0.5))
                self.scale = _pow2_scale(half) if pow2 else 2.0 * half
                self.lo, self.hi = np.zeros(d), (domain.hi * 0.5 - domain.lo * 0.5) / (self.scale * 0.5)
            elif isinstance(domain, Polytope):
                blo, bhi = domain.bounding_box()
                with np.errstate(invalid="ignore", over="ignore"):
                    if domain.bounded:
                        self.origin = blo.copy()
                        half = float(np.max(bhi * 0.5 - blo * 0.5))
                        self.scale = _pow2_scale(half) if pow2 else 2.0 * half
                    else:
                        self.origin = domain.interior_point.copy()
                        self.scale = 1.0
                        self.r_cap = 1.0
                    self.lo, self.hi = (blo - self.origin) / self.scale, (bhi - self.origin) / self.scale
                    A = domain.A * self.scale
                    b = domain.b - domain.A @ self.origin
            elif isinstance(domain, Space):
                # Scaled (a power of two) to where the first layer's hyperplanes are, when that is far from 1.
                self.origin, self.scale = np.zeros(d), _space_scale(network) if (pow2 and network is not None) else 1.0
                self.lo, self.hi = np.full(d, -np.inf), np.full(d, np.inf)
                self.r_cap = 1.0
            else:
                raise TypeError(f"the walk cannot handle a {type(domain).__name__}")
            self.basis = self.scale * np.eye(d)
        self.A, self.b = np.ascontiguousarray(A, dtype=np.float64), np.ascontiguousarray(b, dtype=np.float64)
        self.dim = int(self.lo.size)

    def exact_args(self, domain: Domain, n0: int) -> tuple[Any, ...]:
        """``(origin, basis, plo, phi, unit_box, xlo, xhi, A, b, scale)`` for ``_core.walk_regions``: the map
        ``x = origin + basis (plo + (phi - plo) u)`` and the user's own constraints, exact floats (the
        walk builds its exact domain from them; ``lo``, ``hi``, ``A``, ``b`` above are approximations)."""
        inf = np.full(n0, np.inf)
        A, b = np.zeros((0, n0)), np.zeros(0)
        if not self.isotropic:
            origin, basis, plo, phi = domain.parametrization()
            return (origin, np.ascontiguousarray(basis, dtype=np.float64), plo, phi, True, -inf, inf, A, b, 0.0)
        xlo, xhi = -inf, inf
        if isinstance(domain, Box):
            xlo, xhi = domain.lo, domain.hi
        elif isinstance(domain, Polytope):
            A, b = domain.A, domain.b
        return (self.origin, self.basis, np.zeros(n0), np.ones(n0), False, xlo, xhi, A, b, float(self.scale))

    def walk_problem(
        self, domain: Domain, n0: int
    ) -> tuple[Any, Any, Any, Any, bool, Any, Any, Any, Any, float, float]:
        """The walk's problem as ``_core.walk_regions`` and ``_core.walk_facets`` take it: `exact_args` with
        the Chebyshev radius cap before ``scale``."""
        origin, basis, plo, phi, unit_box, xlo, xhi, A, b, scale = self.exact_args(domain, n0)
        return origin, basis, plo, phi, bool(unit_box), xlo, xhi, A, b, float(self.r_cap), float(scale)

    # ------------------------------------------------------------------------------ conversions
    def to_input(self, U: Any) -> np.ndarray:
        """Input-space points of frame coordinates ``U`` ``(n, dim)``."""
        return self.origin + np.asarray(U, dtype=np.float64).reshape(-1, self.dim) @ self.basis.T

    def to_coords(self, U: Any) -> np.ndarray:
        """Domain coordinates of frame coordinates ``U`` ``(n, dim)``."""
        U = np.asarray(U, dtype=np.float64).reshape(-1, self.dim)
        if self.isotropic:
            return self.origin + self.scale * U
        return self._s_lo + U * self._span

    def coord_map(self) -> tuple[np.ndarray, np.ndarray]:
        """``(M, m)`` with ``u = M @ s + m`` for domain coordinates ``s``."""
        if self.isotropic:
            return np.eye(self.dim) / self.scale, -self.origin / self.scale
        return np.diag(1.0 / self._span), -self._s_lo / self._span

    @property
    def measure_factor(self) -> float:
        """Length / area / volume in domain coordinates of a unit of ``u``-volume."""
        if self.isotropic:
            return float(self.scale**self.dim)
        return float(np.prod(self._span))

    @property
    def length_scale(self) -> float:
        """Input units per unit of ``u`` for isotropic frames (1 for normalized ones: radii stay in
        normalized domain units)."""
        return float(self.scale)

    def folded(self, network: Any) -> Any:
        """The core network of ``u -> network(origin + basis @ u)``."""
        return network._folded(self.origin, self.basis)

    def bounds_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The frame's domain as ``A u <= b`` (the finite box bounds and the extra rows)."""
        rows, rhs = [self.A], [self.b]
        eye = np.eye(self.dim)
        for j in range(self.dim):
            if np.isfinite(self.hi[j]):
                rows.append(eye[j : j + 1])
                rhs.append(np.array([self.hi[j]]))
            if np.isfinite(self.lo[j]):
                rows.append(-eye[j : j + 1])
                rhs.append(np.array([-self.lo[j]]))
        return np.concatenate(rows, axis=0), np.concatenate(rhs)
