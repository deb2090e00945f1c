import json
import subprocess
import sys

import numpy as np
import pytest

import reluregions as rr
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
    with pytest.raises(SystemExit) as exc:
        main(["count", "--example", "udl-fig4.2", "--box", "a,b", "1,1"])
    assert exc.value.code == 2


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
    assert out["regions"] == rr.count(net, rr.Box(np.zeros(4), np.ones(4)))
    assert "linear_regions" in out
