"""Limits, partial results, progress and Ctrl-C."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import reluregions as rr
from reluregions import constructions as C

UNIT = rr.Box([0.0], [1.0])


def test_max_regions_raises():
    with pytest.raises(rr.LimitExceeded, match="max_regions=100"):
        rr.count(C.zigzag(10, 5), UNIT, max_regions=100)
    with pytest.raises(rr.LimitExceeded, match="max_regions=100 reached after 100 regions"):
        rr.regions(C.zigzag(10, 5), UNIT, max_regions=100)
    assert issubclass(rr.LimitExceeded, RuntimeError)


def test_partial_results_are_marked():
    n = rr.count(C.zigzag(10, 5), UNIT, max_regions=100, partial=True)
    assert n == 100 and not n.complete and "max_regions" in n.reason
    res = rr.regions(C.zigzag(10, 5), UNIT, max_regions=50, partial=True)
    assert res.count == 50 and not res.complete
    with pytest.raises(ValueError, match="partial"):
        res.linear_regions()
    full = rr.count(C.zigzag(3, 3), UNIT, max_regions=64)
    assert full == 64 and full.complete


def test_time_limit():
    slow = C.zigzag(30, 7)  # 31^7 ~ 2.8e10 regions: many minutes; a stopped run proves the limit works
    t0 = time.perf_counter()
    with pytest.raises(rr.LimitExceeded, match="time_limit"):
        rr.count(slow, UNIT, time_limit=0.2)
    assert time.perf_counter() - t0 < 30.0  # not a timing test: only "it stopped" (latency: benchmarks/)
    n = rr.count(slow, UNIT, time_limit=0.2, partial=True)
    assert not n.complete and 0 < n < 31**7


SQUARE = rr.Box([-1.0, -1.0], [1.0, 1.0])


def _wide_layer(width, seed):
    rng = np.random.default_rng(seed)
    return rr.Network([rng.normal(size=(width, 2)), np.ones((1, width))], [rng.normal(size=width) * 0.3, np.zeros(1)])


def test_partial_results_on_a_wide_single_layer():
    """The polygon engine splits a layer depth first: a small max_regions stops it after that many
    regions of the layer (not after the whole layer's pieces), each a true region of the network."""
    net = _wide_layer(300, 5)
    n = rr.count(net, SQUARE, max_regions=100, partial=True)
    assert n == 100 and not n.complete and "max_regions=100" in n.reason
    part = rr.regions(net, SQUARE, max_regions=100, partial=True)
    assert part.count == 100 and not part.complete
    assert (net.activation_pattern(part.witnesses, exact=True) == part.patterns).all()
    assert len({p.tobytes() for p in part.patterns}) == 100
    full = {p.tobytes() for p in rr.regions(net, SQUARE).patterns}
    assert {p.tobytes() for p in part.patterns} <= full


def test_time_limit_returns_a_partial_count_on_a_wide_single_layer():
    # 2,000 lines: about 1.8 million regions in one layer; stopped by the first time check.
    net = _wide_layer(2000, 6)
    n = rr.count(net, SQUARE, time_limit=0.01, partial=True)
    assert not n.complete and "time_limit" in n.reason
    assert 0 < n < 1 + 2000 + 2000 * 1999 // 2


def test_progress_callback_reports_and_can_abort():
    calls = []

    def progress(found, open_nodes, elapsed):
        calls.append((found, elapsed))
        if len(calls) >= 3:
            raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        rr.count(C.zigzag(20, 6), UNIT, progress=progress)
    assert len(calls) == 3 and calls[-1][0] > calls[0][0]


def test_ctrl_c_interrupts_within_a_second():
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt, match="^$"):  # the plain interrupt, re-raised as it came
            rr.count(C.zigzag(30, 7), UNIT)  # ~2.8e10 regions: many minutes uninterrupted
    finally:
        timer.cancel()
    assert time.perf_counter() - t0 < 30.0  # not a timing test: only "it stopped" (latency: benchmarks/)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_regions": 0}, ValueError, "max_regions must be a positive integer or None, got 0"),
        ({"max_regions": 2.5}, ValueError, "max_regions must be a positive integer or None, got 2.5"),
        ({"time_limit": -1}, ValueError, "time_limit must be a positive number of seconds or None, got -1"),
        ({"progress": 3}, TypeError, r"progress must be callable"),
        ({"engine": "polygon"}, ValueError, "engine='polygon' cannot handle a 1-dimensional Box"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        rr.count(C.zigzag(3, 2), UNIT, **kwargs)


def test_bad_network_or_domain():
    net = C.zigzag(3, 2)
    with pytest.raises(ValueError, match="R\\^2 but the network has 1 input"):
        rr.count(net, rr.Box([0, 0], [1, 1]))
    with pytest.raises(TypeError, match="Network"):
        rr.count("net", UNIT)
    with pytest.raises(TypeError, match="domain"):
        rr.count(net, (0, 1))
    net3 = rr.Network([np.ones((2, 3)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    with pytest.raises(ValueError, match="engine='interval' cannot handle a 3-dimensional Box"):
        rr.count(net3, rr.Box([0, 0, 0], [1, 1, 1]), engine="interval")
