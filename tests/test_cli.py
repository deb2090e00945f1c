import json
import subprocess
import sys

import numpy as np
import pytest

import reluregions as rr
from reluregions import reference
from reluregions.cli import main


def test_count_example(capsys):
    assert main(["count", "--example", "udl-deep"]) == 0
    out = capsys.readouterr().out
    assert "regions:         161051" in out and "linear regions:  161051" in out and "time:" in out


def test_count_file_with_negative_vectors(tmp_path, capsys):
    first, second, _ = rr.constructions.udl_fig4_2()
    path = tmp_path / "net.npz"
    first.then(second).save(path)
    assert main(["count", str(path), "--box", "-1,-1", "1,1", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"regions": 13' in out
    assert main(["count", str(path), "--plane", "-1,-1", "2,0", "0,2", "--no-linear"]) == 0
    assert "regions:         13" in capsys.readouterr().out
    assert main(["count", str(path), "--segment", "-1,-1", "1,1"]) == 0
    assert main(["count", str(path), "--plane-through", "0,0", "1,0", "0,1"]) == 0


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["count", "--example", "nope"], "unknown example"),
        (["count", "missing.npz", "--box", "0,0", "1,1"], "No such file"),
        (["count", "--example", "udl-fig4.2", "--box", "-1,-1", "1"], "2 entries"),
        (["count", "--example", "udl-fig4.2", "--segment", "0,0", "0,0"], "zero-length"),
        (["count", "--example", "udl-deep", "--max-regions", "10"], "max_regions=10"),
        (["count"], "either a network file or --example"),
    ],
)
def test_errors_are_one_line_exit_2(argv, match, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("reluregions: error:") and match in err and "\n" not in err


def test_bad_vector_is_argparse_error(capsys):
    with pytest.raises(SystemExit, match="^2$") as exc:
        main(["count", "--example", "udl-fig4.2", "--box", "a,b", "1,1"])
    assert exc.value.code == 2
    assert "expected comma-separated numbers like 0,-1.5,2, got 'a,b'" in capsys.readouterr().err


def test_console_entry_point_runs():
    res = subprocess.run([sys.executable, "-m", "reluregions", "examples"], capture_output=True, text=True, check=True)
    assert "udl-deep" in res.stdout


def test_count_space_and_box_in_4d_through_the_walk(tmp_path, capsys):
    rng = np.random.default_rng(0)
    net = rr.Network([rng.normal(size=(5, 4)), rng.normal(size=(1, 5))], [rng.normal(size=5), rng.normal(size=1)])
    path = tmp_path / "n.npz"
    net.save(path)
    assert main(["count", str(path), "--space", "--no-linear", "--json", "--threads", "2", "--progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regions"] == 1 + 5 + 10 + 10 + 5  # Zaslavsky: sum_{j <= 4} C(5, j)
    assert main(["count", str(path), "--box", "0,0,0,0", "1,1,1,1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # independently: the reference's LP brute force and its own merge of adjacent regions
    expect = reference.regions(net, rr.Box(np.zeros(4), np.ones(4)))
    assert out["regions"] == expect.count >= 5
    assert out["linear_regions"] == len(set(reference.linear_regions(expect).tolist()))


def cancelled_net(d):
    """relu(x0 - 0.2) and relu(x0 - 0.2) again with output weights 1 and -1 (they cancel), relu(x0 + x1 / 2
    + 0.1), relu(x1 - 0.3) (2-D): the cancelled pair's line separates activation regions, not linear ones."""
    if d == 1:
        W0, b0, W1 = np.array([[1.0], [1.0], [2.0]]), np.array([-0.2, -0.2, 0.1]), np.array([[1.0, -1.0, 1.0]])
    else:
        W0 = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.5], [0.0, 1.0]])
        b0, W1 = np.array([-0.2, -0.2, 0.1, -0.3]), np.array([[1.0, -1.0, 1.0, 2.0]])
    return rr.Network([W0, W1], [b0, np.zeros(1)])


@pytest.mark.parametrize(
    ("d", "argv", "domain", "regions", "linear"),
    [
        # breaks at -0.05 and 0.2 on [-1, 1]; only -0.05 bends f
        (1, ["--segment", "-1", "1"], rr.Segment([-1.0], [1.0]), 3, 2),
        # x0 = 0.2 (no bend), x0 + x1/2 = -0.1 and x1 = 0.3 cross pairwise in the square: 7 regions;
        # without the first line, 4
        (2, ["--box", "-1,-1", "1,1"], rr.Box([-1.0, -1.0], [1.0, 1.0]), 7, 4),
        # a plane with distinct s and t ranges: swapping them moves the window off x1 = 0.3
        (
            2,
            ["--plane", "0,0", "1,0", "0,1", "--s-range", "-1,1", "--t-range", "0.5,1.5"],
            rr.Plane([0.0, 0.0], [1.0, 0.0], [0.0, 1.0], (-1.0, 1.0), (0.5, 1.5)),
            3,
            2,
        ),
    ],
)
def test_count_against_hand_counts_and_the_reference(tmp_path, capsys, d, argv, domain, regions, linear):
    net = cancelled_net(d)
    path = tmp_path / "net.npz"
    net.save(path)
    assert main(["count", str(path), *argv, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expect = reference.regions(net, domain)
    assert out["regions"] == regions == expect.count
    assert out["linear_regions"] == linear == len(set(reference.linear_regions(expect).tolist()))
    if d == 1:
        assert reference.linear_regions_1d(net, domain) == linear
    assert main(["count", str(path), *argv, "--no-linear"]) == 0
    text = capsys.readouterr().out
    assert f"regions:         {regions}\n" in text and "linear regions" not in text
