// All numerical tolerances of the core, in one place. Mirrored in python/reluregions/tolerances.py.
#pragma once

namespace reluregions::tol {

// A pre-activation is "zero" when |z| <= zero * E, where E bounds the magnitude of the terms that were
// summed to compute z (the same network with |W|, |b| and |inputs|). Rounding leaves |z| far below this
// for a unit that is identically zero, and a genuine value is far above it.
inline constexpr double zero = 1e-11;

// Geometric resolution, as a distance in the engines' normalized domain coordinates (the domain is the
// unit interval or square). A vertex closer than this to a unit's zero line is on the line; a piece is
// only split when it reaches further than this on both sides. Narrower regions are not resolved.
inline constexpr double geometry = 1e-10;

// Two output affine maps are equal when they differ by at most linear * (their magnitude) + zero * E.
inline constexpr double linear = 1e-9;

}  // namespace reluregions::tol
