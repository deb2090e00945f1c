"""The walk beyond one machine: serialisable tasks on any executor, region tables streamed to Parquet.

A *task* is an open node of the walk's tree as bytes (its split rows, pattern, centre, points and box,
bit for bit; ``walk_tasks.hpp``); any process expands it with the C++ walk into its regions and, after
a fixed budget of LP solves, into new tasks. Every cut is deterministic, so the tree of tasks and the
result (count, regions in depth-first order, witnesses, statistics) do not depend on the executor, the
number of workers or the order in which tasks finish; a task is a pure function of its bytes, so a lost
worker's task is simply run again.

A task is named by its *key*: the positions, in depth-first order, of the nodes on its path (the root
is ``()``). A region's position in its task's depth-first order extends that key, and these keys sort
in the depth-first order of the whole walk; the Parquet part files are named by them.

Executors: any :class:`concurrent.futures.Executor` (threads or processes) or a
``dask.distributed.Client`` (Dask's retries re-run a lost worker's tasks).
"""

from __future__ import annotations

import base64
import concurrent.futures as cf
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from . import _core
from ._frame import Frame
from ._patterns import unpack_words
from .network import Network

__all__ = ["TASK_WORK", "read_regions", "unpack_patterns"]

#: LP solves a task spends before it hands its open nodes back as new tasks (tens of ms of work: on
#: 64 workers, shorter tasks load Dask's scheduler, longer ones lengthen the chains of tasks; see
#: benchmarks/RESULTS.md).
TASK_WORK = 5_000


_KEY_DIGITS = 12  # hex digits per level of a part file's name (positions below 16^12)
_RETRIES = 3  # Dask: reruns of a task whose worker was lost
_RUNNERS: dict[str, Any] = {}  # per process: problem token -> _core.WalkTasks


