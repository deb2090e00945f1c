// Where engines put the regions they find: a counter, or a store of flat arrays.
#pragma once
#include <cstdint>
#include <vector>

#include "polygon.hpp"

namespace reluregions {

// Counts only: engines skip everything a count does not need.
struct CountSink {
  static constexpr bool stores = false;
  bool affine() const { return false; }
};

// All regions of a run in flat arrays, in normalized domain coordinates (the unit interval or square).
struct RegionStore {
  static constexpr bool stores = true;

  int dim = 1;    // domain dimension (1 or 2)
  int words = 0;  // 64-bit words per pattern (aligned layout)
  int out = 1;    // output dimension
  bool with_affine = false;

  std::vector<std::uint64_t> patterns;   // R x words
  std::vector<double> witness;           // R x dim, an interior point
  std::vector<double> measure;           // R, length or area
  std::vector<double> intervals;         // 1-D: R x 2
  std::vector<double> vertices;          // 2-D: V x 2, counter-clockwise per region
  std::vector<std::int64_t> offsets{0};  // 2-D: R + 1, region r has vertices offsets[r] .. offsets[r+1]
  std::vector<std::int32_t> edge_units;  // 2-D: V, hidden unit of the edge leaving each vertex, or -1
  std::vector<double> A, c, E;           // R x out x dim, R x out, R x out (when with_affine)
  std::vector<double> witness_coords;    // R x dim: the witness in domain coordinates, exactly inside
  std::vector<std::uint8_t> thin;        // R: 1 when no float witness strictly inside was found

  RegionStore(int dim_, int words_, int out_, bool affine) : dim(dim_), words(words_), out(out_), with_affine(affine) {}

  bool affine() const { return with_affine; }
  std::size_t size() const { return measure.size(); }

  // The engines give the witness in frame coordinates (w) and in domain coordinates (sw), and whether
  // sw is `certified` strictly inside the region.
  void add_interval(const std::uint64_t* pat, double lo, double hi, double w, const double* sw, bool certified,
                    const double* a, const double* cc, const double* e) {
    patterns.insert(patterns.end(), pat, pat + words);
    witness.push_back(w);
    witness_coords.push_back(sw[0]);
    thin.push_back(certified ? 0 : 1);
    measure.push_back(hi - lo);
    intervals.push_back(lo);
    intervals.push_back(hi);
    add_map(a, cc, e);
  }

  void add_polygon(const std::uint64_t* pat, const double* x, const double* y, const std::int32_t* lab, std::uint32_t n,
                   const double* w, const double* sw, bool certified, const double* a, const double* cc,
                   const double* e) {
    patterns.insert(patterns.end(), pat, pat + words);
    double area, cx, cy;
    area_centroid(x, y, n, area, cx, cy);
    witness.push_back(w[0]);
    witness.push_back(w[1]);
    witness_coords.push_back(sw[0]);
    witness_coords.push_back(sw[1]);
    thin.push_back(certified ? 0 : 1);
    measure.push_back(area > 0 ? area : 0.0);  // a polygon thinner than rounding can come out at -1e-16
    for (std::uint32_t k = 0; k < n; ++k) {
      vertices.push_back(x[k]);
      vertices.push_back(y[k]);
      edge_units.push_back(lab[k]);
    }
    offsets.push_back(static_cast<std::int64_t>(edge_units.size()));
    add_map(a, cc, e);
  }

 private:
  // a is out x dim (row-major); c and e have out entries.
  void add_map(const double* a, const double* cc, const double* e) {
    if (!with_affine) return;
    A.insert(A.end(), a, a + static_cast<std::size_t>(out) * dim);
    c.insert(c.end(), cc, cc + out);
    E.insert(E.end(), e, e + out);
  }
};

}  // namespace reluregions
