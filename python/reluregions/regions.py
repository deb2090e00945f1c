"""Results: the regions of a network on a domain."""

from __future__ import annotations

import json
import os
from typing import Any, Union

import numpy as np

from . import _core
from .domains import Box, Domain, Plane, Segment
from .network import Network

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
        return int.__repr__(self) if self.complete else f"RegionCount({int(self)}, complete=False, reason={self.reason!r})"


class Regions:
    """The activation regions of a network on a 1-D or 2-D domain.

    Attributes
    ----------
    network, domain
        What was analysed.
    count : int
        Number of regions ``R`` (full-dimensional ones only).
    patterns : ndarray of bool, shape (R, num_hidden)
        Activation pattern of each region.
    witnesses : ndarray, shape (R, input_dim)
        An interior point of each region, in input space; its forward-pass pattern is the region's.
    coords : ndarray, shape (R, dim)
        The witnesses in domain coordinates.
    measures : ndarray, shape (R,)
        Length (1-D) or area (2-D) of each region in domain coordinates; they sum to ``domain.measure``.
    intervals : ndarray, shape (R, 2)
        1-D only: each region's ``[t0, t1]``, in increasing order.
    polygons : list of ndarray
        2-D only: each region's vertices ``(n_i, 2)`` in domain coordinates, counter-clockwise.
        Also flat as ``vertices`` ``(V, 2)`` with ``offsets`` ``(R + 1,)``.
    affine : tuple (A, c) or None
        Output map on each region in domain coordinates, ``f = A @ s + c``: ``A`` is
        ``(R, output_dim, dim)``, ``c`` is ``(R, output_dim)``. Present when computed
        (``regions(..., affine=True)`` or ``merge_linear=True``).
    complete : bool
        False if a limit stopped the enumeration early (``partial=True``); ``reason`` says which.
    """

    def __init__(self, network: Network, domain: Domain, raw: dict[str, Any]) -> None:
        self.network = network
        self.domain = domain
        self._raw = raw
        self.complete: bool = bool(raw.get("complete", True))
        self.reason: str = str(raw.get("reason", ""))
        self.elapsed: float = float(raw.get("elapsed", 0.0))
        _, _, lo, hi = domain.parametrization()
        self._lo, self._span = lo, hi - lo
        self._hi0 = float(hi[0])
        self._linear: LinearRegions | None = None

    # ---------------------------------------------------------------------------- basic arrays
    @property
    def dim(self) -> int:
        return int(self.domain.dim)

    @property
    def count(self) -> int:
        return int(self._raw["measure"].shape[0])

    def __len__(self) -> int:
        return self.count

    @property
    def patterns(self) -> np.ndarray:
        return self._raw["patterns"]

    @property
    def coords(self) -> np.ndarray:
        return self._lo + self._raw["witness"] * self._span

    @property
    def witnesses(self) -> np.ndarray:
        return self.domain.to_input(self.coords)

    @property
    def measures(self) -> np.ndarray:
        return self._raw["measure"] * float(np.prod(self._span))

    @property
    def intervals(self) -> np.ndarray:
        if self.dim != 1:
            raise AttributeError("intervals exist for 1-D domains only; use polygons")
        t = self._raw["intervals"]
        # The domain's ends exactly: lo + (hi - lo) can round away from hi.
        return np.where(t == 1.0, self._hi0, self._lo[0] + t * self._span[0])

    @property
    def vertices(self) -> np.ndarray:
        if self.dim != 2:
            raise AttributeError("vertices exist for 2-D domains only; use intervals")
        return self._lo + self._raw["vertices"] * self._span

    @property
    def offsets(self) -> np.ndarray:
        if self.dim != 2:
            raise AttributeError("offsets exist for 2-D domains only")
        return self._raw["offsets"]

    @property
    def polygons(self) -> list[np.ndarray]:
        if self.dim != 2:
            raise AttributeError("polygons exist for 2-D domains only; use intervals")
        return np.split(self.vertices, self.offsets[1:-1])

    @property
    def affine(self) -> tuple[np.ndarray, np.ndarray] | None:
        if "A" not in self._raw:
            return None
        A = self._raw["A"] / self._span  # d f / d s = (d f / d sigma) / span
        c = self._raw["c"] - np.einsum("rok,k->ro", A, self._lo)
        return A, c

    def __repr__(self) -> str:
        extra = "" if self.complete else f", complete=False ({self.reason})"
        return f"<Regions: {self.count} regions of {self.network!r} on {self.domain!r}{extra}>"

    # -------------------------------------------------------------------------- linear regions
    def _maps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Output maps in normalized coordinates (computed from the witnesses if not stored)."""
        if "A" not in self._raw:
            origin, basis = _normalized_frame(self.domain)
            folded = self.network._folded(origin, basis)
            A, c, E = folded.local_affine_magnitude(self._raw["witness"])
            self._raw.update(A=A, c=c, E=E)
        return self._raw["A"], self._raw["c"], self._raw["E"]

    def linear_regions(self, progress: Any = None) -> LinearRegions:
        """Merge neighbouring regions whose output affine maps coincide (within ``LINEAR_TOL``) into
        maximal connected linear regions."""
        if self._linear is None:
            if not self.complete:
                raise ValueError("linear regions need a complete enumeration (this result is partial)")
            A, c, E = self._maps()
            if self.count == 0:
                labels = np.zeros(0, dtype=np.int64)
            elif self.dim == 1:
                labels = _core.merge_linear_1d(self._raw["intervals"], A, c, E)
            else:
                origin, basis = _normalized_frame(self.domain)
                folded = self.network._folded(origin, basis)
                labels = _core.merge_linear_2d(
                    folded, self._raw["packed"], self._raw["vertices"], self._raw["offsets"],
                    self._raw["edge_units"], self._raw["witness"], A, c, E, progress,
                )
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
        inside = self.domain.contains(pts)
        idx = _core.locate(self.network._core, self._raw["packed"], pts)
        idx = np.where(inside, idx, -1)
        return idx[0] if single else idx

    # -------------------------------------------------------------------------------- file I/O
    def save(self, path: PathLike) -> None:
        """Save to a compressed ``.npz`` (network, domain and all arrays)."""
        meta = {"complete": self.complete, "reason": self.reason, "elapsed": self.elapsed, "domain": _domain_spec(self.domain)}
        _save_npz(path, self.network, self._raw, meta)

    @classmethod
    def load(cls, path: PathLike) -> Regions:
        """Load regions saved by :meth:`save`."""
        net, raw, meta = _load_npz(path)
        if meta.get("kind") == "walk":
            raise ValueError(f"{path}: saved by the walk engine; load it with PolytopeRegions.load")
        return cls(net, _domain_from_spec(meta["domain"]), raw)


def _save_npz(path: PathLike, network: Network, raw: dict[str, Any], meta: dict[str, Any]) -> None:
    """Regions as one compressed ``.npz``: the raw arrays, the network and a JSON ``meta`` entry."""
    arrays = {f"raw_{k}": v for k, v in raw.items() if isinstance(v, np.ndarray)}
    for l, (W, b) in enumerate(zip(network.weights, network.biases)):
        arrays[f"net_W{l}"] = W
        arrays[f"net_b{l}"] = b
    arrays["net_negative_slopes"] = np.array(network.negative_slopes)
    arrays["net_leaky"] = np.array([a == "leaky_relu" for a in network.activations], dtype=bool)
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(path, **arrays)


def _load_npz(path: PathLike) -> tuple[Network, dict[str, Any], dict[str, Any]]:
    """``(network, raw, meta)`` of a file written by :func:`_save_npz`; raw carries the run status."""
    with np.load(path, allow_pickle=False) as data:
        items = dict(data.items())
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
        Length / area / volume of each linear region (None above 3 dimensions).
    regions : Regions
        The activation regions they were merged from.
    """

    def __init__(self, regions: Regions, labels: np.ndarray) -> None:
        self.regions = regions
        self.labels = labels
        self.count = int(labels.max()) + 1 if labels.size else 0
        try:
            weights = regions.measures
        except ValueError:  # no exact volumes above 3 dimensions
            weights = None
        self.measures = None if weights is None else np.bincount(labels, weights=weights, minlength=self.count)

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return f"<LinearRegions: {self.count} linear regions from {self.regions.count} activation regions>"


def _normalized_frame(domain: Domain) -> tuple[np.ndarray, np.ndarray]:
    """``(origin, basis)`` of the unit box: ``x = origin + basis @ sigma`` for sigma in [0, 1]^dim."""
    x0, B, lo, hi = domain.parametrization()
    return x0 + B @ lo, B * (hi - lo)


def _domain_spec(domain: Domain) -> dict[str, Any]:
    if isinstance(domain, Segment):
        return {"type": "Segment", "a": domain.a.tolist(), "b": domain.b.tolist()}
    if isinstance(domain, Plane):
        return {
            "type": "Plane", "origin": domain.origin.tolist(), "u": domain.u.tolist(), "v": domain.v.tolist(),
            "s_range": list(domain.s_range), "t_range": list(domain.t_range),
        }
    if isinstance(domain, Box):
        return {"type": "Box", "lo": domain.lo.tolist(), "hi": domain.hi.tolist()}
    raise TypeError(f"cannot save a {type(domain).__name__} domain")


def _domain_from_spec(spec: dict[str, Any]) -> Domain:
    kind = spec.pop("type")
    return {"Segment": Segment, "Plane": Plane, "Box": Box}[kind](**spec)
