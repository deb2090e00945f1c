"""Numerical tolerances of reluregions, in one place.

The values are those compiled into the C++ core (``cpp/include/reluregions/tolerances.hpp``); this module
only re-exports them so Python code and tests use the same numbers.

ZERO_TOL
    A pre-activation ``z`` counts as zero when ``|z| <= ZERO_TOL * E``, where ``E`` bounds the magnitude
    of the terms summed to compute ``z`` (the same forward pass through ``|W|``, ``|b|`` and ``|x|``).
    Rounding leaves an identically-zero unit far below this; genuine values are far above it. Zero
    counts as "off" (the pattern bit is ``z > 0``).
GEOMETRY_TOL
    Geometric resolution of the 1-D and 2-D engines, as a distance in normalized domain coordinates
    (the domain rescaled to the unit interval or square). A vertex closer than this to a unit's zero
    line lies on the line; regions narrower than this are not resolved.
LINEAR_TOL
    Two output affine maps are equal (for merging activation regions into linear regions) when they
    differ by at most ``LINEAR_TOL`` times their magnitude plus ``ZERO_TOL * E``.
"""

from __future__ import annotations

from . import _core

ZERO_TOL: float = float(_core.ZERO_TOL)
GEOMETRY_TOL: float = float(_core.GEOMETRY_TOL)
LINEAR_TOL: float = float(_core.LINEAR_TOL)

__all__ = ["GEOMETRY_TOL", "LINEAR_TOL", "ZERO_TOL"]
