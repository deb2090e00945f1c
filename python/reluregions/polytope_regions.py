"""Results of the walk engine: activation regions as polytopes of R^d."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _core
from .domains import Box, Domain, Plane, Polytope, Segment, Space
from .network import Network
from .regions import LinearRegions, PathLike, _domain_from_spec, _domain_spec, _load_npz, _normalized_frame, _save_npz

__all__ = ["PolytopeRegions", "WalkFrame"]


def _pow2_scale(half_span: float) -> float:
    """The power of two ``2^e >= 2 * half_span`` next above it (within the float64 range)."""
    _, e = math.frexp(half_span)
    return math.ldexp(1.0, max(-1074, min(e + 1, 1023)))


class WalkFrame:
    """How a domain is handed to the walk: ``x = origin + basis @ u`` with ``u`` in
    ``{lo <= u <= hi, A u <= b}`` (normalized so that the domain has size about 1).

    For a box, polytope or space, ``basis = scale * I`` with ``scale`` a power of two (isotropic: balls
    stay balls; exact: the walk's exact domain is the user's, mapped by ``x = origin + scale u``); for a
    segment or plane, the domain's own normalized parametrization (``u`` in the unit interval / square).
    ``lo``, ``hi``, ``A`` and ``b`` here are float approximations (for volume estimates and facets); the
    walk itself gets the domain's exact data (:meth:`exact_args`).
    """

    def __init__(self, domain: Domain, d: int) -> None:
        self.isotropic = True
        self.r_cap = np.inf
        A = np.zeros((0, d))
        b = np.zeros(0)
        if isinstance(domain, (Segment, Plane)):
            self.origin, self.basis = _normalized_frame(domain)
            k = domain.dim
            self.lo, self.hi = np.zeros(k), np.ones(k)
            self.isotropic = False
            self.scale = 1.0
            A = np.zeros((0, k))
        elif isinstance(domain, Box):
            self.origin = domain.lo.copy()
            self.scale = _pow2_scale(float(np.max(domain.hi * 0.5 - domain.lo * 0.5)))
            self.lo, self.hi = np.zeros(d), (domain.hi * 0.5 - domain.lo * 0.5) / (self.scale * 0.5)
        elif isinstance(domain, Polytope):
            blo, bhi = domain.bounding_box()
            with np.errstate(invalid="ignore", over="ignore"):
                if domain.bounded:
                    self.origin = blo.copy()
                    self.scale = _pow2_scale(float(np.max(bhi * 0.5 - blo * 0.5)))
                else:
                    self.origin = domain.interior_point.copy()
                    self.scale = 1.0
                    self.r_cap = 1.0
                self.lo, self.hi = (blo - self.origin) / self.scale, (bhi - self.origin) / self.scale
                A = domain.A * self.scale
                b = domain.b - domain.A @ self.origin
        elif isinstance(domain, Space):
            self.origin, self.scale = np.zeros(d), 1.0
            self.lo, self.hi = np.full(d, -np.inf), np.full(d, np.inf)
            self.r_cap = 1.0
        else:
            raise TypeError(f"the walk cannot handle a {type(domain).__name__}")
        if self.isotropic:
            self.basis = self.scale * np.eye(d)
        self.A, self.b = np.ascontiguousarray(A, dtype=np.float64), np.ascontiguousarray(b, dtype=np.float64)
        self.dim = int(self.lo.size)

    def to_input(self, U: np.ndarray) -> np.ndarray:
        return self.origin + U @ self.basis.T

    def exact_args(self, domain: Domain, n0: int) -> tuple[Any, ...]:
        """``(origin, basis, plo, phi, unit_box, xlo, xhi, A, b, scale)`` for ``_core.walk_regions``: the
        map ``x = origin + basis (plo + (phi - plo) u)`` and the user's own constraints (exact floats)."""
        inf = np.full(n0, np.inf)
        A, b = np.zeros((0, n0)), np.zeros(0)
        if isinstance(domain, (Segment, Plane)):
            origin, basis, plo, phi = domain.parametrization()
            return (origin, np.ascontiguousarray(basis, dtype=np.float64), plo, phi, True, -inf, inf, A, b, 0.0)
        xlo, xhi = -inf, inf
        if isinstance(domain, Box):
            xlo, xhi = domain.lo, domain.hi
        elif isinstance(domain, Polytope):
            A, b = domain.A, domain.b
        basis = self.scale * np.eye(n0)
        return (self.origin, basis, np.zeros(n0), np.ones(n0), False, xlo, xhi, A, b, float(self.scale))


