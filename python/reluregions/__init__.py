"""reluregions: exact linear regions of ReLU networks."""

from __future__ import annotations

from . import _core
from .domains import Box, Domain, Plane, Segment
from .network import Network
from .tolerances import GEOMETRY_TOL, LINEAR_TOL, ZERO_TOL

__version__ = "0.1.0"

__all__ = ["GEOMETRY_TOL", "LINEAR_TOL", "ZERO_TOL", "Box", "Domain", "Network", "Plane", "Segment", "__version__"]
