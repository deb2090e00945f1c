"""A newcomer's first hour (issue 9): the README's instructions, the version, the licence, the docs
that must say what is true, and the examples using public API only."""

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import reluregions as rr

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PYPROJECT = ROOT / "pyproject.toml"
needs_source = pytest.mark.skipif(not (README.is_file() and PYPROJECT.is_file()), reason="needs the source tree")


def console_script() -> str:
    """The installed `reluregions` console script (next to the interpreter in a venv)."""
    exe = shutil.which("reluregions", path=os.path.dirname(sys.executable)) or shutil.which("reluregions")
    if exe is None:
        pytest.skip("the reluregions console script is not installed")
    return exe


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([console_script(), *args], capture_output=True, text=True, timeout=300)


def _build_requires() -> list[str]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    return list(tomllib.loads(PYPROJECT.read_text())["build-system"]["requires"])


# ----------------------------------------------------------------------------------------- README
@needs_source
def test_readme_says_a_cpp17_compiler_is_needed_and_how_to_get_one():
    text = README.read_text()
    assert "C++17 compiler" in text
    for hint in ("apt-get install g++", "xcode-select --install", "Build Tools for Visual Studio", "MSVC"):
        assert hint in text, hint


@needs_source
def test_readme_quick_start_is_two_commands():
    text = README.read_text()
    block = re.search(r"## Quick start\s+```bash\n(.*?)```", text, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].startswith("pip install .") and commands[1].startswith('pip install ".[test]"')


@needs_source
def test_readme_fast_loop_installs_the_build_requirements_first():
    lines = README.read_text().splitlines()
    loop = next(i for i, line in enumerate(lines) if "--no-build-isolation" in line)
    first = lines[loop - 1]
    assert first.startswith("pip install ")
    for req in _build_requires():  # every [build-system].requires entry, spelled as in pyproject
        assert f'"{req}"' in first, f"{req} missing from the fast loop's first line: {first}"


# ---------------------------------------------------------------------------------------- version
def test_version_comes_from_the_package_metadata():
    assert rr.__version__ == importlib.metadata.version("reluregions")
    init = Path(rr.__file__).read_text()
    assert not re.search(r"__version__\s*=\s*['\"]\d", init), "the version must be written in pyproject.toml only"


@needs_source
def test_version_is_written_once_in_pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["version"] == rr.__version__


def test_console_script_prints_the_version():
    res = run_cli("--version")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"reluregions {rr.__version__}"


def test_python_m_prints_the_version():
    res = subprocess.run(
        [sys.executable, "-m", "reluregions", "--version"], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"reluregions {rr.__version__}"


# ---------------------------------------------------------------------------------------- licence
def test_installed_distribution_carries_the_mit_licence():
    dist = importlib.metadata.distribution("reluregions")
    assert dist.metadata["License-Expression"] == "MIT"
    assert dist.metadata.get("License") is None  # the deprecated free-text field is gone (.get: importlib_metadata, a
    # dependency of dask, raises KeyError for a missing field)
    licences = [f for f in (dist.files or []) if f.name == "LICENSE"]
    assert licences, "no LICENSE file in the installed wheel"
    assert "MIT License" in licences[0].read_text()


@needs_source
def test_pyproject_uses_an_spdx_licence_and_licence_files():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    skbuild = next(r for r in _build_requires() if r.startswith("scikit-build-core"))
    minimum = tuple(int(x) for x in skbuild.split(">=")[1].split(".")[:2])
    assert minimum >= (0, 11)  # PEP 639 (SPDX licence, license-files) in scikit-build-core


@needs_source
def test_sdist_contains_the_licence(tmp_path):
    pytest.importorskip("scikit_build_core")
    code = "import sys; from scikit_build_core.build import build_sdist; print(build_sdist(sys.argv[1]))"
    res = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    name = res.stdout.strip().splitlines()[-1]
    with tarfile.open(tmp_path / name) as tar:
        names = tar.getnames()
        top = names[0].split("/")[0]
        assert f"{top}/LICENSE" in names
        pkg_info = tar.extractfile(f"{top}/PKG-INFO").read().decode()
    assert "License-Expression: MIT" in pkg_info


# ------------------------------------------------------------------------------------------- docs
def test_count_docstring_does_not_claim_depth_memory_for_the_polygon_engine():
    doc = rr.count.__doc__
    assert "(memory O(depth))" not in doc
    first = doc.strip().splitlines()[0]
    assert "O(depth)" not in first
    assert "polygon engine" in doc and "walk keeps O(depth)" in doc


# --------------------------------------------------------------------------------------- examples
EXAMPLES = ROOT / "examples"


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/ not present")
@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")) if EXAMPLES.is_dir() else [])
def test_examples_use_public_api_only(script):
    tree = ast.parse((EXAMPLES / script).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reluregions"):
            assert not any(part.startswith("_") for part in node.module.split(".")), node.module
            for alias in node.names:
                assert not alias.name.startswith("_"), f"{script} imports private {node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("reluregions"):
                    assert not any(part.startswith("_") for part in alias.name.split(".")), alias.name
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("rr", "reluregions")
        ):
            assert not node.attr.startswith("_"), f"{script} uses private {node.value.id}.{node.attr}"


def test_plot_figure_is_public():
    pytest.importorskip("matplotlib")
    from reluregions import plot

    assert "figure" in plot.__all__
    fig = plot.figure((4, 3))
    assert tuple(fig.get_size_inches()) == (4, 3)
