"""The walk as tasks: streaming to Parquet (peak memory), 1 vs 2 Dask workers, simulated speed-up.

    python benchmarks/bench_distributed.py stream DIR [--widths 3,96,96,96,1 --half 3 --threads 2]
    python benchmarks/bench_distributed.py scaling [--widths 4,24,24,1 --repeats 3]
    python benchmarks/bench_distributed.py simulate [--widths 8,12,12,1 --workers 8,64,512 --work 5000 --save F]
    python benchmarks/bench_distributed.py replay F [--overheads 0.001,0.0002]

`stream` writes the regions of a random net on [-half, half]^d with regions(..., out=DIR) on threads
and reports the count, the time and the process's peak RSS (ru_maxrss). `scaling` times a LocalCluster
of 1 and 2 worker processes, interleaved (1, 2, 1, 2, ...), and the scheduler's per-task overhead (empty
tasks). `simulate` runs the walk as tasks, records every task's duration and parent, and replays the
task tree on P workers (greedy list scheduling, a task becomes ready when its parent ends, each task
costs its duration plus the per-task overhead: the one measured with empty tasks on a LocalCluster
here, and the ones given by --overheads).
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import platform
import resource
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

import reluregions as rr
from reluregions import distributed
from reluregions._frame import Frame


def random_net(widths: list[int], seed: int = 0) -> rr.Network:
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(o, i)) / np.sqrt(i) for i, o in zip(widths[:-1], widths[1:])]
    return rr.Network(Ws, [rng.normal(size=o) * 0.5 for o in widths[1:]])


def he_network(dims: list[int]) -> rr.Network:
    """bench_walk.py's networks (He init, seed = input dimension): 8-12-12-1 has 894,421 regions in [-1, 1]^8."""
    rng = np.random.default_rng(dims[0])
    Ws = [rng.normal(size=(dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i]) for i in range(len(dims) - 1)]
    return rr.Network(Ws, [rng.normal(size=dims[i + 1]) * 0.1 for i in range(len(dims) - 1)])


def problem_of(net: rr.Network, box: rr.Box) -> distributed.Problem:
    frame = Frame(box, net.input_dim, "walk", network=net)
    return distributed.Problem(net, frame, frame.exact_args(box, net.input_dim))


def stream(args: argparse.Namespace) -> dict:
    net = random_net(args.widths, args.seed)
    d = args.widths[0]
    box = rr.Box(-np.full(d, args.half), np.full(d, args.half))
    shutil.rmtree(args.dir, ignore_errors=True)
    last = [0.0]

    def progress(found: int, open_tasks: int, seconds: float) -> None:
        if seconds - last[0] >= 30:
            last[0] = seconds
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  {seconds:7.0f} s  {found:,} regions  {open_tasks} open tasks  peak RSS {rss:.0f} MB", flush=True)

    t0 = time.perf_counter()
    written = rr.regions(
        net, box, out=args.dir, threads=args.threads, time_limit=args.time_limit, partial=True, progress=progress
    )
    seconds = time.perf_counter() - t0
    files = [f for f in os.listdir(args.dir) if f.endswith(".parquet")]
    size = sum(os.path.getsize(os.path.join(args.dir, f)) for f in files)
    return {
        "net": args.widths,
        "box_half": args.half,
        "regions": int(written),
        "complete": written.complete,
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "parquet_files": len(files),
        "parquet_mb": size / 2**20,
        "threads": args.threads,
    }


def _empty() -> int:
    return 0


def task_overhead(client, n: int = 400) -> float:
    """Seconds per task of the scheduler for empty tasks submitted together (round trip included)."""
    t0 = time.perf_counter()
    futures = [client.submit(_empty, pure=False) for _ in range(n)]
    client.gather(futures)
    return (time.perf_counter() - t0) / n


def scaling(args: argparse.Namespace) -> dict:
    from dask.distributed import Client, LocalCluster

    net = he_network(args.widths)
    d = args.widths[0]
    box = rr.Box(-np.ones(d), np.ones(d))
    truth = int(rr.count(net, box))
    times: dict[int, list[float]] = {1: [], 2: []}
    overhead = []
    clusters = {}
    try:
        for w in (1, 2):
            lc = LocalCluster(n_workers=w, threads_per_worker=1, processes=True, dashboard_address=":0")
            clusters[w] = (lc, Client(lc))
        for _ in range(args.repeats):
            for w in (1, 2):
                client = clusters[w][1]
                t0 = time.perf_counter()
                n = rr.count(net, box, executor=client)
                times[w].append(time.perf_counter() - t0)
                assert int(n) == truth
            overhead.append(task_overhead(clusters[2][1]))
    finally:
        for lc, client in clusters.values():
            client.close()
            lc.close()
    m1, m2 = statistics.median(times[1]), statistics.median(times[2])
    return {
        "net": args.widths,
        "regions": truth,
        "seconds_1_worker": times[1],
        "seconds_2_workers": times[2],
        "median_1": m1,
        "median_2": m2,
        "speedup": m1 / m2,
        "overhead_per_task_s": statistics.median(overhead),
    }


