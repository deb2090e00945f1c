// Convex polygons in the unit square: storage in a flat arena, splitting by a line, area, centroid.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

namespace reluregions {

// Vertices in counter-clockwise order; label[k] names the edge from vertex k to vertex k+1: the global
// index of the hidden unit whose zero line it lies on, or a negative number for a side of the domain.
// Vertex k is exactly the intersection of the lines of edges k-1 and k; its float coordinates are
// within delta[k] of that point in each coordinate.
struct PolygonArena {
  std::vector<double> x, y, delta;
  std::vector<std::int32_t> label;

  struct Piece {
    std::uint32_t off, n;
  };

  void clear() {
    x.clear();
    y.clear();
    delta.clear();
    label.clear();
  }
  std::uint32_t size() const { return static_cast<std::uint32_t>(x.size()); }
  // Drops every vertex from index n on (the pieces pushed after a mark).
  void truncate(std::uint32_t n) {
    x.resize(n);
    y.resize(n);
    delta.resize(n);
    label.resize(n);
  }
  void push(double px, double py, double pd, std::int32_t lab) {
    x.push_back(px);
    y.push_back(py);
    delta.push_back(pd);
    label.push_back(lab);
  }
  Piece copy_from(const double* px, const double* py, const double* pd, const std::int32_t* lab, std::uint32_t n) {
    const Piece p{size(), n};
    x.insert(x.end(), px, px + n);
    y.insert(y.end(), py, py + n);
    delta.insert(delta.end(), pd, pd + n);
    label.insert(label.end(), lab, lab + n);
    return p;
  }

  // Appends the part of piece p on side `side` (+1 or -1) of a line, given the vertices' exact classes
  // cls (+1, -1, or 0 for "on the line") and, for each edge k that the line crosses strictly, the
  // crossing point (cx[k], cy[k]) within cd[k]. New edges along the line get label `cut`.
  Piece clip(Piece p, const signed char* cls, const double* cx, const double* cy, const double* cd, int side,
             std::int32_t cut) {
    const Piece out{size(), 0};
    for (std::uint32_t k = 0; k < p.n; ++k) {
      const std::uint32_t k2 = (k + 1 == p.n) ? 0 : k + 1;
      const int s1 = cls[k] * side, s2 = cls[k2] * side;
      const std::uint32_t a = p.off + k;
      const std::int32_t lab = label[a];
      if (s1 >= 0) {
        push(x[a], y[a], delta[a], (s1 == 0 && s2 < 0) ? cut : lab);
        if (s1 > 0 && s2 < 0) push(cx[k], cy[k], cd[k], cut);
      } else if (s2 > 0) {
        push(cx[k], cy[k], cd[k], lab);
      }
    }
    return Piece{out.off, size() - out.off};
  }
};

// Area and centroid of a convex polygon (counter-clockwise), computed relative to its first vertex.
inline void area_centroid(const double* x, const double* y, std::uint32_t n, double& area, double& cx, double& cy) {
  double a2 = 0, sx = 0, sy = 0;
  const double x0 = x[0], y0 = y[0];
  for (std::uint32_t k = 1; k + 1 < n; ++k) {
    const double ux = x[k] - x0, uy = y[k] - y0, vx = x[k + 1] - x0, vy = y[k + 1] - y0;
    const double cr = ux * vy - uy * vx;  // twice the triangle's area
    a2 += cr;
    sx += cr * (ux + vx);
    sy += cr * (uy + vy);
  }
  area = 0.5 * a2;
  if (a2 > 0) {
    cx = x0 + sx / (3 * a2);
    cy = y0 + sy / (3 * a2);
  } else {  // degenerate: vertex mean
    double mx = 0, my = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
      mx += x[k];
      my += y[k];
    }
    cx = mx / n;
    cy = my / n;
  }
}

}  // namespace reluregions
