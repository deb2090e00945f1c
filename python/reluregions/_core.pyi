"""Type stub of the compiled module ``reluregions._core`` (private; use the reluregions package).

Hand-written from cpp/bindings/*.cpp. Array arguments are converted with ``forcecast`` (any array-like
of numbers is accepted and copied to C-contiguous float64, uint64, ... as needed); arrays returned
are new NumPy arrays. tests/test_engines.py::test_core_stub_matches_the_compiled_module checks that
every name and parameter here matches the compiled module.
"""

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

_Float64Array = npt.NDArray[np.float64]
_Int64Array = npt.NDArray[np.int64]
# progress(regions_found, open_nodes, elapsed_seconds), called about every 0.1 s
_Progress = Callable[[int, int, float], object] | None
_LPStatus = Literal["optimal", "infeasible", "unbounded", "iteration_limit", "unknown"]
# (status, x, value): x and value are None unless status == "optimal"
_LPResult = tuple[Literal["optimal"], _Float64Array, float] | tuple[_LPStatus, None, None]

# ----------------------------------------------------------------------------- module.cpp
#: a unit is identically zero on a node when sum |coefficients| <= ZERO_TOL * (magnitude bound)
ZERO_TOL: float
#: geometric resolution of the engines, in normalized domain coordinates
GEOMETRY_TOL: float
#: relative tolerance for two output affine maps to be equal (linear-region merging)
LINEAR_TOL: float
WALK_MARGIN: float

class LimitExceeded(RuntimeError):
    """max_regions or time_limit was exceeded (and partial results were not requested)."""

