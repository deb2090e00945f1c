"""The walk as tasks on executors (threads, processes, a Dask cluster), Parquet output and resume.

Invariances: the same count, regions in depth-first order, witnesses and statistics whatever the
executor, its number of workers or the order tasks finish in; the count and patterns of the threaded
walk (`executor=None`); with no task budget, its witnesses and statistics too. Every witness's pattern
is checked exactly (`activation_pattern(..., exact=True)`).
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import reluregions as rr
from reluregions import distributed
from reluregions._frame import Frame

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")


def _net(widths: list[int], seed: int) -> rr.Network:
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(o, i)) for i, o in zip(widths[:-1], widths[1:])]
    bs = [rng.normal(size=o) * 0.3 for o in widths[1:]]
    return rr.Network(Ws, bs)


# Random nets in R^3..R^6 and an ACAS-shaped one (5 inputs, equal hidden layers, 5 outputs).
NETS = {
    "R3": ([3, 9, 9, 1], 1),
    "R4": ([4, 8, 8, 1], 2),
    "R5": ([5, 7, 7, 1], 3),
    "R6": ([6, 6, 6, 1], 4),
    "acas": ([5, 6, 6, 6, 5], 5),
}


def _problem(net: rr.Network, domain: rr.Domain) -> distributed.Problem:
    frame = Frame(domain, net.input_dim, "walk", network=net)
    return distributed.Problem(net, frame, frame.exact_args(domain, net.input_dim))


def _box(d: int) -> rr.Box:
    return rr.Box(-np.ones(d), np.ones(d))


def _check_witnesses(net: rr.Network, raw: dict) -> None:
    ok = ~np.asarray(raw["thin"])
    X = raw["witness_x"][ok]
    assert (net.activation_pattern(X, exact=True) == raw["patterns"][ok]).all()


@pytest.fixture(scope="module")
def processes():
    with ProcessPoolExecutor(2) as pool:
        yield pool


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("distributed")
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc,
        Client(lc) as client,
    ):
        yield client


@pytest.mark.parametrize("name", sorted(NETS))
def test_executors_give_the_same_regions(name, processes, cluster):
    widths, seed = NETS[name]
    net, box = _net(widths, seed), _box(widths[0])
    threaded = rr.regions(net, box)
    problem = _problem(net, box)
    runs = {}
    with ThreadPoolExecutor(3) as threads:
        for label, ex in (("threads", threads), ("processes", processes), ("dask", cluster)):
            runs[label] = distributed.run(problem, ex, store=True, work=30)
    first = runs["threads"]
    assert len(first["tasks"]) > 10  # the budget split the tasks
    for raw in runs.values():
        assert raw["count"] == threaded.count
        assert (raw["patterns"] == threaded.patterns).all()  # depth-first order
        assert np.array_equal(raw["witness_x"], first["witness_x"])
        assert np.array_equal(raw["radius"], first["radius"])
        assert raw["stats"] == first["stats"]
        assert sorted(k for k, _ in raw["tasks"]) == sorted(k for k, _ in first["tasks"])
    _check_witnesses(net, first)


def test_without_a_budget_the_tasks_are_the_threads_tasks(processes):
    widths, seed = NETS["R4"]
    net, box = _net(widths, seed), _box(4)
    threaded = rr.regions(net, box, affine=True)
    res = rr.regions(net, box, affine=True, executor=processes)  # the default budget
    assert res.count == threaded.count
    assert (res.patterns == threaded.patterns).all()
    raw = distributed.run(_problem(net, box), processes, store=True, affine=True, work=2**62)
    assert np.array_equal(raw["witness_x"], threaded.witnesses)
    assert np.array_equal(raw["A"], threaded._raw["A"])
    assert raw["stats"] == threaded.stats


def test_count_and_limits_with_an_executor():
    widths, seed = NETS["R3"]
    net, box = _net(widths, seed), _box(3)
    truth = int(rr.count(net, box, threads=1))
    with ThreadPoolExecutor(2) as ex:
        assert int(rr.count(net, box, executor=ex)) == truth
        part = rr.regions(net, box, executor=ex, max_regions=10, partial=True)
        assert not part.complete and part.count == 10 and "max_regions=10" in part.reason
        with pytest.raises(rr.LimitExceeded, match="max_regions=10 reached"):
            rr.count(net, box, executor=ex, max_regions=10)
        seen = []
        rr.count(net, box, executor=ex, progress=lambda *a: seen.append(a))
        assert seen and seen[-1][0] == truth and seen[-1][1] == 0


def test_fault_a_killed_worker_changes_nothing(cluster):
    widths, seed = [4, 9, 9, 1], 11
    net, box = _net(widths, seed), _box(4)
    truth = int(rr.count(net, box, threads=1))
    problem = _problem(net, box)
    pids = list(cluster.run(os.getpid).values())
    killed = []

    def kill_one(found, open_tasks, seconds):
        if not killed and open_tasks > 0:
            os.kill(pids[0], signal.SIGKILL)  # the nanny starts a new worker; Dask reruns its tasks
            killed.append(pids[0])

    raw = distributed.run(problem, cluster, store=False, work=100, progress=kill_one)
    assert killed
    assert raw["count"] == truth
    assert raw["complete"]
    cluster.wait_for_workers(2, timeout=60)


def test_out_interrupt_and_resume(tmp_path):
    pytest.importorskip("pyarrow")
    widths, seed = NETS["R5"]
    net, box = _net(widths, seed), _box(5)
    problem = _problem(net, box)
    with ThreadPoolExecutor(2) as ex:
        whole = distributed.run(problem, ex, store=True, affine=True, work=25)
        calls = []

        def interrupt(found, open_tasks, seconds):
            calls.append(found)
            if len(calls) == 3:
                raise KeyboardInterrupt

        out = tmp_path / "run"
        with pytest.raises(KeyboardInterrupt):
            distributed.run(problem, ex, store=True, affine=True, work=25, out=out, progress=interrupt)
        with pytest.raises(ValueError, match="did not finish"):
            rr.read_regions(out)
        journal = (out / "_tasks.jsonl").read_text().splitlines()
        assert 0 < len(journal) < len(whole["tasks"])
        with (out / "_tasks.jsonl").open("a") as f:
            f.write('{"key": [3, 1], "cou')  # a record torn by a killed process
        (out / "stale.parquet.123.tmp").write_bytes(b"partial")
        resumed = distributed.run(problem, ex, store=True, affine=True, work=25, out=out)
        assert resumed["count"] == whole["count"] and resumed["stats"] == whole["stats"]
        assert len(resumed["tasks"]) == len(whole["tasks"]) - len(journal)  # finished tasks are not run again
        assert not list(out.glob("*.tmp"))
    table = rr.read_regions(out).to_table()
    assert table.num_rows == whole["count"]
    patterns = distributed.unpack_patterns(table["pattern"], net.widths)
    assert (patterns == whole["patterns"]).all()  # same order, no region twice, none missing
    assert np.array_equal(np.stack(table["witness"].to_numpy(zero_copy_only=False)), whole["witness_x"])
    A = np.stack(table["A"].to_numpy(zero_copy_only=False)).reshape(whole["A"].shape)
    assert np.array_equal(A, rr.regions(net, box, affine=True).affine[0])  # maps follow from the patterns
    # The same call again: the finished run is read back, not redone.
    with ThreadPoolExecutor(1) as ex:
        again = distributed.run(problem, ex, store=True, affine=True, work=25, out=out)
    assert again["count"] == whole["count"] and again["tasks"] == []


def test_regions_out_through_the_api(tmp_path, cluster):
    pytest.importorskip("pyarrow")
    widths, seed = NETS["acas"]
    net, box = _net(widths, seed), _box(5)
    mem = rr.regions(net, box, affine=True)
    written = rr.regions(net, box, affine=True, executor=cluster, out=tmp_path / "t")
    assert int(written) == mem.count and written.complete
    ds = rr.read_regions(tmp_path / "t")
    assert ds.count_rows() == mem.count
    table = ds.to_table()
    assert (distributed.unpack_patterns(table["pattern"], net.widths) == mem.patterns).all()
    A, c = mem.affine
    assert np.array_equal(np.stack(table["A"].to_numpy(zero_copy_only=False)).reshape(A.shape), A)
    assert np.array_equal(np.stack(table["c"].to_numpy(zero_copy_only=False)), c)
    pytest.importorskip("dask.dataframe")
    frame = rr.read_regions(tmp_path / "t", dataframe=True)
    assert len(frame) == mem.count


def test_bad_input(tmp_path):
    widths, seed = NETS["R3"]
    net, box = _net(widths, seed), _box(3)
    with pytest.raises(TypeError, match="concurrent.futures.Executor or a dask.distributed.Client"):
        rr.count(net, box, executor=object())
    problem = _problem(net, box)
    with ThreadPoolExecutor(1) as ex, pytest.raises(ValueError, match="positive number of LP solves"):
        distributed.run(problem, ex, store=False, work=0)
    with pytest.raises(ValueError, match="walk task: not a task"):
        problem.runner().expand(b"x" * 64, False, False, False, 0)
    pytest.importorskip("pyarrow")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "other.txt").write_text("x")
    with pytest.raises(ValueError, match="is not empty"):
        rr.regions(net, box, out=tmp_path / "full")
    rr.regions(net, box, out=tmp_path / "a")
    with pytest.raises(ValueError, match="holds a run of another network"):
        rr.regions(_net(widths, seed + 1), box, out=tmp_path / "a")
    with pytest.raises(ValueError, match="merge_linear=True needs them in memory"):
        rr.regions(net, box, out=tmp_path / "b", merge_linear=True)
    with pytest.raises(ValueError, match="holds no region table"):
        rr.read_regions(tmp_path / "full")


def test_cli_scheduler_and_out(tmp_path, cluster, capsys):
    pytest.importorskip("pyarrow")
    from reluregions.cli import main

    widths, seed = NETS["R3"]
    net = _net(widths, seed)
    path = tmp_path / "net.npz"
    net.save(path)
    truth = int(rr.count(net, _box(3), threads=1))
    box = ["--box", "-1,-1,-1", "1,1,1"]
    assert main(["count", str(path), *box, "--no-linear", "--scheduler", cluster.scheduler.address, "--json"]) == 0
    assert f'"regions": {truth}' in capsys.readouterr().out
    out = tmp_path / "table"
    assert main(["count", str(path), *box, "--out", str(out), "--json"]) == 0
    assert f'"regions": {truth}' in capsys.readouterr().out
    assert rr.read_regions(out).count_rows() == truth
    assert main(["count", str(path), *box, "--workers", "0"]) == 2
    assert "--workers must be a positive integer" in capsys.readouterr().err


def test_out_with_facets_and_measures(tmp_path):
    pytest.importorskip("pyarrow")
    widths, seed = NETS["R3"]
    net, box = _net(widths, seed), rr.Box([-1.0, -0.5, 0.0], [1.0, 1.5, 0.5])
    mem = rr.regions(net, box, facets=True)
    with ThreadPoolExecutor(2) as ex:
        assert int(rr.regions(net, box, facets=True, executor=ex, out=tmp_path / "f")) == mem.count
    table = rr.read_regions(tmp_path / "f").to_table()
    measure = table["measure"].to_numpy()
    assert measure.sum() == pytest.approx(2.0 * 2.0 * 0.5, rel=1e-9)  # the box's volume
    assert np.allclose(measure, mem.measures, rtol=1e-9, atol=0)
    facets = table["facets"].to_pylist()
    units = table["facet_units"].to_pylist()
    for r in (0, mem.count // 2, mem.count - 1):
        A, b, u = mem.facets(r)
        got = np.array(facets[r]).reshape(-1, 4)
        want = np.c_[A, b]
        assert sorted(units[r]) == sorted(u.tolist())
        assert np.allclose(got[np.lexsort(got.T[::-1])], want[np.lexsort(want.T[::-1])], rtol=1e-12, atol=1e-15)
