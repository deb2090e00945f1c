"""Bad input gets one clear line (CLI, exit code 2) or a ValueError naming the problem (API); NumPy
scalars are accepted as limits; a network without hidden layers is one region (issue 9)."""

import json
import zipfile

import numpy as np
import pytest

import reluregions as rr
from test_newcomer import run_cli


def small_net(d=2, widths=(5,), seed=0):
    rng = np.random.default_rng(seed)
    sizes = [d, *widths, 1]
    return rr.Network(
        [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])], [rng.normal(size=o) for o in sizes[1:]]
    )


def bad_files(tmp_path):
    good = tmp_path / "good.npz"
    small_net().save(good)
    data = good.read_bytes()
    files = {
        "truncated": (tmp_path / "corrupt.npz", data[: len(data) // 2], "corrupt or truncated"),
        "empty": (tmp_path / "empty.npz", b"", "the file is empty"),
        "text": (tmp_path / "notes.npz", b"W0 = [[1, 2]]\n", "not an .npz file"),
    }
    for path, content, _ in files.values():
        path.write_bytes(content)
    npy = tmp_path / "weights.npy"
    np.save(npy, np.ones((3, 2)))
    files["npy"] = (npy, None, "this is a .npy file")
    broken = tmp_path / "broken.npz"  # a valid zip whose member is not an array
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("W0.npy", b"garbage")
    files["member"] = (broken, None, "corrupt or truncated")
    return files


@pytest.mark.parametrize("kind", ["truncated", "empty", "text", "npy", "member"])
def test_network_load_names_the_file_and_the_problem(kind, tmp_path):
    path, _, message = bad_files(tmp_path)[kind]
    with pytest.raises(ValueError, match=f"{path.name}: {message}"):
        rr.Network.load(path)
    with pytest.raises(ValueError, match=f"{path.name}: {message}"):
        rr.Regions.load(path)


@pytest.mark.parametrize("kind", ["truncated", "empty", "text", "npy"])
def test_cli_bad_file_is_one_line_exit_2(kind, tmp_path):
    path, _, message = bad_files(tmp_path)[kind]
    res = run_cli("count", str(path), "--box", "-1,-1", "1,1")
    assert res.returncode == 2
    err = res.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("reluregions: error:") and path.name in err and message in err


def test_leaky_must_be_booleans(tmp_path):
    path = tmp_path / "net.npz"
    np.savez(path, W0=np.ones((3, 2)), b0=np.zeros(3), W1=np.ones((1, 3)), b1=np.zeros(1), leaky=np.array(["no"]))
    with pytest.raises(ValueError, match="net.npz: leaky must be booleans"):
        rr.Network.load(path)
    np.savez(path, W0=np.ones((3, 2)), b0=np.zeros(3), W1=np.ones((1, 3)), b1=np.zeros(1), leaky=np.array([2]))
    with pytest.raises(ValueError, match="leaky must be booleans"):
        rr.Network.load(path)
    np.savez(
        path, W0=np.ones((3, 2)), b0=np.zeros(3), W1=np.ones((1, 3)), b1=np.zeros(1), negative_slopes=np.array(["x"])
    )
    with pytest.raises(ValueError, match="negative_slopes must be numbers"):
        rr.Network.load(path)
    np.savez(path, W0=np.array([["a", "b"]]), b0=np.zeros(1))
    with pytest.raises(ValueError, match="net.npz: layer 0: weight matrix must be a real numeric"):
        rr.Network.load(path)
    np.savez(
        path,
        W0=np.ones((3, 2)),
        b0=np.zeros(3),
        W1=np.ones((1, 3)),
        b1=np.zeros(1),
        leaky=np.array([True]),
        negative_slopes=np.array([0.2]),
    )
    assert rr.Network.load(path).activations == ("leaky_relu",)


@pytest.mark.parametrize("fn", [rr.count, rr.regions])
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"threads": 2**40}, "threads=1099511627776 is too large"),
        ({"max_regions": 2**70}, "max_regions=1180591620717411303424 is too large"),
        ({"threads": 0}, "threads must be a positive integer"),
        ({"max_regions": 2.5}, "max_regions must be a positive integer"),
        ({"time_limit": np.float32(-1)}, "time_limit must be a positive number"),
        ({"time_limit": "1"}, "time_limit must be a positive number"),
    ],
)
def test_limits_give_clear_errors(fn, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fn(small_net(3), rr.Space(), **kwargs)


@pytest.mark.parametrize("domain", [rr.Space(), rr.Box(-np.ones(3), np.ones(3)), rr.Segment([0, 0, 0], [1, 1, 1])])
def test_numpy_scalars_are_accepted_as_limits(domain):
    net = small_net(3, (6, 4))
    expected = rr.count(net, domain)
    got = rr.count(net, domain, threads=np.int64(2), max_regions=np.int64(10**6), time_limit=np.float32(60))
    assert got == expected and got.complete
    res = rr.regions(net, domain, threads=np.int32(1), max_regions=np.uint64(10**6), time_limit=np.float64(60))
    assert res.count == expected


@pytest.mark.parametrize(
    "domain",
    [rr.Space(), rr.Box(-np.ones(3), np.ones(3)), rr.Polytope(np.vstack([np.eye(3), -np.ones((1, 3))]), [1, 1, 1, 1])],
)
def test_a_network_without_hidden_layers_is_one_region(domain):
    net = rr.Network([np.array([[1.0, -2.0, 0.5]])], [np.array([0.25])])
    assert "mixed" not in repr(net) and "no hidden layer" in repr(net)
    assert rr.count(net, domain) == 1
    res = rr.regions(net, domain, affine=True, facets=True, merge_linear=True)
    assert res.count == 1 and res.patterns.shape == (1, 0) and res.linear_count == 1
    assert len(res.adjacency) == 0
    assert res.locate(res.witnesses[0]) == 0
    A, c = res.affine
    np.testing.assert_allclose(np.einsum("rok,rk->ro", A, res.coords) + c, net(res.witnesses))
    if isinstance(domain, rr.Box):
        assert res.measures[0] == pytest.approx(8.0)


def test_from_torch_reports_the_module_parameters():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    module = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
    net = rr.Network.from_torch(module)
    assert net.num_parameters == sum(p.numel() for p in module.parameters()) == 12
    assert "parameters=12" in repr(net)


# ------------------------------------------------------------------------------ CLI: partial, progress
@pytest.fixture
def net_file(tmp_path):
    path = tmp_path / "net.npz"
    small_net(3, (8, 6), seed=3).save(path)
    return path


def test_cli_partial_result_is_marked(net_file):
    res = run_cli("count", str(net_file), "--space", "--max-regions", "5", "--partial")
    assert res.returncode == 0, res.stderr
    assert "regions:         5 (partial: max_regions=5 reached" in res.stdout
    assert "linear regions:  not computed (partial result)" in res.stdout
    res = run_cli("count", str(net_file), "--space", "--max-regions", "5", "--partial", "--json")
    out = json.loads(res.stdout)
    assert out["regions"] == 5 and out["complete"] is False and "max_regions=5" in out["partial"]
    assert "linear_regions" not in out
    full = json.loads(run_cli("count", str(net_file), "--space", "--json").stdout)
    assert full["complete"] is True and "partial" not in full


def test_cli_limit_without_partial_is_an_error(net_file):
    res = run_cli("count", str(net_file), "--space", "--max-regions", "5")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "max_regions=5" in res.stderr


def test_cli_partial_needs_a_limit(net_file):
    res = run_cli("count", str(net_file), "--space", "--partial")
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert res.stderr.startswith("reluregions: error: --partial needs a limit")


def test_cli_progress_covers_the_linear_merge(net_file):
    total = json.loads(run_cli("count", str(net_file), "--space", "--json").stdout)["regions"]
    res = run_cli("count", str(net_file), "--space", "--progress")
    assert res.returncode == 0, res.stderr
    assert "linear regions" in res.stderr
    assert f"{total:,} of {total:,} regions merged" in res.stderr or f"{total}/{total}" in res.stderr


class Recorder:
    def __init__(self):
        self.calls, self.phases = [], []

    def __call__(self, done, left, elapsed):
        self.calls.append((len(self.phases), done, left))

    def start_phase(self, name, total):
        self.phases.append((name, total))


@pytest.mark.parametrize("domain", [rr.Space(), rr.Box(-np.ones(2), np.ones(2)), rr.Segment([-1, -1], [1, 1])])
def test_progress_reports_the_merge_phase(domain):
    net = small_net(2, (6, 5), seed=1)
    rec = Recorder()
    res = rr.regions(net, domain, merge_linear=True, progress=rec)
    assert rec.phases == [("linear regions", res.count)]
    merge = [c for c in rec.calls if c[0] == 1]
    assert merge and merge[-1] == (1, res.count, 0)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--threads", str(2**40)], "threads=1099511627776 is too large"),
        (["--max-regions", str(2**70)], "max_regions=1180591620717411303424 is too large"),
        (["--threads", "0"], "threads must be a positive integer"),
    ],
)
def test_cli_bad_limits_are_one_line_exit_2(net_file, args, match):
    res = run_cli("count", str(net_file), "--space", *args)
    assert res.returncode == 2
    err = res.stderr.strip()
    assert "\n" not in err and err.startswith("reluregions: error:") and match in err
