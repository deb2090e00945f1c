"""Numerical tolerances of reluregions, in one place.

The values are those compiled into the C++ core (``cpp/include/reluregions/tolerances.hpp``); this module
only re-exports them so Python code and tests use the same numbers.

ZERO_TOL
    A unit is identically zero on a region when its affine map there (gradient and constant) has
    ``sum |coefficients| <= ZERO_TOL * E``, where ``E`` bounds the magnitude of the terms summed to
    compute them (the same network through ``|W|``, ``|b|`` and the domain's coordinates). Rounding
    leaves an identically-zero map far below this; a genuine one is far above it. Such a unit is
    inactive (the pattern bit is ``z > 0``). ``Network.activation_pattern(X, tol=ZERO_TOL)`` applies
    the same idea to values at single points: ``|z| <= ZERO_TOL * E`` counts as zero.
GEOMETRY_TOL
    Geometric resolution of the 1-D and 2-D engines, as a distance in normalized domain coordinates
    (the domain rescaled to the unit interval or square). A vertex closer than this to a unit's zero
    line lies on the line; regions narrower than this are not resolved.
WALK_MARGIN
    The walk engine splits a region by a unit only when the region reaches further than this beyond
    the unit's hyperplane on both sides (a distance in normalized coordinates: the domain rescaled to
    size about 1; input units for ``Space``). Larger than ``GEOMETRY_TOL`` because the walk's LP
    solutions are feasible only to about 1e-9: slivers thinner than this are not resolved.
LINEAR_TOL
    Two output affine maps are equal (for merging activation regions into linear regions) when they
    differ by at most ``LINEAR_TOL`` times their magnitude plus ``ZERO_TOL * E``.
"""

from __future__ import annotations

from . import _core

ZERO_TOL: float = float(_core.ZERO_TOL)
GEOMETRY_TOL: float = float(_core.GEOMETRY_TOL)
LINEAR_TOL: float = float(_core.LINEAR_TOL)
WALK_MARGIN: float = float(_core.WALK_MARGIN)

__all__ = ["GEOMETRY_TOL", "LINEAR_TOL", "WALK_MARGIN", "ZERO_TOL"]
