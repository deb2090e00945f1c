// A tiny check macro for the core tests: counts failures, the test returns non-zero if any.
#pragma once
#include <cstdio>

inline int& check_failures() {
  static int n = 0;
  return n;
}

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++check_failures();                                                           \
    }                                                                               \
  } while (0)