# ---------------------------------------------------------------------- bind_network.cpp
class Network:
    """A fully connected ReLU / leaky ReLU network (core)."""

    def __init__(
        self,
        weights: Sequence[npt.ArrayLike],
        biases: Sequence[npt.ArrayLike],
        slopes: Sequence[float],
        unit_slopes: Sequence[npt.ArrayLike] | None = None,
        linear: Sequence[npt.ArrayLike] | None = None,
        sparse: bool | None = None,
    ) -> None:
        """Weights ``(out, in)`` and biases ``(out,)`` per layer; one negative slope per hidden layer
        (0 for ReLU), or ``unit_slopes`` (one per unit) and ``linear`` masks (pass-through units: slope 1,
        no boundary, pattern bit always 0). ``sparse``: None stores a matrix with at most a third of its
        entries non-zero in compressed rows and columns; True / False force one storage for every layer.
        Raises ValueError on inconsistent shapes."""
    def is_sparse(self, layer: int) -> bool:
        """Is layer `layer`'s weight matrix stored sparse?"""
    @property
    def dims(self) -> list[int]:
        """Layer widths, input first, output last."""
    def forward(self, X: npt.ArrayLike) -> _Float64Array:
        """Batched forward pass: ``X`` ``(n, input_dim)`` -> ``(n, output_dim)``."""
    def activation_pattern(self, X: npt.ArrayLike, tol: float = 0.0) -> npt.NDArray[np.bool_]:
        """Activation patterns ``(n, num_hidden)``: bit = pre-activation > tol * magnitude bound."""
    def exact_activation_pattern(self, X: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Activation patterns in exact rational arithmetic (bit: pre-activation > 0 exactly)."""
    def local_affine(self, X: npt.ArrayLike) -> tuple[_Float64Array, _Float64Array]:
        """Affine map ``(J, c)`` of the network on the region of each point: ``J`` ``(n, output_dim,
        input_dim)``, ``c`` ``(n, output_dim)``."""
    def local_affine_magnitude(self, X: npt.ArrayLike) -> tuple[_Float64Array, _Float64Array, _Float64Array]:
        """Local maps ``(J, c)`` and the magnitude bound ``E`` ``(n, output_dim)`` of each output."""

# ---------------------------------------------------------------------- bind_engines.cpp
def count_regions(
    net: Network,
    origin: npt.ArrayLike,
    basis: npt.ArrayLike,
    lo: npt.ArrayLike,
    hi: npt.ArrayLike,
    max_regions: int | None = None,
    time_limit: float | None = None,
    partial: bool = False,
    progress: _Progress = None,
) -> dict[str, Any]:
    """Count the regions of `net` on the segment or rectangle ``origin + basis @ s``, ``lo <= s <= hi``
    (basis: inputs x 1 or 2), folded and rescaled exactly; every decision is exact.

    Returns ``{"count": int, "complete": bool, "reason": str, "elapsed": float, "exact_decisions": int}``. Raises
    LimitExceeded on a limit unless `partial`; ValueError for other input dimensions.
    """

def enumerate_regions(
    net: Network,
    origin: npt.ArrayLike,
    basis: npt.ArrayLike,
    lo: npt.ArrayLike,
    hi: npt.ArrayLike,
    affine: bool = False,
    max_regions: int | None = None,
    time_limit: float | None = None,
    partial: bool = False,
    progress: _Progress = None,
) -> dict[str, Any]:
    """Enumerate the regions of `net` on ``origin + basis @ s``, ``lo <= s <= hi`` (results in unit
    coordinates ``u`` in [0, 1]^dim, ``s = lo + (hi - lo) u``).

    Returns a dict with ``complete`` (bool), ``reason`` (str), ``elapsed`` (float), ``count`` (int),
    ``exact_decisions`` (int) and
    the arrays (R regions, dim = 1 or 2): ``patterns`` bool ``(R, num_hidden)``, ``packed`` uint64
    ``(R, words)``, ``witness`` float64 ``(R, dim)``, ``measure`` float64 ``(R,)``; in 1-D
    ``intervals`` float64 ``(R, 2)``; in 2-D ``vertices`` float64 ``(V, 2)``, ``offsets`` int64
    ``(R + 1,)``, ``edge_units`` int32 ``(V,)``; with `affine` also ``A`` ``(R, out, dim)``, ``c`` and
    ``E`` ``(R, out)`` (float64).
    """

def merge_linear_2d(
    net: Network,
    packed: npt.NDArray[np.uint64],
    vertices: _Float64Array,
    offsets: npt.NDArray[np.int64],
    edge_units: npt.NDArray[np.int32],
    witness: _Float64Array,
    original: Network,
    origin: npt.ArrayLike,
    basis: npt.ArrayLike,
    lo: npt.ArrayLike,
    hi: npt.ArrayLike,
    progress: _Progress = None,
) -> _Int64Array:
    """Linear-region labels ``(R,)`` of 2-D regions, from the arrays of :func:`enumerate_regions`: map
    equality decided exactly on the original network and the domain's parametrization."""

def merge_linear_1d_exact(
    net: Network,
    origin: npt.ArrayLike,
    basis: npt.ArrayLike,
    lo: npt.ArrayLike,
    hi: npt.ArrayLike,
    packed: npt.NDArray[np.uint64],
) -> _Int64Array:
    """Linear-region labels ``(R,)`` of the interval engine's regions (left to right), maps compared exactly."""

def locate(net: Network, packed: npt.NDArray[np.uint64], X: npt.ArrayLike) -> _Int64Array:
    """Index of the region (by pattern, among ``packed``) of each point of ``X``, -1 if none."""

# --------------------------------------------------------------------------- bind_lp.cpp
class LPSolver:
    """Dense warm-started simplex for max/min c.x s.t. lo <= x <= hi, a_i.x <= b_i (core)."""

    def __init__(self, n: int) -> None:
        """An LP in `n` >= 1 variables (ValueError otherwise)."""
    @property
    def n(self) -> int: ...
    @property
    def rows(self) -> int:
        """Number of rows."""
    @property
    def pivots(self) -> int:
        """Pivots since construction or reset_stats()."""
    def reset_stats(self) -> None: ...
    def set_bounds(self, lo: npt.ArrayLike, hi: npt.ArrayLike) -> None:
        """Variable bounds ``(n,)`` each (+-inf allowed)."""
    def add_row(self, a: npt.ArrayLike, b: float) -> int:
        """Adds the row ``a.x <= b``; returns its index."""
    def truncate(self, k: int) -> None:
        """Removes the rows >= k (keeps the warm start); ValueError unless 0 <= k <= rows."""
    def reserve(self, rows: int) -> None: ...
    def set_iteration_limit(self, limit: int) -> None:
        """Pivots per solve before 'iteration_limit'; 0: automatic."""
    def maximize(self, c: npt.ArrayLike) -> _LPResult:
        """``(status, x, value)``; x and value are None unless status == 'optimal'."""
    def minimize(self, c: npt.ArrayLike) -> _LPResult:
        """``(status, x, value)``; x and value are None unless status == 'optimal'."""
    def chebyshev(self, r_cap: float = ...) -> _LPResult:
        """Chebyshev centre: ``(status, x, r)`` maximizing r with 0 <= r <= r_cap (default inf)."""

# ------------------------------------------------------------------------- bind_walk.cpp
def walk_regions(
    net: Network,
    origin: npt.ArrayLike,
    basis: npt.ArrayLike,
    plo: npt.ArrayLike,
    phi: npt.ArrayLike,
    unit_box: bool,
    xlo: npt.ArrayLike,
    xhi: npt.ArrayLike,
    A: npt.ArrayLike,
    b: npt.ArrayLike,
    r_cap: float,
    scale: float,
    threads: int,
    store: bool,
    affine: bool,
    rows: bool,
    max_regions: int | None,
    time_limit: float | None,
    partial: bool,
    progress: Callable[[int, int, float], object] | None,
) -> dict[str, Any]:
    """Activation regions of a network on {lo <= u <= hi, A u <= b} by the pattern walk (core)."""

class WalkTasks:
    """The walk's problem (as walk_regions takes it) expanding serialised tasks (core)."""

    def __init__(
        self,
        net: Network,
        origin: npt.ArrayLike,
        basis: npt.ArrayLike,
        plo: npt.ArrayLike,
        phi: npt.ArrayLike,
        unit_box: bool,
        xlo: npt.ArrayLike,
        xhi: npt.ArrayLike,
        A: npt.ArrayLike,
        b: npt.ArrayLike,
        r_cap: float,
        scale: float,
    ) -> None: ...
    def expand(self, task: bytes, store: bool, affine: bool, rows: bool, work_budget: int) -> dict[str, Any]:
        """Expand a task (b'' for the root): its regions, statistics, new tasks and their depth-first order."""

def walk_facets(
    net: Network,
    origin: npt.ArrayLike,
    basis: npt.ArrayLike,
    plo: npt.ArrayLike,
    phi: npt.ArrayLike,
    unit_box: bool,
    xlo: npt.ArrayLike,
    xhi: npt.ArrayLike,
    A: npt.ArrayLike,
    b: npt.ArrayLike,
    r_cap: float,
    scale: float,
    packed: npt.NDArray[np.uint64],
    witness: npt.ArrayLike,
    radius: npt.ArrayLike,
    rows: npt.ArrayLike,
    row_units: npt.ArrayLike,
    row_offsets: npt.ArrayLike,
    volumes: bool,
    progress: Callable[[int, int, float], object] | None,
) -> dict[str, Any]:
    """Non-redundant facets, neighbours across them, boundedness and (d <= 3) volumes of walk regions (core)."""

def merge_pairs_exact(
    net: Network,
    packed: npt.NDArray[np.uint64],
    pairs: npt.NDArray[np.int64],
    origin: npt.ArrayLike | None = None,
    basis: npt.ArrayLike | None = None,
    lo: npt.ArrayLike | None = None,
    hi: npt.ArrayLike | None = None,
) -> _Int64Array:
    """Labels of the union of neighbouring regions whose output maps are exactly equal."""

# --------------------------------------------------------------------- bind_analysis.cpp
def batch_count(
    net: Network,
    origins: npt.ArrayLike,
    bases: npt.ArrayLike,
    lo: npt.ArrayLike,
    hi: npt.ArrayLike,
    threads: int = 0,
    breakpoints: bool = False,
) -> dict[str, Any]:
    """Region counts on n segments or rectangles ``origins[i] + bases[i] @ s``, ``lo[i] <= s <= hi[i]``
    (bases ``(n, inputs, K)``, K = 1 or 2), exact. Returns ``{"counts": uint64 (n,)}`` and, with
    `breakpoints` (K = 1), ``"breakpoints"`` (flat, domain coordinates) and ``"offsets"`` ``(n + 1,)``."""

def local_counts(
    net: Network, X: npt.ArrayLike, bases: npt.ArrayLike, radius: float, cross: bool, threads: int = 0
) -> npt.NDArray[np.uint64]:
    """Regions meeting ``X[i] + bases[i] @ a``, ``a`` in the cross-polytope (`cross`) or cube of the
    radius in R^k (bases ``(n, inputs, k)``), exact."""

def proxy_counts(net: Network, X: npt.ArrayLike, bases: npt.ArrayLike, radius: float, threads: int = 0) -> _Int64Array:
    """Hidden units whose exact sign is not the same at the vertices ``X[i] +- radius * bases[i][:, j]``."""

def exact_patterns(
    net: Network, X: npt.ArrayLike, threads: int = 0
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_], int]:
    """Exact activation patterns: packed ``(n, words)``, unpacked ``(n, units)``, and the number of
    points the exact (rational) pass decided."""

def distance_to_boundary(
    net: Network, X: npt.ArrayLike, return_point: bool = False, threads: int = 0
) -> dict[str, Any]:
    """``{"distance": (n,), "unit": int64 (n,), "exact_points": int}`` and, with `return_point`,
    ``"point"`` ``(n, inputs)``: the distance of each point to its activation region's boundary."""

def locate_packed(patterns: npt.ArrayLike, queries: npt.ArrayLike) -> _Int64Array:
    """Index of each packed query pattern among the packed patterns, -1 if absent."""

# ---------------------------------------------------------------------- bind_vertex.cpp
def count_regions_vertex(
    net: Network,
    origin: npt.ArrayLike,
    basis: npt.ArrayLike,
    lo: npt.ArrayLike,
    hi: npt.ArrayLike,
    max_regions: int | None = None,
    time_limit: float | None = None,
    partial: bool = False,
    progress: _Progress = None,
) -> dict[str, Any]: ...
