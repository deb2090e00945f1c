// All numerical tolerances of the core, in one place. Mirrored in python/reluregions/tolerances.py.
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

}  // namespace reluregions::tol
