"""The entry points: count and enumerate regions."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, overload

import numpy as np

from . import _core
from .domains import Box, Domain, Plane, Segment, Space
from .network import Network
from ._frame import Frame
from .regions import RegionCount, Regions

__all__ = ["count", "regions"]

Progress = Callable[[int, int, float], Any] | None


_LOW_DIM_ENGINES = {1: "interval", 2: "polygon"}
ENGINES = ("auto", "interval", "polygon", "vertex", "walk")
# The vertex engine (count only): boxes of these dimensions; "auto" picks it where it beats the walk
# (benchmarks/bench_lowdim.py).
_VERTEX_DIMS = range(3, 7)
_VERTEX_AUTO_DIMS = range(3, 5)


def _check(
    net: Any, domain: Any, engine: str, max_regions: Any, time_limit: Any, progress: Any, threads: Any
) -> tuple[str, Domain]:
    if not isinstance(net, Network):
        raise TypeError(f"expected a reluregions.Network, got {type(net).__name__} (see Network.from_torch)")
    if not isinstance(domain, Domain):
        raise TypeError(f"expected a domain (Segment, Plane, Box, Polytope, Space), got {type(domain).__name__}")
    if isinstance(domain, Space) and domain.input_dim is None:
        domain = domain.bound_to(net.input_dim)
    if domain.input_dim != net.input_dim:
        raise ValueError(f"the domain lies in R^{domain.input_dim} but the network has {net.input_dim} inputs")
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable as progress(regions_found, open_nodes, elapsed_seconds)")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(map(repr, ENGINES))}")
    parametrized = isinstance(domain, (Segment, Plane, Box))
    low = _LOW_DIM_ENGINES.get(domain.dim) if parametrized else None
    if engine == "vertex":
        if not (isinstance(domain, Box) and domain.dim in _VERTEX_DIMS):
            raise ValueError(
                f"engine='vertex' needs a Box of 3 to 6 dimensions, got a {domain.dim}-dimensional "
                f"{type(domain).__name__}; use 'auto' or 'walk'"
            )
    elif engine == "auto":
        engine = low or "walk"
    elif engine != "walk" and engine != low:
        what = f"a {domain.dim}-dimensional {type(domain).__name__}"
        raise ValueError(
            f"engine={engine!r} cannot handle {what}; use 'auto'" + (f", {low!r}" if low else "") + " or 'walk'"
        )
    return engine, domain


def _walk(
    net: Network,
    domain: Domain,
    *,
    store: bool,
    affine: bool,
    rows: bool,
    threads: Any,
    max_regions: Any,
    time_limit: Any,
    partial: bool,
    progress: Any,
    executor: Any = None,
    out: Any = None,
) -> tuple[Frame, dict[str, Any]]:
    frame = Frame(domain, net.input_dim, "walk", network=net)
    if net.num_hidden == 0:
        if out is not None:
            raise ValueError("out= needs a network with at least one hidden layer (else the domain is one region)")
        folded = net._folded(frame.origin, frame.basis)
        return frame, _one_region(folded, frame, store=store, affine=affine, rows=rows, progress=progress)
    args = frame.exact_args(domain, net.input_dim)
    if executor is not None or out is not None:
        return frame, _walk_tasks(
            net,
            frame,
            args,
            executor,
            threads,
            store=store,
            affine=affine,
            rows=rows,
            out=out,
            max_regions=max_regions,
            time_limit=time_limit,
            partial=partial,
            progress=progress,
        )
    raw = _core.walk_regions(
        net._core,
        *frame.walk_problem(domain, net.input_dim),
        0 if threads is None else int(threads),
        store,
        affine,
        rows,
        max_regions,
        time_limit,
        bool(partial),
        progress,
    )
    return frame, raw


def _walk_tasks(net: Network, frame: Frame, args: tuple[Any, ...], executor: Any, threads: Any, **kw: Any) -> dict:
    """The walk as tasks (``reluregions.distributed``) on `executor`, or on `threads` threads for out= alone."""
    from . import distributed

    problem = distributed.Problem(net, frame, args)
    if executor is not None:
        return distributed.run(problem, executor, **kw)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return distributed.run(problem, pool, **kw)


_MAX_THREADS = 4096
_MAX_REGIONS = 2**63 - 1


def _limits(threads: Any, max_regions: Any, time_limit: Any) -> tuple[int | None, int | None, float | None]:
    """Checked limits as Python numbers (NumPy integer and float scalars accepted)."""

    def positive_int(value: Any, what: str, maximum: int, tail: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{what} must be a positive integer or None{tail}, got {value!r}")
        if int(value) > maximum:
            raise ValueError(f"{what}={int(value)} is too large (at most {maximum:,})")
        return int(value)

    threads = positive_int(threads, "threads", _MAX_THREADS, " (all cores)")
    max_regions = positive_int(max_regions, "max_regions", _MAX_REGIONS, "")
    if time_limit is not None:
        if (
            isinstance(time_limit, (bool, np.bool_))
            or not isinstance(time_limit, (int, float, np.integer, np.floating))
            or not time_limit > 0
        ):
            raise ValueError(f"time_limit must be a positive number of seconds or None, got {time_limit!r}")
        time_limit = float(time_limit)
    return threads, max_regions, time_limit


def _one_region(folded: Any, frame: Frame, *, store: bool, affine: bool, rows: bool, progress: Any) -> dict[str, Any]:
    """The walk's answer for a network without hidden layers: the whole domain is one region."""
    raw: dict[str, Any] = {"complete": True, "reason": "", "elapsed": 0.0, "count": 1, "stats": {}, "threads": 1}
    if progress is not None:
        progress(1, 0, 0.0)
    if not store:
        return raw
    A, b = frame.bounds_rows()
    lp = _core.LPSolver(frame.dim)
    for a, beta in zip(A, b):
        lp.add_row(a, float(beta))
    status, centre, radius = lp.chebyshev(float(min(frame.r_cap, 1e300)))
    if centre is None or radius is None:  # pragma: no cover - domains have interior points
        raise ValueError(f"no interior point found in the domain ({status})")
    raw.update(
        patterns=np.zeros((1, 0), dtype=bool),
        packed=np.zeros((1, 0), dtype=np.uint64),
        witness=np.asarray(centre, dtype=np.float64).reshape(1, -1),
        radius=np.array([float(radius)]),
        thin=np.zeros(1, dtype=bool),
    )
    if affine:
        Am, c, E = folded.local_affine_magnitude(raw["witness"])
        raw.update(A=Am, c=c, E=E)
    if rows:
        raw.update(
            rows=np.zeros((0, frame.dim + 1)),
            row_units=np.zeros(0, dtype=np.int32),
            row_offsets=np.zeros(2, dtype=np.int64),
        )
    return raw


