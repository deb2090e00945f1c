"""Numerical tolerances of reluregions, in one place.

The values are those compiled into the C++ core (``cpp/include/reluregions/tolerances.hpp``); this module
only re-exports them so Python code and tests use the same numbers.

The interval and polygon engines no longer use tolerances to define anything: their decisions are
certified by error bounds and fall back to exact rational arithmetic (see the README's Conventions).
What each constant still does:

ZERO_TOL
    Only ``Network.activation_pattern(X, tol=ZERO_TOL)``: a float forward pass in which
    ``|z| <= ZERO_TOL * E`` counts as zero (``E`` bounds the magnitude of the terms summed for ``z``);
    use ``exact=True`` for the exact pattern.
GEOMETRY_TOL
    No longer used by any engine's decisions; linear-region merging still uses it to find neighbours.
WALK_MARGIN
    0.0, kept for compatibility: the walk no longer has a margin. Its splits are decided exactly (a
    point strictly inside on each side, or a dual certificate, else an exact rational LP): regions of
    any width are found.
LINEAR_TOL
    No longer used: map equality is decided exactly in every engine (the float comparison that used it
    is gone); kept for compatibility.

The walk's facets (``Regions.facets``, ``adjacency``, ``measures``) use two more constants of the core,
also filters only: which rows are facets is decided exactly (a float LP whose value is more than
``facet_margin`` from the row's offset settles it, else an exact rational LP), and near-coincident rows
are merged only when they are exactly the same halfspace. Neighbours across a facet are found by a
float step off the facet's Chebyshev centre (not certified), volumes are float (in 3-D the region's
cube cut by its facets plane by plane on shared vertices: a facet at a hair's angle to another moves
only a sliver, so the volumes hold to rounding even next to nearly coincident facets).
"""

from __future__ import annotations

from . import _core

ZERO_TOL: float = float(_core.ZERO_TOL)
GEOMETRY_TOL: float = float(_core.GEOMETRY_TOL)
LINEAR_TOL: float = float(_core.LINEAR_TOL)
WALK_MARGIN: float = float(_core.WALK_MARGIN)

__all__ = ["GEOMETRY_TOL", "LINEAR_TOL", "WALK_MARGIN", "ZERO_TOL"]
