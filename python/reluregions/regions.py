"""Results: the regions of a network on a domain."""

from __future__ import annotations

import json
import os
import time
from typing import Any, Union

import numpy as np

from . import _core
from ._frame import Frame
from ._patterns import unpack_words
from .domains import Box, Domain, Plane, Polytope, Segment, Space
from .network import Network, _read_npz
from .tolerances import GEOMETRY_TOL, ZERO_TOL

__all__ = ["LinearRegions", "RegionCount", "Regions"]

PathLike = Union[str, "os.PathLike[str]"]


class RegionCount(int):
    """The number of regions (an ``int``), with ``complete`` (False when a limit stopped the run and
    ``partial=True`` was given), ``reason`` (why it stopped early) and ``elapsed`` (seconds)."""

    complete: bool
    reason: str
    elapsed: float
    stats: dict

    def __new__(cls, value: int, complete: bool = True, reason: str = "", elapsed: float = 0.0) -> RegionCount:
        obj = super().__new__(cls, value)
        obj.complete = complete
        obj.reason = reason
        obj.elapsed = elapsed
        obj.stats = {}
        return obj

    def __repr__(self) -> str:
        return (
            int.__repr__(self) if self.complete else f"RegionCount({int(self)}, complete=False, reason={self.reason!r})"
        )


_LOW_DIM_ENGINES = {1: "interval", 2: "polygon"}
ENGINE_KINDS = ("interval", "polygon", "walk")