class PolytopeRegions:
    """The activation regions of a network found by the walk (any input dimension).

    Attributes
    ----------
    network, domain
        What was analysed.
    count : int
        Number of regions ``R`` (full-dimensional ones only; unbounded ones included for ``Space``).
    patterns : ndarray of bool, shape (R, num_hidden)
    witnesses : ndarray, shape (R, input_dim)
        A point of each region (its Chebyshev centre, or a point near it), in input space, strictly inside
        the region exactly (its exact pattern is the region's) unless the region is ``thin``.
    thin : ndarray of bool, shape (R,)
        Regions too thin to hold a float64 point (as far as the walk could find): counted, witness approximate.
    radii : ndarray, shape (R,)
        Chebyshev radius of each region (the largest inscribed ball; capped at 1 for unbounded regions),
        in input units for boxes, polytopes and spaces, in normalized domain units for segments/planes.
    coords : ndarray, shape (R, dim)
        The witnesses in domain coordinates.
    affine : tuple (A, c) or None
        Output map on each region in domain coordinates (``regions(..., affine=True)``).
    complete : bool
        False if a limit stopped the walk (``partial=True``); ``reason`` says which.
    stats : dict
        What the walk did: unit decisions, splits, LPs (decision and Chebyshev), simplex pivots.
    """

    def __init__(self, network: Network, domain: Domain, frame: WalkFrame, raw: dict[str, Any]) -> None:
        self.network = network
        self.domain = domain
        self._frame = frame
        self._raw = raw
        self.complete: bool = bool(raw.get("complete", True))
        self.reason: str = str(raw.get("reason", ""))
        self.elapsed: float = float(raw.get("elapsed", 0.0))
        self.stats: dict[str, int] = dict(raw.get("stats", {}))
        self._linear: LinearRegions | None = None
        self._facets: dict[str, np.ndarray] | None = None

    @property
    def dim(self) -> int:
        return self._frame.dim

    @property
    def count(self) -> int:
        return int(self._raw["radius"].shape[0])

    def __len__(self) -> int:
        return self.count

    @property
    def patterns(self) -> np.ndarray:
        return self._raw["patterns"]

    @property
    def witnesses(self) -> np.ndarray:
        if "witness_x" in self._raw:
            return self._raw["witness_x"]
        return self._frame.to_input(self._raw["witness"])

    @property
    def thin(self) -> np.ndarray:
        """Regions with no float64 point found strictly inside (their witness is only approximate); they
        are full-dimensional and counted all the same."""
        if "thin" in self._raw:
            return self._raw["thin"]
        return np.zeros(self.count, dtype=bool)

    @property
    def coords(self) -> np.ndarray:
        if isinstance(self.domain, (Segment, Plane)):
            _, _, lo, hi = self.domain.parametrization()
            return lo + self._raw["witness"] * (hi - lo)
        return self.witnesses

    @property
    def radii(self) -> np.ndarray:
        return self._raw["radius"] * self._frame.scale

    def _coord_map(self) -> tuple[np.ndarray, np.ndarray]:
        """``(M, m)`` with ``u = M @ s + m`` for domain coordinates ``s``."""
        if isinstance(self.domain, (Segment, Plane)):
            _, _, lo, hi = self.domain.parametrization()
            span = hi - lo
            return np.diag(1.0 / span), -lo / span
        d = self.dim
        return np.eye(d) / self._frame.scale, -self._frame.origin / self._frame.scale

    @property
    def affine(self) -> tuple[np.ndarray, np.ndarray] | None:
        if "A" not in self._raw:
            return None
        M, m = self._coord_map()
        Au, cu = self._raw["A"], self._raw["c"]
        return np.einsum("rok,kj->roj", Au, M), cu + np.einsum("rok,k->ro", Au, m)

    def __repr__(self) -> str:
        extra = "" if self.complete else f", complete=False ({self.reason})"
        return f"<PolytopeRegions: {self.count} regions of {self.network!r} on {self.domain!r}{extra}>"

    # ---------------------------------------------------------------- facets, adjacency, volumes
    def _facet_data(self, progress: Any = None) -> dict[str, np.ndarray]:
        if self._facets is None:
            if "rows" not in self._raw:
                raise ValueError("facets, adjacency and volumes need regions(..., facets=True)")
            fr = self._frame
            folded = self.network._folded(fr.origin, fr.basis)
            self._facets = _core.walk_facets(
                folded, fr.lo, fr.hi, fr.A, fr.b, float(fr.r_cap), self._raw["packed"], self._raw["witness"],
                self._raw["radius"], self._raw["rows"], self._raw["row_units"], self._raw["row_offsets"],
                self.dim <= 3, progress,
            )
        return self._facets

    def facets(self, r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """H-representation of region `r`: ``(A, b, units)`` with ``A x <= b`` (unit-norm rows, domain
        coordinates), non-redundant facets only; ``units[k]`` is the hidden unit (flat index) whose
        hyperplane carries facet ``k``, or -1 for the domain's boundary."""
        f = self._facet_data()
        if not 0 <= r < self.count:
            raise IndexError(f"region index {r} out of range for {self.count} regions")
        lo, hi = f["facet_offsets"][r], f["facet_offsets"][r + 1]
        a, b = f["facets"][lo:hi, :-1], f["facets"][lo:hi, -1]
        M, m = self._coord_map()  # u = M s + m
        A = a @ M
        bb = b - a @ m
        n = np.linalg.norm(A, axis=1)
        return A / n[:, None], bb / n, f["facet_units"][lo:hi].copy()

    @property
    def num_facets(self) -> np.ndarray:
        """Number of non-redundant facets of each region."""
        return np.diff(self._facet_data()["facet_offsets"])

    @property
    def bounded(self) -> np.ndarray:
        """Whether each region is bounded (always, unless the domain is unbounded)."""
        return self._facet_data()["bounded"]

    @property
    def adjacency(self) -> np.ndarray:
        """Pairs ``(i, j)``, ``i < j``, of regions sharing a facet, shape ``(P, 2)``, sorted; found by
        stepping across each facet from the Chebyshev centre of the facet."""
        f = self._facet_data()
        owner = np.repeat(np.arange(self.count), np.diff(f["facet_offsets"]))
        nb = f["neighbours"]
        keep = nb >= 0
        pairs = np.stack([np.minimum(owner[keep], nb[keep]), np.maximum(owner[keep], nb[keep])], axis=1)
        return np.unique(pairs, axis=0) if pairs.size else np.zeros((0, 2), dtype=np.int64)

    @property
    def measures(self) -> np.ndarray:
        """Length / area / volume of each region in domain coordinates, exact (from the vertices) for
        dimension <= 3; ``inf`` for unbounded regions. Above 3 dimensions see :meth:`volume_estimate`."""
        if self.dim > 3:
            raise ValueError(f"exact volumes are computed for dimension <= 3 (this is {self.dim}); use volume_estimate()")
        vol = self._facet_data()["volume"]
        if isinstance(self.domain, (Segment, Plane)):
            _, _, lo, hi = self.domain.parametrization()
            return vol * float(np.prod(hi - lo))
        return vol * self._frame.scale ** self.dim

    def volume_estimate(self, samples: int = 100_000, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Monte Carlo estimate of each region's volume in a bounded domain (any dimension).

        Draws `samples` uniform points in the domain's bounding box, keeps those in the domain and
        locates them. Returns ``(volumes, standard_errors)``: a region holding a fraction ``p`` of the
        points gets ``p * V`` with standard error ``sqrt(p (1 - p) / n) * V`` (``V`` the box volume).
        Regions smaller than about ``V / samples`` may get 0.
        """
        if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
            raise ValueError(f"samples must be a positive integer, got {samples!r}")
        fr = self._frame
        if not (np.all(np.isfinite(fr.lo)) and np.all(np.isfinite(fr.hi))):
            raise ValueError("volume_estimate needs a bounded domain")
        rng = np.random.default_rng(seed)
        U = fr.lo + rng.random((int(samples), fr.dim)) * (fr.hi - fr.lo)
        box = float(np.prod(fr.hi - fr.lo))
        inside = np.all(U @ fr.A.T <= fr.b, axis=1) if fr.A.shape[0] else np.ones(len(U), bool)
        idx = self.locate(fr.to_input(U[inside])) if inside.any() else np.zeros(0, np.int64)
        counts = np.bincount(idx[idx >= 0], minlength=self.count).astype(float)
        p = counts / samples
        unit = box * (fr.scale ** fr.dim if fr.isotropic else float(np.prod(self._span())))
        return p * unit, np.sqrt(p * (1 - p) / samples) * unit

    def _span(self) -> np.ndarray:
        _, _, lo, hi = self.domain.parametrization()
        return hi - lo

    # -------------------------------------------------------------------------- linear regions
    def _maps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if "A" not in self._raw or "E" not in self._raw:
            fr = self._frame
            folded = self.network._folded(fr.origin, fr.basis)
            A, c, E = folded.local_affine_magnitude(self._raw["witness"])
            self._raw.update(A=A, c=c, E=E)
        return self._raw["A"], self._raw["c"], self._raw["E"]

    def linear_regions(self, progress: Any = None) -> LinearRegions:
        """Merge regions sharing a facet whose output affine maps coincide (within ``LINEAR_TOL``)
        into maximal connected linear regions (needs ``facets=True``)."""
        if self._linear is None:
            if not self.complete:
                raise ValueError("linear regions need a complete enumeration (this result is partial)")
            self._facet_data(progress)
            A, c, E = self._maps()
            pairs = np.ascontiguousarray(self.adjacency, dtype=np.int64)
            labels = _core.merge_pairs(self.count, pairs, A, c, E)
            self._linear = LinearRegions(self, labels)  # type: ignore[arg-type]
        return self._linear

    @property
    def linear_count(self) -> int:
        """Number of maximal linear regions (see :meth:`linear_regions`)."""
        return self.linear_regions().count

    # ------------------------------------------------------------------------------ locating
    def locate(self, X: Any) -> np.ndarray:
        """Index of the region containing each point of `X` (input space), or -1 if the point is
        outside the domain or on a boundary between regions."""
        pts, single = self.network._points(X)
        inside = np.asarray(self.domain.contains(pts)) if not isinstance(self.domain, Space) else np.ones(len(pts), bool)
        idx = _core.locate(self.network._core, self._raw["packed"], pts)
        idx = np.where(inside, idx, -1)
        return idx[0] if single else idx

    # -------------------------------------------------------------------------------- file I/O
    def save(self, path: PathLike) -> None:
        """Save to a compressed ``.npz`` (network, domain and all arrays)."""
        meta = {
            "complete": self.complete, "reason": self.reason, "elapsed": self.elapsed, "stats": self.stats,
            "domain": _walk_domain_spec(self.domain), "kind": "walk",
        }
        _save_npz(path, self.network, self._raw, meta)

    @classmethod
    def load(cls, path: PathLike) -> PolytopeRegions:
        """Load regions saved by :meth:`save`."""
        net, raw, meta = _load_npz(path)
        if meta.get("kind") != "walk":
            raise ValueError(f"{path}: saved by the 1-D/2-D engines; load it with Regions.load")
        domain = _walk_domain_from_spec(meta["domain"])
        return cls(net, domain, WalkFrame(domain, net.input_dim), raw)


def _walk_domain_spec(domain: Domain) -> dict[str, Any]:
    if isinstance(domain, Polytope):
        return {"type": "Polytope", "A": domain.A.tolist(), "b": domain.b.tolist()}
    if isinstance(domain, Space):
        return {"type": "Space", "input_dim": domain.input_dim}
    return _domain_spec(domain)


def _walk_domain_from_spec(spec: dict[str, Any]) -> Domain:
    kind = spec.get("type")
    if kind == "Polytope":
        return Polytope(spec["A"], spec["b"])
    if kind == "Space":
        return Space(spec["input_dim"])
    return _domain_from_spec(dict(spec))
