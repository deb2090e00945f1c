// Core tests of analysis.hpp: the batch runner, counts on frames and neighbourhoods, exact patterns and
// the distance to the region boundary, against closed forms.
#include <cmath>
#include <cstdio>
#include <vector>

#include <reluregions/analysis.hpp>

#include "check.hpp"

using namespace reluregions;

int main() {
  // Two lines through the origin in R^2 (x1 = 0, x1 = x2) and a second layer unit relu(h1 + h2 - 1).
  const Network net({2, 2, 1, 1}, {{1.0, 0.0, 1.0, -1.0}, {1.0, 1.0}, {1.0}}, {{0.0, 0.0}, {-1.0}, {0.0}}, {0.0, 0.0});
  SharedExact exact(net);
  PointAnalyzer pa(net, [&]() -> const ExactNetwork& { return exact.get(); });

  // Interior point (2, 1): z = (2, 1), second layer 2 + 1 - 1 = 2 with gradient (2, -1).
  const double x[2] = {2.0, 1.0};
  CHECK(pa.signs(x));
  double p[2];
  PointAnalyzer::Boundary b = pa.distance(x, p);
  CHECK(std::fabs(b.distance - 1.0 / std::sqrt(2.0)) < 1e-15);  // x1 = x2 at distance 1 / sqrt(2)
  CHECK(b.unit == 1);
  CHECK(std::fabs(p[0] - 1.5) < 1e-15 && std::fabs(p[1] - 1.5) < 1e-15);

  // On the line x1 = x2: exactly 0 (decided exactly: the float pass cannot settle z = 0).
  const double on[2] = {0.75, 0.75};
  CHECK(!pa.signs(on));
  b = pa.distance(on, p);
  CHECK(b.distance == 0.0 && b.unit == 1 && p[0] == 0.75 && p[1] == 0.75);

  // A point where both first-layer units are off: the second-layer unit is identically zero there.
  const double off[2] = {-1.0, 3.0};
  CHECK(pa.signs(off));
  b = pa.distance(off, nullptr);
  CHECK(std::fabs(b.distance - 1.0) < 1e-15 && b.unit == 0);

  // Counts: the segment from (-1, -2) to (1, 2) crosses both lines at the origin: 2 regions. The square
  // of half-width 0.5 around (0.25, 0.75) meets 4: both lines cross it (not meeting inside), and the
  // second layer's 2 x1 - x2 = 1 cuts the corner x1 > x2 near (0.75, 0.25). The diamond of radius 0.5
  // has the edge (0.25, 0.25)-(0.75, 0.75) on x1 = x2, so only x1 = 0 splits it: 2.
  Control ctl;
  const double o1[2] = {-1.0, -2.0}, d1[2] = {2.0, 4.0}, lo1[1] = {0.0}, hi1[1] = {1.0};
  std::vector<double> breaks;
  CHECK(count_on_frame(net, 1, o1, d1, lo1, hi1, ctl, &breaks) == 2);
  CHECK(breaks.size() == 1 && std::fabs(breaks[0] - 0.5) < 1e-15);
  Control ctl2;
  const double c2[2] = {0.25, 0.75}, eye[4] = {1.0, 0.0, 0.0, 1.0};
  CHECK(local_count(net, 2, c2, eye, 0.5, false, ctl2) == 4);
  Control ctl3;
  CHECK(local_count(net, 2, c2, eye, 0.5, true, ctl3) == 2);

  // The batch runner: every item once, any number of threads; an item's exception is rethrown.
  for (int threads : {1, 2, 5}) {
    std::vector<int> seen(100, 0);
    parallel_for(seen.size(), threads, [&](std::size_t i, int, const std::atomic<bool>&) { seen[i] += 1; }, {});
    bool once = true;
    for (int s : seen) once = once && s == 1;
    CHECK(once);
  }
  bool thrown = false;
  try {
    parallel_for(10, 2,
                 [](std::size_t i, int, const std::atomic<bool>&) {
                   if (i == 3) throw std::invalid_argument("item 3");
                 },
                 {});
  } catch (const std::invalid_argument&) {
    thrown = true;
  }
  CHECK(thrown);
  if (check_failures() == 0) std::printf("test_analysis: all checks passed\n");
  return check_failures() == 0 ? 0 : 1;
}
