"""The entry points: count and enumerate regions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from . import _core
from .domains import Box, Domain, Plane, Segment, Space
from .network import Network
from .polytope_regions import PolytopeRegions, WalkFrame
from .regions import RegionCount, Regions

__all__ = ["count", "regions"]

Progress = Optional[Callable[[int, int, float], Any]]


_LOW_DIM_ENGINES = {1: "interval", 2: "polygon"}
ENGINES = ("auto", "interval", "polygon", "walk")


def _check(net: Any, domain: Any, engine: str, max_regions: Any, time_limit: Any, progress: Any, threads: Any) -> tuple[str, Domain]:
    if not isinstance(net, Network):
        raise TypeError(f"expected a reluregions.Network, got {type(net).__name__} (see Network.from_torch)")
    if not isinstance(domain, Domain):
        raise TypeError(f"expected a domain (Segment, Plane, Box, Polytope, Space), got {type(domain).__name__}")
    if isinstance(domain, Space):
        if domain.input_dim is None:
            domain = domain.bound_to(net.input_dim)
    if domain.input_dim != net.input_dim:
        raise ValueError(f"the domain lies in R^{domain.input_dim} but the network has {net.input_dim} inputs")
    if max_regions is not None and (isinstance(max_regions, bool) or not isinstance(max_regions, int) or max_regions < 1):
        raise ValueError(f"max_regions must be a positive integer or None, got {max_regions!r}")
    if time_limit is not None and (isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or not time_limit > 0):
        raise ValueError(f"time_limit must be a positive number of seconds or None, got {time_limit!r}")
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable as progress(regions_found, open_nodes, elapsed_seconds)")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer or None (all cores), got {threads!r}")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(map(repr, ENGINES))}")
    parametrized = isinstance(domain, (Segment, Plane, Box))
    low = _LOW_DIM_ENGINES.get(domain.dim) if parametrized else None
    if engine == "auto":
        engine = low or "walk"
    elif engine != "walk" and engine != low:
        what = f"a {domain.dim}-dimensional {type(domain).__name__}"
        raise ValueError(f"engine={engine!r} cannot handle {what}; use 'auto'" + (f", {low!r}" if low else "") + " or 'walk'")
    if engine == "walk" and net.num_hidden < 1:
        raise ValueError("the walk engine needs a network with at least one hidden layer")
    return engine, domain


def _walk(net: Network, domain: Domain, *, store: bool, affine: bool, rows: bool, threads: Any, max_regions: Any,
          time_limit: Any, partial: bool, progress: Any) -> tuple[WalkFrame, dict[str, Any]]:
    frame = WalkFrame(domain, net.input_dim)
    args = frame.exact_args(domain, net.input_dim)
    raw = _core.walk_regions(
        net._core, *args[:9], float(frame.r_cap), args[9], 0 if threads is None else int(threads),
        store, affine, rows, max_regions, time_limit, bool(partial), progress,
    )
    return frame, raw


def count(
    net: Network,
    domain: Domain,
    *,
    engine: str = "auto",
    threads: int | None = None,
    max_regions: int | None = None,
    time_limit: float | None = None,
    partial: bool = False,
    progress: Progress = None,
) -> RegionCount:
    """Count the activation regions of `net` on `domain` without storing them (memory O(depth)).

    Parameters
    ----------
    net : Network
    domain : Segment, Plane, Box, Polytope or Space
    engine : {"auto", "interval", "polygon", "walk"}
        The 1-D interval sweep, the 2-D polygon splitter, or the activation-pattern walk (any
        dimension). "auto" picks the interval or polygon engine for 1-D and 2-D segments, planes and
        boxes, and the walk otherwise. All engines give the same regions.
    threads : int, optional
        Worker threads of the walk (default: all cores). The result does not depend on it.
    max_regions, time_limit : int, float, optional
        Limits; exceeding one raises :class:`LimitExceeded` unless `partial` is true.
    partial : bool
        On a limit, return the count so far with ``complete=False`` instead of raising.
    progress : callable, optional
        Called about every 0.1 s as ``progress(regions_found, open_nodes, elapsed_seconds)``.

    Returns
    -------
    RegionCount
        An ``int`` with ``complete``, ``reason`` and ``elapsed`` attributes (and ``stats`` for the walk).
    """
    engine, domain = _check(net, domain, engine, max_regions, time_limit, progress, threads)
    if engine == "walk":
        _, res = _walk(net, domain, store=False, affine=False, rows=False, threads=threads, max_regions=max_regions,
                       time_limit=time_limit, partial=partial, progress=progress)
        out = RegionCount(int(res["count"]), bool(res["complete"]), str(res["reason"]), float(res["elapsed"]))
        out.stats = dict(res["stats"])
        return out
    res = _core.count_regions(net._core, *domain.parametrization(), max_regions, time_limit, bool(partial), progress)
    out = RegionCount(int(res["count"]), bool(res["complete"]), str(res["reason"]), float(res["elapsed"]))
    out.stats = {"exact_decisions": int(res["exact_decisions"])}
    return out


def regions(
    net: Network,
    domain: Domain,
    *,
    engine: str = "auto",
    threads: int | None = None,
    affine: bool = False,
    facets: bool = False,
    merge_linear: bool = False,
    max_regions: int | None = None,
    time_limit: float | None = None,
    partial: bool = False,
    progress: Progress = None,
) -> Regions | PolytopeRegions:
    """Enumerate the activation regions of `net` on `domain`.

    Parameters are those of :func:`count`, plus:

    affine : bool
        Also compute the network's output affine map on every region (``.affine``).
    facets : bool
        Walk only (selected by "auto" when true): keep what is needed for each region's H-representation, adjacency and exact volumes
        (``.facets()``, ``.adjacency()``, ``.measures``); they are computed on first use.
    merge_linear : bool
        Also merge regions into maximal linear regions (``.linear_regions()``); implies `affine`
        (and `facets` for the walk).

    Returns
    -------
    Regions (interval and polygon engines) or PolytopeRegions (walk)
    """
    if facets and engine == "auto":
        engine = "walk"  # the one engine that gives H-representations
    engine, domain = _check(net, domain, engine, max_regions, time_limit, progress, threads)
    if engine == "walk":
        frame, raw = _walk(net, domain, store=True, affine=bool(affine or merge_linear), rows=bool(facets or merge_linear),
                           threads=threads, max_regions=max_regions, time_limit=time_limit, partial=partial, progress=progress)
        walked = PolytopeRegions(net, domain, frame, raw)
        if merge_linear and walked.complete:
            walked.linear_regions()
        return walked
    if facets:
        raise ValueError("facets=True needs engine='walk' (the polygon engine gives .polygons, the interval engine .intervals)")
    raw = _core.enumerate_regions(net._core, *domain.parametrization(), bool(affine or merge_linear), max_regions,
                                  time_limit, bool(partial), progress)
    result = Regions(net, domain, raw)
    if merge_linear and result.complete:
        result.linear_regions(progress)
    return result