def simulate_schedule(tasks: list[tuple[tuple[int, ...], float]], workers: int, overhead: float) -> float:
    """Makespan of the task tree on `workers`: a task is ready when its parent has finished; the
    scheduler hands out one task at a time, `overhead` seconds each (serially: its throughput bounds
    the run), and a worker runs the task for its recorded duration."""
    children: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
    cost = {}
    for key, sec in tasks:
        cost[key] = sec
        if key:
            children.setdefault(key[:-1], []).append(key)
    ready = [(0.0, ())]  # (ready time, key)
    free = [0.0] * workers
    heapq.heapify(free)
    scheduler = 0.0  # when the scheduler can hand out the next task
    end = 0.0
    while ready:
        t_ready, key = heapq.heappop(ready)
        worker = heapq.heappop(free)
        start = max(t_ready, worker, scheduler) + overhead
        scheduler = start
        finish = start + cost[key]
        heapq.heappush(free, finish)
        end = max(end, finish)
        for child in children.get(key, []):
            heapq.heappush(ready, (finish, child))
    return end


def replay(args: argparse.Namespace) -> dict:
    """The simulation of `simulate` from a saved run (--save)."""
    saved = json.loads(Path(args.tasks).read_text())
    tasks = [(tuple(k), s) for k, s in saved["tasks"]]
    serial = sum(s for _, s in tasks)
    out: dict = {"tasks": len(tasks), "serial_seconds": serial, "measured_overhead_s": saved["overhead"]}
    for o in (saved["overhead"], *args.overheads):
        for p in args.workers:
            span = simulate_schedule(tasks, p, o)
            out[f"speedup_{p}_overhead_{o * 1e3:.1f}ms"] = round(serial / span, 2)
            out[f"efficiency_{p}_overhead_{o * 1e3:.1f}ms"] = round(serial / span / p, 3)
    return out


def simulate(args: argparse.Namespace) -> dict:
    from dask.distributed import Client, LocalCluster

    net = he_network(args.widths)
    d = args.widths[0]
    box = rr.Box(-np.ones(d), np.ones(d))
    problem = problem_of(net, box)
    with ThreadPoolExecutor(1) as one:  # one at a time: durations without contention between tasks
        t0 = time.perf_counter()
        raw = distributed.run(problem, one, store=False, work=args.work)
        wall = time.perf_counter() - t0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc, Client(lc) as c:
        overhead = statistics.median(task_overhead(c) for _ in range(3))
    tasks = raw["tasks"]
    serial = sum(s for _, s in tasks)
    seconds = dict(tasks)
    # The longest chain of tasks (each waits for its parent): no number of workers ends sooner.
    chain = {k: sum(seconds[k[:i]] + overhead for i in range(len(k) + 1)) for k in seconds}
    out = {
        "net": args.widths,
        "regions": int(raw["count"]),
        "tasks": len(tasks),
        "work_per_task": args.work,
        "serial_seconds": serial,
        "wall_one_thread": wall,
        "overhead_per_task_s": overhead,
        "longest_task_s": max(s for _, s in tasks),
        "root_task_s": seconds[()],
        "critical_path_s": max(chain.values()),
        "depth_of_task_tree": max(len(k) for k, _ in tasks),
    }
    if args.save:
        Path(args.save).write_text(json.dumps({"tasks": [[list(k), s] for k, s in tasks], "overhead": overhead}))
    for o in (overhead, *args.overheads):
        for p in args.workers:
            span = simulate_schedule(tasks, p, o)
            out[f"speedup_{p}_overhead_{o * 1e3:.1f}ms"] = round(serial / span, 2)
            out[f"efficiency_{p}_overhead_{o * 1e3:.1f}ms"] = round(serial / span / p, 3)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    s = sub.add_parser("stream")
    s.add_argument("dir")
    s.add_argument("--widths", type=lambda t: [int(x) for x in t.split(",")], default=[3, 96, 96, 96, 1])
    s.add_argument("--half", type=float, default=3.0)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--time-limit", type=float, default=None)
    s.add_argument("--seed", type=int, default=0)
    c = sub.add_parser("scaling")
    c.add_argument("--widths", type=lambda t: [int(x) for x in t.split(",")], default=[4, 24, 24, 1])
    c.add_argument("--repeats", type=int, default=3)
    c.add_argument("--seed", type=int, default=0)
    m = sub.add_parser("simulate")
    m.add_argument("--widths", type=lambda t: [int(x) for x in t.split(",")], default=[8, 12, 12, 1])
    m.add_argument("--workers", type=lambda t: [int(x) for x in t.split(",")], default=[8, 64, 512])
    m.add_argument("--work", type=int, default=distributed.TASK_WORK)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--save", help="write the tasks' keys and durations (JSON) here")
    m.add_argument(
        "--overheads",
        type=lambda t: [float(x) for x in t.split(",")],
        default=[0.001, 0.005],
        help="per-task overheads (s) to simulate besides the measured one",
    )
    r = sub.add_parser("replay")
    r.add_argument("tasks", help="a file written by simulate --save")
    r.add_argument("--workers", type=lambda t: [int(x) for x in t.split(",")], default=[8, 64, 512])
    r.add_argument("--overheads", type=lambda t: [float(x) for x in t.split(",")], default=[0.001, 0.0002])
    args = p.parse_args()
    res = {"stream": stream, "scaling": scaling, "simulate": simulate, "replay": replay}[args.what](args)
    res["machine"] = {"nproc": os.cpu_count(), "cpu": platform.processor() or platform.machine()}
    res["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