def _optional(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{module} is needed for this; install it with: pip install 'reluregions[{extra}]'") from None


class Problem:
    """The walk's problem as plain arrays (picklable): the network, the frame and the exact domain
    arguments of ``_core.walk_regions``. Each process builds its ``_core.WalkTasks`` once (:meth:`runner`)."""

    def __init__(self, net: Network, frame: Frame, exact_args: tuple[Any, ...]) -> None:
        self.weights = [np.ascontiguousarray(w) for w in net.weights]
        self.biases = [np.ascontiguousarray(b) for b in net.biases]
        self.slopes = [float(s) for s in net._slopes]

        self.frame = frame
        self.exact_args = tuple(np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a for a in exact_args)
        h = hashlib.sha256()
        for a in [*self.weights, *self.biases, np.asarray(self.slopes, dtype=np.float64)]:
            h.update(repr(a.shape).encode())
            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
        for a in self.exact_args:
            h.update(repr(np.shape(a)).encode())
            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
        h.update(np.float64(frame.r_cap).tobytes())
        self.token = h.hexdigest()

    def core_network(self) -> Any:
        return _core.Network(list(self.weights), list(self.biases), list(self.slopes))

    def runner(self) -> Any:
        r = _RUNNERS.get(self.token)
        if r is None:
            core_net = self.core_network()
            origin, basis, plo, phi, unit_box, xlo, xhi, A, b, scale = self.exact_args
            r = _core.WalkTasks(
                core_net, origin, basis, plo, phi, bool(unit_box), xlo, xhi, A, b, float(self.frame.r_cap), float(scale)
            )
            _RUNNERS.clear()  # one problem at a time per process
            _RUNNERS[self.token] = r
        return r


# ----------------------------------------------------------------------------------------- keys
def key_name(key: tuple[int, ...]) -> str:
    """The file-name form of a key: fixed-width hex positions joined by '-' (sorts in depth-first order)."""
    return "-".join(f"{p:0{_KEY_DIGITS}x}" for p in key)


def _subkeys(key: tuple[int, ...], order: np.ndarray) -> list[tuple[int, ...]]:
    return [(*key, int(p)) for p in np.flatnonzero(order >= 0)]


def _runs(order: np.ndarray) -> Iterator[tuple[int, int, int]]:
    """``(position, first, stop)``: the maximal runs of regions between subtasks in a task's order."""
    region = 0
    p = 0
    n = order.size
    while p < n:
        if order[p] >= 0:
            p += 1
            continue
        start_p, first = p, region
        while p < n and order[p] < 0:
            p += 1
            region += 1
        yield start_p, first, region


# ----------------------------------------------------------------------------------------- tasks
_REGION_KEYS = ("patterns", "packed", "witness", "radius", "witness_x", "thin", "A", "c", "E")


def expand_task(
    problem: Problem,
    key: tuple[int, ...],
    task: bytes,
    store: bool,
    affine: bool,
    rows: bool,
    work: int,
    out: str | None,
) -> dict[str, Any]:
    """Expand one task (a pure function of its arguments). With `out`, its regions go to Parquet part
    files there and only the count, statistics and new tasks come back."""
    t0 = time.perf_counter()
    raw = problem.runner().expand(task, bool(store or out), affine, rows, int(work))
    order = np.asarray(raw.pop("order"))
    raw["subkeys"] = _subkeys(key, order)
    if out is not None:
        geometry = _geometry(problem, raw) if rows else None
        _write_parts(problem.frame, Path(out), key, order, raw, affine, geometry)
        for k in (*_REGION_KEYS, "rows", "row_units", "row_offsets"):
            raw.pop(k, None)
    else:
        raw["order"] = order
    raw["seconds"] = time.perf_counter() - t0
    return raw


# ----------------------------------------------------------------------------------------- Parquet
def _geometry(problem: Problem, raw: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each region's non-redundant facets (and volume for dimension <= 3), as Regions.facets computes
    them: a region's facets depend on its own rows only (its neighbours, which need every region, are
    not computed here)."""
    fr = problem.frame
    origin, basis, plo, phi, unit_box, xlo, xhi, A, b, scale = problem.exact_args
    return _core.walk_facets(
        problem.core_network(),
        origin,
        basis,
        plo,
        phi,
        bool(unit_box),
        xlo,
        xhi,
        A,
        b,
        float(fr.r_cap),
        float(scale),
        raw["packed"],
        raw["witness"],
        raw["radius"],
        raw["rows"],
        raw["row_units"],
        raw["row_offsets"],
        fr.dim <= 3,
        None,
    )


def _geometry_columns(frame: Frame, geometry: dict[str, np.ndarray], first: int, stop: int) -> dict[str, Any]:
    pa = _optional("pyarrow", "parquet")
    off = geometry["facet_offsets"]
    F = geometry["facets"][off[first] : off[stop]]
    M, m = frame.coord_map()  # u = M s + m: facets a u <= b as (a M) s <= b - a m, unit rows
    A = F[:, :-1] @ M
    b = F[:, -1] - F[:, :-1] @ m
    n = np.linalg.norm(A, axis=1)
    rows = np.concatenate([A / n[:, None], (b / n)[:, None]], axis=1) if len(n) else F
    counts = (off[first : stop + 1] - off[first]).astype(np.int32)  # facets before each region
    flat = pa.array(np.ascontiguousarray(rows, dtype=np.float64).reshape(-1))
    units = pa.array(geometry["facet_units"][off[first] : off[stop]])
    cols = {
        "facets": pa.ListArray.from_arrays(pa.array(counts * (frame.dim + 1)), flat),
        "facet_units": pa.ListArray.from_arrays(pa.array(counts), units),
    }
    if "volume" in geometry:
        cols["measure"] = pa.array(np.asarray(geometry["volume"][first:stop]) * frame.measure_factor)
    return cols


def _table(
    frame: Frame, raw: dict[str, Any], first: int, stop: int, affine: bool, geometry: dict[str, np.ndarray] | None
) -> Any:
    pa = _optional("pyarrow", "parquet")
    n = stop - first
    packed = np.ascontiguousarray(raw["packed"][first:stop], dtype="<u8")
    words = packed.shape[1]
    U = raw["witness"][first:stop]
    if "witness_x" in raw:
        X = coords = np.asarray(raw["witness_x"][first:stop])
    else:
        X, coords = frame.to_input(U), frame.to_coords(U)

    def fixed(a: np.ndarray, width: int) -> Any:
        flat = pa.array(np.ascontiguousarray(a, dtype=np.float64).reshape(-1))
        return pa.FixedSizeListArray.from_arrays(flat, width)

    cols = {
        "pattern": pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(8 * max(words, 1)), n, [None, pa.py_buffer(packed.tobytes() if words else bytes(8 * n))]
        ),
        "witness": fixed(X, X.shape[1] if X.ndim == 2 else frame.dim),
        "coords": fixed(coords, frame.dim),
        "radius": pa.array(np.asarray(raw["radius"][first:stop]) * frame.length_scale),
        "thin": pa.array(np.asarray(raw["thin"][first:stop], dtype=bool)),
    }
    if affine:
        M, m = frame.coord_map()  # u = M s + m: maps in domain coordinates, as Regions.affine
        Au, cu = raw["A"][first:stop], raw["c"][first:stop]
        A = np.einsum("rok,kj->roj", Au, M)
        c = cu + np.einsum("rok,k->ro", Au, m)
        cols["A"] = fixed(A, A.shape[1] * A.shape[2])
        cols["c"] = fixed(c, c.shape[1])
    if geometry is not None:
        cols.update(_geometry_columns(frame, geometry, first, stop))
    return pa.table(cols)


def _write_parts(
    frame: Frame,
    out: Path,
    key: tuple[int, ...],
    order: np.ndarray,
    raw: dict,
    affine: bool,
    geometry: dict[str, np.ndarray] | None,
) -> None:
    pq = _optional("pyarrow.parquet", "parquet")
    for position, first, stop in _runs(order):
        name = key_name((*key, position))
        # unique per writer: a task of an interrupted run in this process may still write the same part
        tmp = out / f"{name}.parquet.{os.getpid()}-{threading.get_ident()}.tmp"
        pq.write_table(_table(frame, raw, first, stop, affine, geometry), tmp)
        os.replace(tmp, out / f"{name}.parquet")  # atomic: a part is whole or absent


def _part_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.parquet"), key=lambda p: p.name)


def read_regions(path: str | os.PathLike[str], dataframe: bool = False) -> Any:
    """The region table written by ``regions(..., out=path)``, in depth-first order.

    Columns: ``pattern`` (packed bits, see :func:`unpack_patterns`), ``witness`` (input space),
    ``coords`` (domain coordinates), ``radius``, ``thin``, and ``A``, ``c`` (the output map on each
    region in domain coordinates, flattened row-major) when written with ``affine=True``, and with
    ``facets=True`` each region's non-redundant facets ``facets`` (rows ``a, b`` of ``a s <= b``, unit
    ``a``, flattened), their hidden units ``facet_units`` (-1: the domain's boundary) and, for
    dimension <= 3, its ``measure``.

    Parameters
    ----------
    path : path
        The directory given to ``regions(..., out=...)``.
    dataframe : bool
        Return a Dask DataFrame instead of a pyarrow dataset (needs ``reluregions[dask]``).

    Returns
    -------
    pyarrow.dataset.Dataset or dask.dataframe.DataFrame
        ``.count_rows()``, ``.to_table()``, ``.to_batches()`` (pyarrow).

    Raises
    ------
    ValueError
        When `path` holds no table, or its run did not finish (resume it with the same call).
    """
    p = Path(path)
    meta = _read_meta(p)
    if meta is None:
        raise ValueError(f"{str(p)!r} holds no region table written by regions(..., out=...)")
    if not meta.get("complete"):
        raise ValueError(f"the run in {str(p)!r} did not finish; run the same regions(..., out=...) call to resume")
    files = [str(f) for f in _part_files(p)]
    if dataframe:
        dd = _optional("dask.dataframe", "dask")
        return dd.read_parquet(files)
    ds = _optional("pyarrow.dataset", "parquet")
    if not files:
        pa = _optional("pyarrow", "parquet")
        return ds.dataset(pa.table({"pattern": pa.array([], pa.binary(8))}))
    return ds.dataset(files, format="parquet")


def unpack_patterns(pattern: Any, widths: tuple[int, ...] | list[int]) -> np.ndarray:
    """Bool patterns ``(R, sum(widths))`` from the packed ``pattern`` column.

    Each layer starts a new 64-bit little-endian word; unit ``i`` of a layer is bit ``i % 64`` of its
    word ``i // 64``.

    Parameters
    ----------
    pattern : pyarrow array or sequence of bytes
        The ``pattern`` column of :func:`read_regions`.
    widths : sequence of int
        The hidden widths of the network (``Network.widths``).

    Returns
    -------
    ndarray of bool, shape (R, sum(widths))
    """
    if hasattr(pattern, "combine_chunks"):  # a pyarrow ChunkedArray
        pattern = pattern.combine_chunks()
    n = len(pattern)
    if hasattr(pattern, "buffers"):  # a pyarrow fixed-size binary array: its data buffer, no copy
        size = pattern.type.byte_width
        data = pattern.buffers()[1]
        words = np.frombuffer(data, dtype="<u8", count=n * size // 8, offset=pattern.offset * size).reshape(n, -1)
    else:
        words = np.frombuffer(b"".join(bytes(p) for p in pattern), dtype="<u8").reshape(n, -1)
    return unpack_words(words, widths)


# ----------------------------------------------------------------------------------------- resume
_META = "_run.json"
_JOURNAL = "_tasks.jsonl"


def _read_meta(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads((path / _META).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    tmp = path / (_META + ".tmp")
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, path / _META)


def _read_journal(path: Path) -> dict[tuple[int, ...], dict[str, Any]]:
    """Finished tasks recorded by an earlier run (a torn last line is ignored)."""
    done: dict[tuple[int, ...], dict[str, Any]] = {}
    try:
        text = (path / _JOURNAL).read_text()
    except FileNotFoundError:
        return done
    good = 0  # characters of whole records
    for line in text.splitlines(keepends=True):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            break
        if not line.endswith("\n"):
            break
        done[tuple(rec["key"])] = rec
        good += len(line)
    if good < len(text):  # a torn last record: cut it, so that new records follow whole ones
        with (path / _JOURNAL).open("r+") as f:
            f.truncate(len(text[:good].encode()))
    return done


def _open_run(path: Path, token: str) -> tuple[dict[tuple[int, ...], dict[str, Any]], dict[str, Any]]:
    """Starts or resumes the run in `path`: the finished tasks, and the run's metadata."""
    path.mkdir(parents=True, exist_ok=True)
    meta = _read_meta(path)
    if meta is None:
        if any(path.iterdir()):
            raise ValueError(f"out={str(path)!r} is not empty and holds no reluregions run; choose an empty directory")
        meta = {"format": 1, "token": token, "complete": False}
        _write_meta(path, meta)
        return {}, meta
    if meta.get("token") != token:
        raise ValueError(
            f"out={str(path)!r} holds a run of another network, domain or options; choose another directory"
        )
    done = _read_journal(path)
    # Parts of tasks that did not finish (and temporary files) are written again. A task of an
    # interrupted run in this process may still be finishing (a thread cannot be stopped): its file can
    # vanish (renamed) under us, and a part it renames later is the same bytes (tasks are deterministic).
    for f in path.iterdir():
        if f.name.endswith(".tmp"):
            f.unlink(missing_ok=True)
        elif f.suffix == ".parquet":
            key = tuple(int(p, 16) for p in f.stem.split("-"))[:-1]
            if key not in done:
                f.unlink(missing_ok=True)
    return done, meta


# ----------------------------------------------------------------------------------------- executors
class _Executor:
    """``submit`` and ``wait`` for a concurrent.futures.Executor or a dask.distributed.Client."""

    def __init__(self, executor: Any) -> None:
        self.dask = type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "scatter")
        if not self.dask and not isinstance(executor, cf.Executor):
            raise TypeError(
                "executor must be a concurrent.futures.Executor or a dask.distributed.Client, "
                f"got {type(executor).__name__}"
            )
        self.executor = executor
        self.finished: Any = None  # Dask: an as_completed iterator (thread-safe with the client's loop)
        if self.dask:
            self.finished = _optional("distributed", "dask").as_completed()

    def submit(self, fn: Callable[..., Any], *args: Any, name: str) -> Any:
        if self.dask:
            fut = self.executor.submit(fn, *args, key=name, pure=False, retries=_RETRIES)
            self.finished.add(fut)
            return fut
        return self.executor.submit(fn, *args)

    def wait(self, futures: set[Any], timeout: float) -> set[Any]:
        if not self.dask:
            return set(cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED).done)
        deadline = time.monotonic() + timeout
        while True:
            done = self.finished.next_batch(block=False)
            if done or time.monotonic() >= deadline:
                return set(done)
            time.sleep(0.005)

    def share(self, problem: Problem) -> Any:
        """The problem as the tasks receive it (scattered once to every Dask worker when it is large)."""
        if self.dask and sum(w.nbytes for w in problem.weights) > 1 << 20:
            return self.executor.scatter(problem, broadcast=True, hash=False)
        return problem


