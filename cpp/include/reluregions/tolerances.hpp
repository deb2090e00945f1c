// All numerical tolerances of the core, in one place. Mirrored in python/reluregions/tolerances.py.
// The interval and polygon engines decide exactly (exact.hpp, layerwise.hpp): for them these are no
// longer part of the definition of a region. The walk and linear merging still use them (issue 8).
#pragma once

namespace reluregions::tol {

// A unit is identically zero on a node when its affine map there (gradient and constant, in the unit
// domain) has sum |coefficients| <= zero * E, where E bounds the magnitude of the terms summed to
// compute them (the same network through |W|, |b| and inputs in [0, 1]). Rounding leaves an
// identically-zero map far below this; a genuine map is far above it. In a forward pass at one point
// (activation_pattern with tol), a value |z| <= zero * E counts as zero in the same spirit.
inline constexpr double zero = 1e-11;

// Geometric resolution, as a distance in the engines' normalized domain coordinates (the domain is the
// unit interval or square). A vertex closer than this to a unit's zero line is on the line; a piece is
// only split when it reaches further than this on both sides. Narrower regions are not resolved.
inline constexpr double geometry = 1e-10;

// Two output affine maps are equal when they differ by at most linear * (their magnitude) + zero * E.
inline constexpr double linear = 1e-9;

// (The walk has no margin: its splits are decided exactly, see walk.hpp.)

// ---- Facets of the walk's regions (polytope.hpp). Which rows are facets is decided exactly when the
// walk's exact problem is given: these only select the fast path.
// Two candidate rows (unit normal, offset) closer than this (max norm, relative to 1 + |offset|) are
// compared exactly (merged when they are the same halfspace); farther ones are distinct.
inline constexpr double facet_coincident = 1e-9;
// A row is a facet when the float LP "max a_i.u over the other rows" exceeds b_i by more than this
// (relative to 1 + |b_i|), redundant when it falls short by more; in between, the exact LP decides.
inline constexpr double facet_margin = 1e-7;
// Without the exact problem (the core used directly): a row is a facet when the LP reaches beyond it by
// more than this (relative to 1 + |b_i|).
inline constexpr double facet_float = 1e-9;
// Neighbours across a facet: the longest step off its Chebyshev centre (then 1/100 of it, 3 times).
inline constexpr double neighbour_step = 1e-6;

// ---- Fast-path choices of the engines and the walk (which decisions run in floats; every decision is
// still certified). A polygon vertex computed by Cramer's rule is kept in floats when its error bound is
// below polygon_vertex_delta (in the unit square), else computed exactly.
inline constexpr double polygon_vertex_delta = 1e-7;
// A vertex of the low-dimension engine cut from an edge (interpolated: its error bound grows with each
// cut) is solved afresh from its K hyperplanes, in floats, when its bound exceeds this.
inline constexpr double vertex_resolve_delta = 1e-7;
// The walk re-runs its node-box tightening while a pass improves some bound by more than this
// (relative); it keeps a parent's point for a child when it is on the child's side up to this
// (relative to the row's norm: the point is a heuristic seed, checked again before any use).
inline constexpr double walk_box_progress = 1e-3;
inline constexpr double walk_pool_slack = 1e-12;

// ---- The dense LP kernel (lp.hpp). Rows are normalized to unit Euclidean norm internally, so row
// slacks below are distances in x space.

// A constraint a.x <= b (normalized) is satisfied when a.x - b <= lp_feasibility * (1 + |b|).
inline constexpr double lp_feasibility = 1e-9;

// A basis is optimal (dual feasible) when every multiplier of an active inequality is >= -lp_optimality * ||c||
// and every multiplier of a "free" basis direction has magnitude <= lp_optimality * ||c||.
inline constexpr double lp_optimality = 1e-9;

// Smallest acceptable pivot in a ratio test, relative to the norm of the edge direction (a cosine).
inline constexpr double lp_pivot = 1e-9;

// Refactorizing the n x n basis matrix (unit rows) fails, and the basis is rebuilt, below this pivot.
inline constexpr double lp_singular = 1e-12;

// The dual simplex's phase 1 shifts the cost so the basis is dual feasible: every multiplier is raised
// to at least lp_cost_shift times the largest one (a heuristic of the path, not of the answer).
inline constexpr double lp_cost_shift = 1e-3;

// A row a.x <= b whose norm ||a|| is below this is a zero row: satisfied iff b >= -lp_feasibility.
inline constexpr double lp_zero_row = 1e-100;

}  // namespace reluregions::tol
