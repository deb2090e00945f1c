"""The example scripts run, print the book's numbers and write their PNGs."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
if not EXAMPLES.is_dir():
    pytest.skip("examples/ not present", allow_module_level=True)

EXPECTED = {
    "fig4_1.py": ["composition:    20 parameters, 9 regions"],
    "fig4_2.py": ["first network:  2-3-1, 7 activation regions", "composition:    13 activation regions"],
    "fig4_7.py": ["471 parameters, 161,051 regions", "10,801 parameters", "(> 10^40: True)"],
    "shallow_vs_deep.py": [
        "19 parameters, at most 7 regions; this one has 7",
        "20 parameters, 9 regions",
        "20 parameters, 16 regions",
    ],
}


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example(script, tmp_path):
    res = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    for line in EXPECTED[script]:
        assert line in res.stdout
    png = tmp_path / script.replace(".py", ".png")
    assert png.read_bytes()[:4] == b"\x89PNG"


# The reproductions of reluregions.analysis (MNIST-1D, generated offline), in their --quick mode.
ANALYSIS = {
    "hanin_rolnick.py": (["(a) density vs neurons", "slopes across depths"], ["hanin_rolnick_density.png"]),
    "local_complexity_training.py": (["step | train acc"], ["local_complexity_training.png"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(ANALYSIS))
def test_analysis_example(script, tmp_path):
    pytest.importorskip("mnist1d")
    res = subprocess.run(
        [sys.executable, str(EXAMPLES / "analysis" / script), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    lines, pngs = ANALYSIS[script]
    for line in lines:
        assert line in res.stdout
    for png in pngs:
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