# ----------------------------------------------------------------------------------------- the driver
def _add_stats(total: dict[str, int], stats: dict[str, Any]) -> None:
    for k, v in stats.items():
        total[k] = total.get(k, 0) + int(v)


def _dfs_pieces(results: dict[tuple[int, ...], dict[str, Any]]) -> Iterator[tuple[dict[str, Any], int, int]]:
    """``(task result, first, stop)``: the runs of regions of all tasks, in depth-first order (a task's
    order interleaves its runs of regions and its subtasks); tasks that did not run are skipped."""

    def events(key: tuple[int, ...]) -> Iterator[tuple[int, Any]]:
        res = results.get(key)
        if res is None:
            return iter(())
        ev: list[tuple[int, Any]] = [(p, (res, a, b)) for p, a, b in _runs(res["order"])]
        ev += [(k[-1], k) for k in res["subkeys"]]
        ev.sort(key=lambda e: e[0])
        return iter(ev)

    stack = [events(())]
    while stack:
        e = next(stack[-1], None)
        if e is None:
            stack.pop()
        elif isinstance(e[1], tuple) and isinstance(e[1][0], dict):
            yield e[1]
        else:
            stack.append(events(e[1]))


def _assemble(results: dict[tuple[int, ...], dict[str, Any]], rows: bool) -> dict[str, Any]:
    """One raw result (as ``_core.walk_regions`` gives) from the tasks' results, in depth-first order."""
    pieces = list(_dfs_pieces(results))
    root = results[()]
    raw: dict[str, Any] = {}
    for k in _REGION_KEYS:
        if k in root:
            raw[k] = np.concatenate([res[k][a:b] for res, a, b in pieces]) if pieces else root[k][:0]
    if rows:
        parts, units, offsets, base = [], [], [np.zeros(1, dtype=np.int64)], 0
        for res, a, b in pieces:
            off = res["row_offsets"]
            parts.append(res["rows"][off[a] : off[b]])
            units.append(res["row_units"][off[a] : off[b]])
            offsets.append(off[a + 1 : b + 1] - off[a] + base)
            base += int(off[b] - off[a])
        raw["rows"] = np.concatenate(parts) if parts else root["rows"][:0]
        raw["row_units"] = np.concatenate(units) if units else root["row_units"][:0]
        raw["row_offsets"] = np.concatenate(offsets)
    return raw