class Regions:
    """The activation regions of a network on a domain, from any engine.

    Every engine (the 1-D interval sweep, the 2-D polygon splitter and the walk in any dimension)
    returns this type with the same core: ``patterns``, ``witnesses``, ``coords``, ``measures``,
    ``affine``, :meth:`linear_regions`, ``adjacency``, :meth:`locate`, :meth:`save` / :meth:`load`,
    ``stats``; plus the geometry of its kind: ``intervals`` (interval engine), ``polygons`` /
    ``vertices`` + ``offsets`` (polygon engine), :meth:`facets`, ``radii``, ``num_facets``,
    ``bounded`` (walk). ``engine`` says which one ran.

    Attributes
    ----------
    network, domain
        What was analysed.
    engine : {"interval", "polygon", "walk"}
        The engine that found the regions.
    count : int
        Number of regions ``R`` (full-dimensional ones only; unbounded ones included for ``Space``).
    dim : int
        Dimension of the domain (of its coordinates).
    patterns : ndarray of bool, shape (R, num_hidden)
        Activation pattern of each region.
    witnesses : ndarray, shape (R, input_dim)
        An interior point of each region, in input space; its forward-pass pattern is the region's
        (the walk gives the Chebyshev centre, or a point near it, strictly inside exactly unless the
        region is ``thin``).
    thin : ndarray of bool, shape (R,)
        Regions too thin to hold a float64 point (as far as the engine found); counted all the same.
    coords : ndarray, shape (R, dim)
        The witnesses in domain coordinates (``t`` / ``(s, t)`` for segments and planes, the inputs for
        boxes, polytopes and spaces).
    measures : ndarray, shape (R,)
        Length / area / volume of each region in domain coordinates (``inf`` for unbounded regions);
        they sum to ``domain.measure`` for a bounded domain.
    affine : tuple (A, c) or None
        Output map on each region in domain coordinates, ``f = A @ s + c``: ``A`` is
        ``(R, output_dim, dim)``, ``c`` is ``(R, output_dim)``. Present when computed
        (``regions(..., affine=True)`` or ``merge_linear=True``).
    adjacency : ndarray of int64, shape (P, 2)
        Pairs ``(i, j)``, ``i < j``, of regions sharing a boundary piece of positive (dim - 1)-measure.
    intervals : ndarray, shape (R, 2)
        Interval engine: each region's ``[t0, t1]`` in domain coordinates.
    polygons : list of ndarray
        Polygon engine: each region's vertices ``(n_i, 2)`` in domain coordinates, counter-clockwise.
        Also flat as ``vertices`` ``(V, 2)`` with ``offsets`` ``(R + 1,)``.
    radii : ndarray, shape (R,)
        Walk: Chebyshev radius of each region (capped at 1 for unbounded ones), in input units for
        boxes, polytopes and spaces, in normalized domain units for segments and planes. A region
        thinner than the float LP resolves (e.g. 1e-17 wide near 0) gets the radius of the ball around
        its witness; a thin region (no float64 point inside) gets 0.
    complete : bool
        False if a limit stopped the enumeration early (``partial=True``); ``reason`` says which.
    elapsed : float
        Seconds the enumeration took.
    stats : dict
        What the engine did (the walk: unit decisions, splits, LPs, simplex pivots; empty otherwise).
    """

    def __init__(
        self,
        network: Network,
        domain: Domain,
        raw: dict[str, Any],
        *,
        engine: str | None = None,
        frame: Frame | None = None,
    ) -> None:
        if engine is None:
            engine = "walk" if "radius" in raw else _LOW_DIM_ENGINES.get(int(domain.dim), "walk")
        if engine not in ENGINE_KINDS:
            raise ValueError(f"unknown engine {engine!r}")
        self.network = network
        self.domain = domain
        self.engine: str = engine
        self._raw = raw
        # Walk results saved before the exact walk (no "thin") used a frame scale that was not a power of two.
        legacy = engine == "walk" and "thin" not in raw
        self._frame = (
            frame if frame is not None else Frame(domain, network.input_dim, engine, pow2=not legacy, network=network)
        )
        self.complete: bool = bool(raw.get("complete", True))
        self.reason: str = str(raw.get("reason", ""))
        self.elapsed: float = float(raw.get("elapsed", 0.0))
        self.stats: dict[str, Any] = dict(raw.get("stats", {}))
        if "exact_decisions" in raw:  # the interval and polygon engines
            self.stats.setdefault("exact_decisions", int(raw["exact_decisions"]))
        self._linear: LinearRegions | None = None
        self._patterns: np.ndarray | None = None
        self._facets: dict[str, np.ndarray] | None = None
        self._adjacency: np.ndarray | None = None
        self._volumes: np.ndarray | None = None

    # ---------------------------------------------------------------------------- the core
    @property
    def dim(self) -> int:
        return self._frame.dim

    @property
    def count(self) -> int:
        return int(self._raw["packed"].shape[0] if "packed" in self._raw else self._raw["patterns"].shape[0])

    def __len__(self) -> int:
        return self.count

    @property
    def patterns(self) -> np.ndarray:
        if "patterns" in self._raw:
            return self.network._user_patterns(self._raw["patterns"])
        if self._patterns is None:  # unpacked on first use, the users' units only
            widths = [int(W.shape[0]) for W in self.network._weights[:-1]]
            self._patterns = unpack_words(self._raw["packed"], widths, self.network._user_units)
            self._patterns.setflags(write=False)
        return self._patterns

    def _chain_patterns(self) -> np.ndarray:
        """Bool patterns of the core's chain units, unpacked on first use (engines return them packed:
        one bit per unit instead of one byte)."""
        if "patterns" not in self._raw:
            widths = [int(W.shape[0]) for W in self.network._weights[:-1]]
            self._raw["patterns"] = unpack_words(self._raw["packed"], widths)
        return self._raw["patterns"]

    @property
    def witnesses(self) -> np.ndarray:
        if "witness_x" in self._raw:  # the walk's input-space witnesses, certified as these doubles
            return self._raw["witness_x"]
        if "witness_coords" in self._raw:  # certified in domain coordinates (1-D and 2-D engines)
            if isinstance(self.domain, Box):
                return np.array(self._raw["witness_coords"])
            return self.domain.to_input(self._raw["witness_coords"])
        return self._frame.to_input(self._raw["witness"])

    @property
    def coords(self) -> np.ndarray:
        if "witness_x" in self._raw and self._frame.isotropic:
            return self._raw["witness_x"]
        if "witness_coords" in self._raw:
            return np.array(self._raw["witness_coords"])
        return self._frame.to_coords(self._raw["witness"])

    @property
    def thin(self) -> np.ndarray:
        """Bool ``(R,)``: True for a region too thin to hold a float64 witness (still counted; its
        witness is then only approximate). Every other witness's domain point (``coords``) lies strictly
        inside its region, exactly; for boxes ``witnesses`` are those points themselves."""
        if "thin" in self._raw:
            return np.asarray(self._raw["thin"], dtype=bool)
        return np.zeros(self.count, dtype=bool)

    @property
    def measures(self) -> np.ndarray:
        if "measure" in self._raw:
            return self._raw["measure"] * self._frame.measure_factor
        return self._walk_volumes() * self._frame.measure_factor

    @property
    def affine(self) -> tuple[np.ndarray, np.ndarray] | None:
        if "A" not in self._raw:
            return None
        M, m = self._frame.coord_map()  # u = M s + m
        Au, cu = self._raw["A"], self._raw["c"]
        return np.einsum("rok,kj->roj", Au, M), cu + np.einsum("rok,k->ro", Au, m)

    def __repr__(self) -> str:
        extra = "" if self.complete else f", complete=False ({self.reason})"
        return f"<Regions: {self.count} regions of {self.network!r} on {self.domain!r} ({self.engine} engine){extra}>"

    # ----------------------------------------------------------------- geometry of each kind
    def _need(self, engine: str, what: str) -> None:
        if self.engine != engine:
            other = {"interval": "intervals", "polygon": "polygons", "walk": "facets()"}[self.engine]
            raise AttributeError(
                f"{what} come from the {engine} engine; these regions are from the {self.engine} engine "
                f"(use {other}, or regions(..., engine={engine!r}))"
            )

    @property
    def intervals(self) -> np.ndarray:
        self._need("interval", "intervals")
        t = self._raw["intervals"]
        out = self._frame.to_coords(t.reshape(-1, 1)).reshape(-1, 2)
        # The domain's ends exactly: lo + (hi - lo) can round away from hi.
        _, _, _, hi = self.domain.parametrization()
        return np.where(t == 1.0, float(hi[0]), out)

    @property
    def vertices(self) -> np.ndarray:
        self._need("polygon", "vertices")
        return self._frame.to_coords(self._raw["vertices"])

    @property
    def offsets(self) -> np.ndarray:
        self._need("polygon", "offsets")
        return self._raw["offsets"]

    @property
    def polygons(self) -> list[np.ndarray]:
        self._need("polygon", "polygons")
        return np.split(self.vertices, self.offsets[1:-1])

    @property
    def radii(self) -> np.ndarray:
        self._need("walk", "radii")
        return self._raw["radius"] * self._frame.length_scale

    def _facet_data(self, progress: Any = None) -> dict[str, np.ndarray]:
        self._need("walk", "facets")
        if self._facets is None:
            if "rows" not in self._raw:
                raise ValueError("facets, adjacency and volumes of the walk need regions(..., facets=True)")
            fr = self._frame
            # the walk's own exact problem: which rows are facets is decided exactly
            self._facets = _core.walk_facets(
                self.network._core,
                *fr.walk_problem(self.domain, self.network.input_dim),
                self._raw["packed"],
                self._raw["witness"],
                self._raw["radius"],
                self._raw["rows"],
                self._raw["row_units"],
                self._raw["row_offsets"],
                self.dim <= 3,
                progress,
            )
        return self._facets

    def facets(self, r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Walk: H-representation of region `r`: ``(A, b, units)`` with ``A s <= b`` (unit-norm rows, domain
        coordinates), non-redundant facets only; ``units[k]`` is the hidden unit (flat index) whose
        hyperplane carries facet ``k``, or -1 for the domain's boundary."""
        self._facet_data()
        if not 0 <= r < self.count:
            raise IndexError(f"region index {r} out of range for {self.count} regions")
        a, b, units = self._frame_facets(r)
        M, m = self._frame.coord_map()  # u = M s + m
        A = a @ M
        bb = b - a @ m
        n = np.linalg.norm(A, axis=1)
        return A / n[:, None], bb / n, self.network._user_unit_index(units)

    def _frame_facets(self, r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f = self._facet_data()
        lo, hi = f["facet_offsets"][r], f["facet_offsets"][r + 1]
        return f["facets"][lo:hi, :-1], f["facets"][lo:hi, -1], f["facet_units"][lo:hi]

    @property
    def num_facets(self) -> np.ndarray:
        """Walk: number of non-redundant facets of each region."""
        return np.diff(self._facet_data()["facet_offsets"])

    @property
    def bounded(self) -> np.ndarray:
        """Walk: whether each region is bounded (always, unless the domain is unbounded)."""
        return self._facet_data()["bounded"]

    def _walk_volumes(self) -> np.ndarray:
        """Volumes in frame coordinates: from the core for dimension <= 3, else by Lasserre's recursion
        over the facets (exact up to rounding; its cost grows quickly with dimension and facets)."""
        if self._volumes is None:
            f = self._facet_data()
            if "volume" in f:
                self._volumes = np.asarray(f["volume"])
            else:
                vol = np.full(self.count, np.inf)
                for r in np.flatnonzero(f["bounded"]):
                    a, b, _ = self._frame_facets(int(r))
                    c = self._raw["witness"][r]
                    vol[r] = _polytope_volume(a, b - a @ c)
                self._volumes = vol
        return self._volumes

    def volume_estimate(self, samples: int = 100_000, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Monte Carlo estimate of each region's measure in a bounded domain (any dimension, any engine).

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
        inside = np.all(fr.b >= U @ fr.A.T, axis=1) if fr.A.shape[0] else np.ones(len(U), bool)
        idx = self.locate(fr.to_input(U[inside])) if inside.any() else np.zeros(0, np.int64)
        idx = np.atleast_1d(idx)
        counts = np.bincount(idx[idx >= 0], minlength=self.count).astype(float)
        p = counts / samples
        unit = box * fr.measure_factor
        return p * unit, np.sqrt(p * (1 - p) / samples) * unit

    # ---------------------------------------------------------------------------- adjacency
    @property
    def adjacency(self) -> np.ndarray:
        """Pairs ``(i, j)``, ``i < j``, of neighbouring regions (sharing a boundary piece of positive
        (dim - 1)-measure), shape ``(P, 2)``, sorted. Interval engine: shared endpoints; polygon
        engine: shared edges (the region across an edge has the edge's unit flipped); walk: shared
        facets (needs ``facets=True``)."""
        if self._adjacency is None:
            if self.engine == "interval":
                pairs = _adjacency_1d(self._raw["intervals"])
            elif self.engine == "polygon":
                pairs = _adjacency_2d(self._frame.folded(self.network), self._raw, self._chain_patterns())
            else:
                f = self._facet_data()
                owner = np.repeat(np.arange(self.count), np.diff(f["facet_offsets"]))
                nb = f["neighbours"]
                keep = nb >= 0
                pairs = np.stack([np.minimum(owner[keep], nb[keep]), np.maximum(owner[keep], nb[keep])], axis=1)
            pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            self._adjacency = np.unique(pairs, axis=0) if pairs.size else np.zeros((0, 2), dtype=np.int64)
        return self._adjacency

    # -------------------------------------------------------------------------- linear regions
    def _maps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Output maps in frame coordinates (computed from the witnesses if not stored)."""
        if "A" not in self._raw or "E" not in self._raw:
            A, c, E = self._frame.folded(self.network).local_affine_magnitude(self._raw["witness"])
            self._raw.update(A=A, c=c, E=E)
        return self._raw["A"], self._raw["c"], self._raw["E"]

    def linear_regions(self, progress: Any = None) -> LinearRegions:
        """Merge neighbouring regions whose output affine maps are exactly equal (decided in exact
        arithmetic when floating point cannot settle it) into maximal connected linear regions.

        `progress`, if given, is called about every 0.1 s as ``progress(regions_done, regions_left,
        elapsed_seconds)`` and once at the end with ``regions_left == 0``.
        """
        if self._linear is None:
            if not self.complete:
                raise ValueError("linear regions need a complete enumeration (this result is partial)")
            R = self.count
            report = (
                None if progress is None else (lambda found, left, t: progress(max(R - int(left), 0), int(left), t))
            )
            t0 = time.perf_counter()
            if R == 0:
                labels = np.zeros(0, dtype=np.int64)
            elif self.engine == "interval":
                labels = _core.merge_linear_1d_exact(
                    self.network._core, *self.domain.parametrization(), self._raw["packed"]
                )
            elif self.engine == "polygon":
                raw = self._raw
                labels = _core.merge_linear_2d(
                    self._frame.folded(self.network),
                    raw["packed"],
                    raw["vertices"],
                    raw["offsets"],
                    raw["edge_units"],
                    raw["witness"],
                    self.network._core,
                    *self.domain.parametrization(),
                    report,
                )
            else:
                self._facet_data(report)
                pairs = np.ascontiguousarray(self.adjacency, dtype=np.int64)
                # map equality decided exactly, on the domain's own plane or segment when it has one
                frame = self.domain.parametrization() if isinstance(self.domain, (Segment, Plane)) else ()
                labels = _core.merge_pairs_exact(self.network._core, self._raw["packed"], pairs, *frame)
            if progress is not None:
                progress(R, 0, time.perf_counter() - t0)
            self._linear = LinearRegions(self, labels)
        return self._linear

    @property
    def linear_count(self) -> int:
        """Number of maximal linear regions (see :meth:`linear_regions`)."""
        return self.linear_regions().count

    # ------------------------------------------------------------------------------- locating
    def locate(self, X: Any) -> np.ndarray:
        """Index of the region containing each point of `X` (input space), or -1 if the point is
        outside the domain or on a boundary between regions."""
        pts, single = self.network._points(X)
        inside = np.asarray(self.domain.contains(pts), dtype=bool).reshape(-1)
        idx = _core.locate(self.network._core, self._raw["packed"], pts)
        idx = np.where(inside, idx, -1)
        return idx[0] if single else idx

    # -------------------------------------------------------------------------------- file I/O
    def save(self, path: PathLike) -> None:
        """Save to a compressed ``.npz`` (network, domain, engine and all arrays)."""
        meta = {
            "complete": self.complete,
            "reason": self.reason,
            "elapsed": self.elapsed,
            "stats": self.stats,
            "domain": _domain_spec(self.domain),
            "kind": self.engine,
        }
        _save_npz(path, self.network, self._raw, meta)

    @classmethod
    def load(cls, path: PathLike) -> Regions:
        """Load regions saved by :meth:`save` (also files of earlier versions, whichever engine wrote them)."""
        net, raw, meta = _load_npz(path)
        try:
            domain = _domain_from_spec(dict(meta["domain"]))
            kind = meta.get("kind")  # files of the 1-D/2-D engines before 0.1 have none
            engine = (
                kind if kind in ENGINE_KINDS else ("walk" if "radius" in raw else _LOW_DIM_ENGINES.get(int(domain.dim)))
            )
            return cls(net, domain, raw, engine=engine)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{os.fspath(path)}: not a valid reluregions regions file ({exc})") from None


def _save_npz(path: PathLike, network: Network, raw: dict[str, Any], meta: dict[str, Any]) -> None:
    """Regions as one compressed ``.npz``: the raw arrays, the network and a JSON ``meta`` entry."""
    # unpacked patterns are derived from the packed ones: not saved
    unpacked = "packed" in raw
    arrays: dict[str, Any] = {
        f"raw_{k}": v for k, v in raw.items() if isinstance(v, np.ndarray) and not (unpacked and k == "patterns")
    }
    arrays.update(network._arrays(prefix="net_"))
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(path, **arrays)


def _load_npz(path: PathLike) -> tuple[Network, dict[str, Any], dict[str, Any]]:
    """``(network, raw, meta)`` of a file written by :func:`_save_npz`; raw carries the run status."""
    items = _read_npz(path)
    if "meta" not in items:
        raise ValueError(f"{path}: not a reluregions regions file (no 'meta' entry)")
    meta = json.loads(str(items["meta"]))
    net = Network._from_arrays(items, str(path), prefix="net_")
    raw: dict[str, Any] = {k[4:]: v for k, v in items.items() if k.startswith("raw_")}
    raw.update(complete=meta["complete"], reason=meta["reason"], elapsed=meta["elapsed"], stats=meta.get("stats", {}))
    return net, raw, meta


class LinearRegions:
    """Maximal linear regions: connected unions of activation regions with one output affine map.

    Attributes
    ----------
    count : int
        Number of linear regions.
    labels : ndarray of int64, shape (R,)
        Linear region of each activation region (numbered by first appearance).
    measures : ndarray, shape (count,), or None
        Length / area / volume of each linear region (None when the regions have no measures).
    regions : Regions
        The activation regions they were merged from.
    """

    def __init__(self, regions: Regions, labels: np.ndarray) -> None:
        self.regions = regions
        self.labels = labels
        self.count = int(labels.max()) + 1 if labels.size else 0
        self._measures: np.ndarray | None = None

    @property
    def measures(self) -> np.ndarray | None:
        if self._measures is None:
            try:
                weights = self.regions.measures
            except ValueError:  # e.g. a walk without facets=True
                return None
            self._measures = np.bincount(self.labels, weights=weights, minlength=self.count)
        return self._measures

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return f"<LinearRegions: {self.count} linear regions from {self.regions.count} activation regions>"


def _adjacency_1d(intervals: np.ndarray) -> np.ndarray:
    """Pairs of intervals (frame coordinates) sharing an endpoint."""
    if intervals.shape[0] < 2:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.argsort(intervals[:, 0], kind="stable")
    a, b = order[:-1], order[1:]
    touch = np.abs(intervals[a, 1] - intervals[b, 0]) <= 4 * GEOMETRY_TOL
    return np.stack([np.minimum(a, b)[touch], np.maximum(a, b)[touch]], axis=1)


def _adjacency_2d(folded: Any, raw: dict[str, Any], pats: np.ndarray) -> np.ndarray:
    """Pairs of polygons (frame coordinates) sharing an edge of positive length. The region across an
    edge labelled with unit ``u`` is the one whose pattern is this region's with bit ``u`` flipped (the
    generic case, checked by the side of its witness); failing that, the region of a point just across
    the edge's midpoint (as the core's linear-region merge does)."""
    V, off, units, W = raw["vertices"], raw["offsets"], raw["edge_units"], raw["witness"]
    R = pats.shape[0]
    if R < 2:
        return np.zeros((0, 2), dtype=np.int64)
    counts = np.diff(off)
    owner = np.repeat(np.arange(R), counts)
    nxt = np.arange(V.shape[0]) + 1
    nxt[off[1:] - 1] = off[:-1]
    a, b = V, V[nxt]
    length = np.linalg.norm(b - a, axis=1)
    keep = (units >= 0) & (length > 0)  # every edge of positive length, however short (regions are exact)
    p, u, a, b, length = owner[keep], units[keep].astype(np.int64), a[keep], b[keep], length[keep]
    mid = 0.5 * (a + b)
    normal = (
        np.stack([b[:, 1] - a[:, 1], -(b[:, 0] - a[:, 0])], axis=1) / length[:, None]
    )  # outward (counter-clockwise)
    keys = {bytes(row): i for i, row in enumerate(np.packbits(pats, axis=1))}
    flipped = pats[p].copy()
    flipped[np.arange(p.size), u] ^= True
    cand = np.array([keys.get(bytes(row), -1) for row in np.packbits(flipped, axis=1)], dtype=np.int64)
    ok = cand >= 0
    side = np.einsum("ij,ij->i", W[np.where(ok, cand, 0)] - mid, normal)
    ok &= side > 0
    q = np.where(ok, cand, -1)
    miss = np.flatnonzero(~ok)
    if miss.size:  # degenerate neighbourhoods: the region of a point just across the edge
        pts = np.ascontiguousarray(mid[miss] + 16 * GEOMETRY_TOL * normal[miss])
        found = folded.activation_pattern(pts, ZERO_TOL)
        q[miss] = [keys.get(bytes(row), -1) for row in np.packbits(found, axis=1)]
    good = (q >= 0) & (q != p)
    return np.stack([np.minimum(p, q)[good], np.maximum(p, q)[good]], axis=1)


def _polytope_volume(A: np.ndarray, b: np.ndarray) -> float:
    """Volume of the bounded polytope ``{x : A x <= b}`` by Lasserre's recursion
    ``V = (1/d) sum_i (b_i / |a_i|) V_{d-1}(facet_i)`` (apex at the origin; put it inside)."""
    d = A.shape[1]
    n = np.linalg.norm(A, axis=1)
    flat = n <= 1e-12
    if np.any(flat & (b < -1e-12)):
        return 0.0
    A, b = A[~flat] / n[~flat, None], b[~flat] / n[~flat]
    if A.shape[0]:  # drop duplicate rows (several facets meeting along one face)
        key = np.round(np.c_[A, b], 9)
        _, first = np.unique(key, axis=0, return_index=True)
        first.sort()
        A, b = A[first], b[first]
    if d == 1:
        a = A[:, 0]
        hi = np.min(b[a > 0] / a[a > 0]) if np.any(a > 0) else np.inf
        lo = np.max(b[a < 0] / a[a < 0]) if np.any(a < 0) else -np.inf
        return float(max(hi - lo, 0.0))
    if d == 2:
        return _polygon_area(A, b)
    total = 0.0
    for i in range(A.shape[0]):
        if abs(b[i]) <= 1e-14:
            continue
        k = int(np.argmax(np.abs(A[i])))  # Householder: an orthonormal basis of the facet's hyperplane
        v = A[i].copy()
        v[k] += 1.0 if v[k] >= 0 else -1.0
        H = np.eye(d) - (2.0 / (v @ v)) * np.outer(v, v)
        Q = np.delete(H, k, axis=1)
        x0 = b[i] * A[i]
        rest = np.arange(A.shape[0]) != i
        total += b[i] * _polytope_volume(A[rest] @ Q, b[rest] - A[rest] @ x0)
    return total / d


def _polygon_area(A: np.ndarray, b: np.ndarray) -> float:
    """Area of the bounded polygon ``{x : A x <= b}`` (unit-norm rows): its vertices are the feasible
    intersections of pairs of lines, in angular order."""
    m = A.shape[0]
    if m < 3:
        return 0.0
    i, j = np.triu_indices(m, 1)
    det = A[i, 0] * A[j, 1] - A[i, 1] * A[j, 0]
    ok = np.abs(det) > 1e-12
    i, j, det = i[ok], j[ok], det[ok]
    x = (b[i] * A[j, 1] - b[j] * A[i, 1]) / det
    y = (A[i, 0] * b[j] - A[j, 0] * b[i]) / det
    P = np.stack([x, y], axis=1)
    tol = 1e-9 * (1.0 + float(np.max(np.abs(b))))
    P = P[np.all(b + tol >= P @ A.T, axis=1)]
    if P.shape[0] < 3:
        return 0.0
    c = P.mean(axis=0)
    P = P[np.argsort(np.arctan2(P[:, 1] - c[1], P[:, 0] - c[0]))]
    x, y = P[:, 0], P[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _domain_spec(domain: Domain) -> dict[str, Any]:
    if isinstance(domain, Polytope):
        return {"type": "Polytope", "A": domain.A.tolist(), "b": domain.b.tolist()}
    if isinstance(domain, Space):
        return {"type": "Space", "input_dim": domain.input_dim}
    if isinstance(domain, Segment):
        return {"type": "Segment", "a": domain.a.tolist(), "b": domain.b.tolist()}
    if isinstance(domain, Plane):
        return {
            "type": "Plane",
            "origin": domain.origin.tolist(),
            "u": domain.u.tolist(),
            "v": domain.v.tolist(),
            "s_range": list(domain.s_range),
            "t_range": list(domain.t_range),
        }
    if isinstance(domain, Box):
        return {"type": "Box", "lo": domain.lo.tolist(), "hi": domain.hi.tolist()}
    raise TypeError(f"cannot save a {type(domain).__name__} domain")


def _domain_from_spec(spec: dict[str, Any]) -> Domain:
    spec = dict(spec)
    kind = spec.pop("type")
    if kind == "Polytope":
        return Polytope(spec["A"], spec["b"])
    if kind == "Space":
        return Space(spec["input_dim"])
    return {"Segment": Segment, "Plane": Plane, "Box": Box}[kind](**spec)
