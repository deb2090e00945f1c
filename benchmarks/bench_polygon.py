"""Before/after benchmark of the 2-D polygon engine (and the zigzag), several installs side by side.

    python benchmarks/bench_polygon.py --python A/bin/python --python B/bin/python        # light cases
    python benchmarks/bench_polygon.py --heavy --python A/bin/python --python B/bin/python  # wide layers
    python benchmarks/bench_polygon.py --regioncam    # also regioncam (in the first interpreter)

Each measurement runs in a fresh process of the given interpreter (``--worker``), so the peak RSS it
reports is that run's; the interpreters take turns (A, B, A, B, ...) round by round, in a rotating
order, and the table reports the median over all samples and the ratio of the medians to the first
interpreter. Light cases: one warm-up call, then ``--samples`` timed calls per round (calls shorter than
about 20 ms are looped inside a sample, as timeit does). Heavy cases (``--heavy``): one timed call.
Timings are printed, never asserted. Results: benchmarks/RESULTS.md.

Networks: He-initialised (biases N(0, 0.1^2), weights rounded to float32 as in bench_engines.py),
seed 0, on [-1, 1]^2; 2-1000-1 has 453,746 regions and 2-2000-1 1,829,270.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

LIGHT = ["zigzag count", "64^3 count", "64^3 regions", "128^3 count", "128^3 regions"]
HEAVY = ["2-1000-1 count", "2-2000-1 count", "2-2000-1 partial"]
REGIONCAM = ["64^3 regioncam", "128^3 regioncam", "2-1000-1 regioncam"]


def _network(case: str):
    import reluregions as rr
    from reluregions import constructions

    sys.path.insert(0, str(HERE))
    from bench_engines import he_network

    square = rr.Box([-1.0, -1.0], [1.0, 1.0])
    name = case.split()[0]
    if name == "zigzag":
        return constructions.zigzag(10, 5), rr.Box([0.0], [1.0])
    if name.endswith("^3"):
        w = int(name[:-2])
        return he_network([w] * 3, 0), square
    return he_network([int(name.split("-")[1])], 0), square


def worker(case: str, samples: int, heavy: bool) -> dict:
    import reluregions as rr

    net, dom = _network(case)
    what = case.split()[1]
    out: dict = {}
    if what == "regioncam":
        sys.path.insert(0, str(HERE))
        from bench_engines import regioncam_count

        def fn():
            return regioncam_count(net)
    elif what == "partial":
        # Progress and a partial count from the first second on: the first progress report with a
        # non-zero count (given up after 5 s), then a 1 s time limit.
        first: list = []

        class Enough(Exception):
            pass

        def progress(found, open_nodes, seconds):
            if found > 0 or seconds > 5:
                first.append((found, round(seconds, 2)))
                raise Enough

        with contextlib.suppress(Enough):
            rr.count(net, dom, progress=progress)
        out["first_progress"] = first[0] if first else None
        t0 = time.perf_counter()
        c = rr.count(net, dom, time_limit=1.0, partial=True)
        out["times"] = [time.perf_counter() - t0]
        out["count"] = int(c)
        out["complete"] = bool(c.complete)
        out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return out
    elif what == "count":

        def fn():
            return rr.count(net, dom)
    else:

        def fn():
            return rr.regions(net, dom)

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times = []
    if heavy:
        t0 = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t0)
    else:
        t0 = time.perf_counter()
        res = fn()
        first = time.perf_counter() - t0
        number = max(1, min(1000, int(0.02 / max(first, 1e-9))))
        for _ in range(samples):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            times.append((time.perf_counter() - t0) / number)
    out["times"] = times
    out["count"] = int(res) if not hasattr(res, "count") else int(res.count)
    out["maxrss_mb_before"] = rss0
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_worker(python: str, case: str, samples: int, heavy: bool) -> dict:
    cmd = [python, str(Path(__file__).resolve()), "--worker", case, "--samples", str(samples)]
    if heavy:
        cmd.append("--heavy")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd="/tmp")
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1e3:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", action="append", help="interpreter with a reluregions installed (repeatable)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--heavy", action="store_true", help="the wide single layers (one call per round)")
    ap.add_argument("--regioncam", action="store_true", help="also regioncam, in the first interpreter")
    ap.add_argument("--cases", help="comma-separated subset of the cases")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.samples, args.heavy)))
        return
    pythons = args.python or [sys.executable]
    cases = HEAVY if args.heavy else LIGHT
    if args.cases:
        cases = [c.strip() for c in args.cases.split(",")]
    print(
        f"date (UTC): {time.strftime('%Y-%m-%d %H:%M', time.gmtime())}; nproc {os.cpu_count()}; load {os.getloadavg()}"
    )
    print("command: " + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]))
    results: dict = {(c, p): [] for c in cases for p in pythons}
    extra: dict = {}
    for r in range(args.rounds):
        for case in cases:
            order = pythons[r % len(pythons) :] + pythons[: r % len(pythons)]
            for py in order:
                res = run_worker(py, case, args.samples, args.heavy)
                print(f"round {r} | {case} | {py} | {json.dumps(res)}", flush=True)
                if "error" not in res:
                    results[(case, py)].extend(res["times"])
                    extra.setdefault((case, py), []).append(res)
        if args.regioncam:
            for case in REGIONCAM if not args.heavy else REGIONCAM[2:]:
                if not args.heavy and case.startswith("2-1000"):
                    continue
                res = run_worker(pythons[0], case, args.samples, args.heavy)
                print(f"round {r} | {case} | {pythons[0]} | {json.dumps(res)}", flush=True)
                if "error" not in res:
                    results.setdefault((case, pythons[0]), []).extend(res["times"])
                    extra.setdefault((case, pythons[0]), []).append(res)
    print("\n| case | " + " | ".join(pythons) + " |")
    print("|---|" + "---:|" * len(pythons))
    for case in sorted({c for c, _ in results}, key=lambda c: (cases + REGIONCAM).index(c)):
        cells = []
        base = results.get((case, pythons[0])) or []
        for py in pythons:
            ts = results.get((case, py)) or []
            if not ts:
                cells.append("-")
                continue
            med = statistics.median(ts)
            info = extra[(case, py)][-1]
            cell = f"{_fmt(med)} (n={len(ts)}, {info['count']:,} regions, RSS {info['maxrss_mb']:.0f} MB"
            if "first_progress" in info:
                cell += f", first report {info['first_progress']}"
            cell += ")"
            if base and py != pythons[0]:
                cell += f" {med / statistics.median(base):.2f}x"
            cells.append(cell)
        print(f"| {case} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