def _merge_phase(progress: Any, total: int) -> Any:
    """Announce the linear-region merge to a progress object that wants to know (``start_phase``)."""
    if progress is not None and callable(getattr(progress, "start_phase", None)):
        progress.start_phase("linear regions", total)
    return progress


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
    executor: Any = None,
) -> RegionCount:
    """Count the activation regions of `net` on `domain` without storing them.

    Memory: no engine keeps the regions it has counted. The walk keeps O(depth) state per worker
    thread (the current pattern and the LP of its region). The interval and polygon engines go depth
    first through the layers and keep, at each level of the current path, the breakpoints of one
    layer inside the current node (interval engine), or one path of polygon pieces, each with the
    units whose line crosses it (polygon engine: it splits a layer depth first, so partial counts
    and progress come from the first regions on). The vertex engine does the same with polytopes,
    each held by its vertices (coordinates, the hyperplanes through them, and their edges).

    Parameters
    ----------
    net : Network
    domain : Segment, Plane, Box, Polytope or Space
    engine : {"auto", "interval", "polygon", "vertex", "walk"}
        The 1-D interval sweep, the 2-D polygon splitter, the vertex splitter (boxes of 3 to 6
        dimensions, count only: polytopes held by their vertices, split layer by layer), or the
        activation-pattern walk (any dimension). "auto" picks the interval or polygon engine for 1-D
        and 2-D segments, planes and boxes, the vertex engine for 3- and 4-dimensional boxes, and
        the walk otherwise. All engines give the same regions.
    threads : int, optional
        Worker threads of the walk (default: all cores). The result does not depend on it.
    max_regions, time_limit : int, float, optional
        Limits; exceeding one raises :class:`LimitExceeded` unless `partial` is true.
    partial : bool
        On a limit, return the count so far with ``complete=False`` instead of raising.
    progress : callable, optional
        Called about every 0.1 s as ``progress(regions_found, open_nodes, elapsed_seconds)``.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Run the walk as tasks there (other processes, other machines; see ``reluregions.distributed``);
        ``open_nodes`` is then the number of open tasks. The count, regions and statistics do not
        depend on the executor or its number of workers.

    Returns
    -------
    RegionCount
        An ``int`` with ``complete``, ``reason`` and ``elapsed`` attributes (and ``stats`` for the walk).
    """
    threads, max_regions, time_limit = _limits(threads, max_regions, time_limit)
    if executor is not None and engine == "auto":
        engine = "walk"  # the engine that runs as tasks
    if engine == "auto" and isinstance(domain, Box) and domain.dim in _VERTEX_AUTO_DIMS:
        engine = "vertex"
    engine, domain = _check(net, domain, engine, max_regions, time_limit, progress, threads)
    if engine == "vertex":
        res = _core.count_regions_vertex(
            net._core, *domain.parametrization(), max_regions, time_limit, bool(partial), progress
        )
        out = RegionCount(int(res["count"]), bool(res["complete"]), str(res["reason"]), float(res["elapsed"]))
        out.stats = {"exact_decisions": int(res["exact_decisions"])}
        return out
    if engine == "walk":
        _, res = _walk(
            net,
            domain,
            store=False,
            affine=False,
            rows=False,
            threads=threads,
            max_regions=max_regions,
            time_limit=time_limit,
            partial=partial,
            progress=progress,
            executor=executor,
        )
        out = RegionCount(int(res["count"]), bool(res["complete"]), str(res["reason"]), float(res["elapsed"]))
        out.stats = dict(res["stats"])
        return out
    res = _core.count_regions(net._core, *domain.parametrization(), max_regions, time_limit, bool(partial), progress)
    out = RegionCount(int(res["count"]), bool(res["complete"]), str(res["reason"]), float(res["elapsed"]))
    out.stats = {"exact_decisions": int(res["exact_decisions"])}
    return out


