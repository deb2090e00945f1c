"""Ctrl-C latency: seconds from SIGINT to KeyboardInterrupt in long runs of each engine.

    python benchmarks/bench_interrupt.py

The tests only check that a run stops (test_limits.py); this measures how fast (goal: about a second).
"""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np

import reluregions as rr
from reluregions import constructions as C


def latency(run, delay: float = 0.5) -> float:
    fired = []

    def fire() -> None:
        fired.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(delay, fire)
    timer.start()
    try:
        run()
    except KeyboardInterrupt:
        return time.perf_counter() - fired[0]
    finally:
        timer.cancel()
    raise RuntimeError("the run ended before the interrupt: make it longer")


def main() -> None:
    rng = np.random.default_rng(0)
    wide = rr.Network(
        [rng.standard_normal((4000, 2)), rng.standard_normal((1, 4000))], [rng.standard_normal(4000) * 0.5, np.zeros(1)]
    )
    deep = rr.Network(
        [rng.standard_normal((40, 6)) / 6**0.5]
        + [rng.standard_normal((40, 40)) / 40**0.5] * 4
        + [rng.standard_normal((1, 40))],
        [rng.standard_normal(40) * 0.1] * 5 + [np.zeros(1)],
    )
    cases = {
        "interval, zigzag(30, 7) on [0, 1]": lambda: rr.count(C.zigzag(30, 7), rr.Segment([0.0], [1.0])),
        "polygon, 2-4000-1 on [-1, 1]^2": lambda: rr.count(wide, rr.Box([-1, -1], [1, 1])),
        "walk, 6-40x5-1 in [-1, 1]^6, threads=2": lambda: rr.count(deep, rr.Box([-1] * 6, [1] * 6), threads=2),
    }
    for name, run in cases.items():
        times = [latency(run) for _ in range(3)]
        print(f"{name}: interrupt latency {1e3 * np.median(times):.1f} ms (median of 3, max {1e3 * max(times):.1f} ms)")


if __name__ == "__main__":
    main()
