"""Sphinx configuration: the API reference from the docstrings (autodoc + numpydoc), the conventions
and a gallery page per example script (its code, what it prints and its figure), generated at build
time by running each script. Build with ``sphinx-build -W -b html docs docs/_build/html``."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
EXAMPLES = ROOT / "examples"
GALLERY = DOCS / "gallery"  # generated (see .gitignore)

project = "reluregions"
author = "The reluregions developers"
copyright = "2026, The reluregions developers"
release = version = metadata.version("reluregions")

extensions = ["sphinx.ext.autodoc", "sphinx.ext.mathjax", "sphinx.ext.viewcode", "numpydoc"]
exclude_patterns = ["_build", "gallery/*.txt"]
html_theme = "alabaster"
html_static_path: list[str] = []
html_title = f"reluregions {release}"
nitpicky = False
default_role = "obj"

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc sections say the types
numpydoc_show_class_members = False  # members are listed by autodoc (``:members:``)
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()


def _title(script: Path) -> str:
    """First line of the script's docstring."""
    text = script.read_text()
    doc = text.split('"""')[1] if text.startswith('"""') else script.stem
    return doc.strip().splitlines()[0]


def build_gallery() -> None:
    """Run every example script into ``gallery/`` and write one page per script."""
    GALLERY.mkdir(exist_ok=True)
    scripts = sorted(EXAMPLES.glob("*.py"))
    rows = []
    for script in scripts:
        name = script.stem
        res = subprocess.run(
            [sys.executable, str(script), "--out", str(GALLERY)], capture_output=True, text=True, cwd=ROOT, timeout=600
        )
        if res.returncode != 0:
            raise RuntimeError(f"examples/{script.name} failed:\n{res.stderr}")
        (GALLERY / f"{name}.txt").write_text(res.stdout)
        title = _title(script)
        figure = (
            f"\n.. image:: {name}.png\n   :alt: the figure written by {script.name}\n"
            if (GALLERY / f"{name}.png").exists()
            else ""
        )
        page = [
            title,
            "=" * len(title),
            "",
            f"``examples/{script.name}``; run it with ``python examples/{script.name} --out DIR``.",
            "",
            "Code",
            "----",
            "",
            f".. literalinclude:: ../../examples/{script.name}",
            "   :language: python",
            "",
            "Output",
            "------",
            "",
            f".. literalinclude:: {name}.txt",
            "   :language: text",
            "",
            figure,
        ]
        (GALLERY / f"{name}.rst").write_text("\n".join(page))
        rows.append(name)
    index = [
        "Gallery",
        "=======",
        "",
        "Each example script of ``examples/``: its code, what it prints and the figure it writes (run at "
        "documentation build time, so the numbers are those of this version).",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
    ] + [f"   {name}" for name in rows]
    (GALLERY / "index.rst").write_text("\n".join(index) + "\n")


build_gallery()
