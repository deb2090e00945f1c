"""The entry points: count and enumerate regions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from . import _core
from .domains import Domain
from .network import Network
from .regions import RegionCount, Regions, _normalized_frame

__all__ = ["count", "regions"]

Progress = Optional[Callable[[int, int, float], Any]]


def _check(net: Any, domain: Any, engine: str, max_regions: Any, time_limit: Any, progress: Any) -> str:
    if not isinstance(net, Network):
        raise TypeError(f"expected a reluregions.Network, got {type(net).__name__} (see Network.from_torch)")
    if not isinstance(domain, Domain):
        raise TypeError(f"expected a domain (Segment, Plane, Box), got {type(domain).__name__}")
    if domain.input_dim != net.input_dim:
        raise ValueError(f"the domain lies in R^{domain.input_dim} but the network has {net.input_dim} inputs")
    if max_regions is not None and (isinstance(max_regions, bool) or not isinstance(max_regions, int) or max_regions < 1):
        raise ValueError(f"max_regions must be a positive integer or None, got {max_regions!r}")
    if time_limit is not None and (isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or not time_limit > 0):
        raise ValueError(f"time_limit must be a positive number of seconds or None, got {time_limit!r}")
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable as progress(regions_found, open_nodes, elapsed_seconds)")
    engines = {1: "interval", 2: "polygon"}
    if domain.dim not in engines:
        raise ValueError(f"a {domain.dim}-dimensional {type(domain).__name__} needs the walk engine, which is not available yet")
    if engine not in ("auto", engines[domain.dim]):
        raise ValueError(f"engine={engine!r} cannot handle a {domain.dim}-dimensional domain; use 'auto' or {engines[domain.dim]!r}")
    return engines[domain.dim]


def count(
    net: Network,
    domain: Domain,
    *,
    engine: str = "auto",
    max_regions: int | None = None,
    time_limit: float | None = None,
    partial: bool = False,
    progress: Progress = None,
) -> RegionCount:
    """Count the activation regions of `net` on `domain` without storing them (memory O(depth)).

    Parameters
    ----------
    net : Network
    domain : Segment, Plane or Box (1 or 2 dimensions)
    engine : {"auto", "interval", "polygon"}
        The 1-D interval sweep or the 2-D polygon splitter; "auto" picks by the domain's dimension.
    max_regions, time_limit : int, float, optional
        Limits; exceeding one raises :class:`LimitExceeded` unless `partial` is true.
    partial : bool
        On a limit, return the count so far with ``complete=False`` instead of raising.
    progress : callable, optional
        Called about every 0.1 s as ``progress(regions_found, open_nodes, elapsed_seconds)``.

    Returns
    -------
    RegionCount
        An ``int`` with ``complete``, ``reason`` and ``elapsed`` attributes.
    """
    _check(net, domain, engine, max_regions, time_limit, progress)
    origin, basis = _normalized_frame(domain)
    res = _core.count_regions(net._folded(origin, basis), max_regions, time_limit, bool(partial), progress)
    return RegionCount(int(res["count"]), bool(res["complete"]), str(res["reason"]), float(res["elapsed"]))


def regions(
    net: Network,
    domain: Domain,
    *,
    engine: str = "auto",
    affine: bool = False,
    merge_linear: bool = False,
    max_regions: int | None = None,
    time_limit: float | None = None,
    partial: bool = False,
    progress: Progress = None,
) -> Regions:
    """Enumerate the activation regions of `net` on `domain`.

    Parameters are those of :func:`count`, plus:

    affine : bool
        Also compute the network's output affine map on every region (``Regions.affine``).
    merge_linear : bool
        Also merge regions into maximal linear regions (``Regions.linear_regions()``); implies `affine`.

    Returns
    -------
    Regions
    """
    _check(net, domain, engine, max_regions, time_limit, progress)
    origin, basis = _normalized_frame(domain)
    raw = _core.enumerate_regions(net._folded(origin, basis), bool(affine or merge_linear), max_regions, time_limit, bool(partial), progress)
    result = Regions(net, domain, raw)
    if merge_linear and result.complete:
        result.linear_regions(progress)
    return result
