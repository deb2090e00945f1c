// A run-time dimension turned into a compile-time one for the hot loops of small problems.
#pragma once
#include <type_traits>

namespace reluregions {

// f(std::integral_constant<int, N>) with N = n for 1 <= n <= 8 (loops of that length unrolled at compile
// time: the same sums in the same order), else N = 0 (the loop length stays n, at run time).
template <class F>
decltype(auto) with_small_dim(int n, F&& f) {
  switch (n) {
    case 1:
      return f(std::integral_constant<int, 1>{});
    case 2:
      return f(std::integral_constant<int, 2>{});
    case 3:
      return f(std::integral_constant<int, 3>{});
    case 4:
      return f(std::integral_constant<int, 4>{});
    case 5:
      return f(std::integral_constant<int, 5>{});
    case 6:
      return f(std::integral_constant<int, 6>{});
    case 7:
      return f(std::integral_constant<int, 7>{});
    case 8:
      return f(std::integral_constant<int, 8>{});
    default:
      return f(std::integral_constant<int, 0>{});
  }
}

}  // namespace reluregions
