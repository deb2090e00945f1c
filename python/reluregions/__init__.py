"""reluregions: exact linear regions of ReLU networks.

Count and enumerate the activation regions of a ReLU network along a segment, on a 2-D plane through
input space or in a box; get each region's pattern, interior witness, interval/polygon, measure and
output affine map; merge them into maximal linear regions.
"""

from __future__ import annotations

from typing import Any

from importlib import metadata as _metadata

from . import _core as _core  # noqa: F401  (the compiled core, imported first)
from . import bounds, constructions
from ._core import LimitExceeded
from .api import count, regions
from .distributed import read_regions
from .domains import Box, Domain, Plane, Polytope, Segment, Space, vnnlib
from .graph import Layer
from .network import Network
from .polytope_regions import PolytopeRegions
from .regions import LinearRegions, RegionCount, Regions
from .tolerances import GEOMETRY_TOL, LINEAR_TOL, WALK_MARGIN, ZERO_TOL

try:  # the version is written once, in pyproject.toml
    __version__: str = _metadata.version("reluregions")
except _metadata.PackageNotFoundError:  # pragma: no cover - imported from a source tree without installing
    __version__ = "unknown"

__all__ = [
    "GEOMETRY_TOL",
    "LINEAR_TOL",
    "WALK_MARGIN",
    "ZERO_TOL",
    "Box",
    "Domain",
    "Layer",
    "LimitExceeded",
    "LinearRegions",
    "Network",
    "Plane",
    "Polytope",
    "PolytopeRegions",
    "RegionCount",
    "Regions",
    "Segment",
    "Space",
    "__version__",
    "bounds",
    "constructions",
    "count",
    "read_regions",
    "regions",
    "vnnlib",
]


def __getattr__(name: str) -> Any:  # the reference needs SciPy: import it on first use
    if name == "reference":
        import importlib

        return importlib.import_module(".reference", __name__)
    raise AttributeError(f"module 'reluregions' has no attribute {name!r}")