def run(
    problem: Problem,
    executor: Any,
    *,
    store: bool,
    affine: bool = False,
    rows: bool = False,
    work: int = TASK_WORK,
    out: str | os.PathLike[str] | None = None,
    max_regions: int | None = None,
    time_limit: float | None = None,
    partial: bool = False,
    progress: Callable[[int, int, float], Any] | None = None,
) -> dict[str, Any]:
    """The walk of `problem` as tasks on `executor`: a raw result as ``_core.walk_regions`` gives (the
    regions in depth-first order when `store` and no `out`), plus ``tasks``: ``(key, seconds)`` of
    every task run. With `out`, regions go to Parquet part files in that directory and a finished or
    interrupted run there is resumed (its finished tasks are not run again)."""
    ex = _Executor(executor)
    if not isinstance(work, (int, np.integer)) or isinstance(work, bool) or work < 1:
        raise ValueError(f"work must be a positive number of LP solves per task, got {work!r}")
    start = time.monotonic()
    options = json.dumps([store, affine, rows, int(work), out is not None])
    token = hashlib.sha256((problem.token + options).encode()).hexdigest()
    nonce = os.urandom(4).hex()
    path = Path(out) if out is not None else None
    if path is not None:
        _optional("pyarrow.parquet", "parquet")
        done, meta = _open_run(path, token)
        if meta.get("complete"):
            return {k: meta[k] for k in ("complete", "reason", "elapsed", "count", "stats")} | {"tasks": []}
        journal = (path / _JOURNAL).open("a")
    else:
        done = {}
    count = 0
    stats: dict[str, int] = {}
    task_times: list[tuple[tuple[int, ...], float]] = []
    results: dict[tuple[int, ...], dict[str, Any]] = {}
    queue: list[tuple[tuple[int, ...], bytes]] = []
    for rec in done.values():
        count += int(rec["count"])
        _add_stats(stats, rec["stats"])
        for sk, tb in zip(rec["subkeys"], rec["subtasks"]):
            if tuple(sk) not in done:
                queue.append((tuple(sk), base64.b64decode(tb)))
    if () not in done:
        queue.append(((), b""))
    shared = ex.share(problem)
    pending: dict[Any, tuple[int, ...]] = {}

    def submit(key: tuple[int, ...], task: bytes) -> None:
        name = f"reluregions-walk-{token[:12]}-{nonce}-{key_name(key) or 'root'}"
        fut = ex.submit(expand_task, shared, key, task, store, affine, rows, int(work), out and str(out), name=name)
        pending[fut] = key

    reason, last_poll = "", start
    try:
        for key, task in queue:
            submit(key, task)
        while pending:
            for fut in ex.wait(set(pending), 0.1):
                key = pending.pop(fut)
                res = fut.result()
                count += int(res["count"])
                _add_stats(stats, res["stats"])
                task_times.append((key, float(res["seconds"])))
                subtasks = res.pop("subtasks")
                for sk, tb in zip(res["subkeys"], subtasks):
                    submit(tuple(sk), tb)
                if path is not None:
                    rec = {
                        "key": list(key),
                        "count": int(res["count"]),
                        "stats": {k: int(v) for k, v in res["stats"].items()},
                        "subkeys": [list(k) for k in res["subkeys"]],
                        "subtasks": [base64.b64encode(t).decode() for t in subtasks],
                        "seconds": float(res["seconds"]),
                    }
                    journal.write(json.dumps(rec) + "\n")
                    journal.flush()
                    os.fsync(journal.fileno())
                elif store:
                    results[key] = res
            now = time.monotonic()
            if time_limit is not None and now - start > time_limit and pending:
                reason = f"time_limit={time_limit:f} s reached"
            if max_regions is not None and count > max_regions:
                reason = f"max_regions={max_regions} reached"
            if reason:
                if not partial:
                    raise _core.LimitExceeded(f"{reason} after {count} regions")
                break
            if progress is not None and (now - last_poll >= 0.1 or not pending):
                last_poll = now
                progress(count, len(pending), now - start)
    finally:
        for fut in pending:
            fut.cancel()
        if path is not None:
            journal.close()
    elapsed = time.monotonic() - start
    if max_regions is not None and count > max_regions:
        count = max_regions
    raw: dict[str, Any] = {"complete": not reason, "reason": reason, "elapsed": elapsed, "count": count}
    raw["stats"] = stats
    raw["tasks"] = task_times
    if path is not None and not reason:
        _write_meta(
            path,
            {"format": 1, "token": token, "complete": True, "reason": "", "elapsed": elapsed}
            | {"count": count, "stats": stats},
        )
    if store and path is None:
        raw.update(_assemble(results, rows))
        if max_regions is not None and raw["packed"].shape[0] > max_regions:
            for k in _REGION_KEYS:
                if k in raw:
                    raw[k] = raw[k][:max_regions]
            if rows:
                off = raw["row_offsets"][: max_regions + 1]
                raw.update(rows=raw["rows"][: off[-1]], row_units=raw["row_units"][: off[-1]], row_offsets=off)
        raw["count"] = int(raw["packed"].shape[0])
    return raw