@overload
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
    executor: Any = None,
    out: None = None,
) -> Regions: ...


@overload
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
    executor: Any = None,
    out: str | os.PathLike[str],
) -> RegionCount: ...


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
    executor: Any = None,
    out: str | os.PathLike[str] | None = None,
) -> Regions | RegionCount:
    """Enumerate the activation regions of `net` on `domain`.

    Parameters are those of :func:`count`, plus:

    affine : bool
        Also compute the network's output affine map on every region (``.affine``).
    facets : bool
        Walk only (selected by "auto" when true): keep what the walk needs for each region's
        H-representation, adjacency and exact volumes (``.facets()``, ``.adjacency``, ``.measures``);
        they are computed on first use. The interval and polygon engines give these without it.
    merge_linear : bool
        Also merge regions into maximal linear regions (``.linear_regions()``); implies `affine`
        (and `facets` for the walk).

    Progress: during the enumeration `progress` receives ``(regions_found, open_nodes, seconds)``;
    with `merge_linear`, if `progress` has a ``start_phase(name, total)`` method it is then called
    with ``("linear regions", count)``, and during the merge `progress` receives ``(regions_done,
    regions_left, seconds)``, ending with ``regions_left == 0``.

    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Run the walk as tasks there (as :func:`count`); the regions come back in the same depth-first
        order, with the same witnesses and statistics, whatever the executor.
    out : path, optional
        Stream the region table to Parquet files in this directory instead of keeping it in memory
        (needs pyarrow; on `threads` threads when no `executor` is given); read it with
        :func:`reluregions.read_regions`. The same call after an interruption resumes the run. With
        `out`, `affine` adds the output maps to the table, `facets` each region's facets (and measure
        in dimension <= 3); `merge_linear` is not available.

    Returns
    -------
    Regions
        The same type from every engine (``.engine`` says which ran): patterns, witnesses, coords,
        measures, affine maps, adjacency, linear regions, locate, save/load, and the geometry of the
        engine (``intervals``, ``polygons`` or ``facets()``). With `out`: a :class:`RegionCount` (the
        number of regions written, with ``complete``, ``reason``, ``elapsed`` and ``stats``).
    """
    if (facets or executor is not None or out is not None) and engine == "auto":
        engine = "walk"  # the one engine that gives H-representations, and the one that runs as tasks
    if out is not None and merge_linear:
        raise ValueError(
            "regions(..., out=...) streams the regions; merge_linear=True needs them in memory (leave out= unset)"
        )
    threads, max_regions, time_limit = _limits(threads, max_regions, time_limit)
    if engine == "vertex":
        raise ValueError("engine='vertex' only counts regions (use count(), or engine='walk' for regions())")
    engine, domain = _check(net, domain, engine, max_regions, time_limit, progress, threads)
    if engine == "walk":
        frame, raw = _walk(
            net,
            domain,
            store=True,
            affine=bool(affine or merge_linear),
            rows=bool(facets or merge_linear),
            threads=threads,
            max_regions=max_regions,
            time_limit=time_limit,
            partial=partial,
            progress=progress,
            executor=executor,
            out=out,
        )
        if out is not None:
            written = RegionCount(int(raw["count"]), bool(raw["complete"]), str(raw["reason"]), float(raw["elapsed"]))
            written.stats = dict(raw["stats"])
            return written
        walked = Regions(net, domain, raw, engine="walk", frame=frame)
        if merge_linear and walked.complete:
            walked.linear_regions(_merge_phase(progress, walked.count))
        return walked
    if facets:
        raise ValueError(
            "facets=True needs engine='walk' (the polygon engine gives .polygons, the interval engine .intervals)"
        )
    raw = _core.enumerate_regions(
        net._core,
        *domain.parametrization(),
        bool(affine or merge_linear),
        max_regions,
        time_limit,
        bool(partial),
        progress,
    )
    result = Regions(net, domain, raw, engine=engine)
    if merge_linear and result.complete:
        result.linear_regions(_merge_phase(progress, result.count))
    return result
