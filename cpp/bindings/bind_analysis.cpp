// Regions near data: batched counts on segments, planes and neighbourhoods of points, exact patterns of
// points and their distance to the region boundary. One call per batch, GIL released, threads over items.
#include "common.hpp"

#include <bitset>
#include <memory>
#include <thread>

#include <reluregions/analysis.hpp>

namespace rr = reluregions;

namespace {

int thread_count(int threads) {
  return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Runs fn(item, worker, cancel) over [0, n) with the GIL released; Ctrl-C (checked on the calling thread)
// cancels the batch; engine errors about the domain become ValueError.
template <class Fn>
void run_batch(std::size_t n, int workers, Fn&& fn) {
  std::function<void()> poll = [] {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  };
  py::gil_scoped_release release;
  try {
    rr::parallel_for(n, workers, std::forward<Fn>(fn), poll);
  } catch (const std::overflow_error& e) {
    throw py::value_error(std::string("cannot represent the network on this domain in float64: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

// A float64 array of the given shape (-1: any extent); ValueError naming `what` otherwise.
darray checked(const py::handle& a, const std::vector<py::ssize_t>& shape, const char* what) {
  darray arr = darray::ensure(a);
  if (!arr) throw py::type_error(std::string(what) + " must be a numeric array");
  bool ok = arr.ndim() == static_cast<py::ssize_t>(shape.size());
  for (std::size_t k = 0; ok && k < shape.size(); ++k)
    ok = shape[k] < 0 || arr.shape(static_cast<py::ssize_t>(k)) == shape[k];
  if (!ok) throw py::value_error(std::string(what) + " has the wrong shape");
  return arr;
}

// One PointAnalyzer per worker, sharing the exact network (built on first need).
struct Analyzers {
  rr::SharedExact exact;
  std::vector<std::unique_ptr<rr::PointAnalyzer>> slots;
  const rr::Network& net;
  Analyzers(const rr::Network& n, int workers) : exact(n), slots(static_cast<std::size_t>(workers)), net(n) {}
  rr::PointAnalyzer& at(int worker) {
    auto& a = slots[static_cast<std::size_t>(worker)];
    if (!a) a = std::make_unique<rr::PointAnalyzer>(net, [this]() -> const rr::ExactNetwork& { return exact.get(); });
    return *a;
  }
};

// Counts on n segments (K = 1) or rectangles (K = 2) origin[i] + basis[i] s, lo[i] <= s <= hi[i].
py::dict batch_count(const rr::Network& net, const py::handle& origins, const py::handle& bases, const py::handle& lo,
                     const py::handle& hi, int threads, bool breakpoints) {
  const py::ssize_t d = net.input_dim();
  const darray O = as_matrix(origins, d, "origins");
  const py::ssize_t n = O.shape(0);
  const darray B = checked(bases, {n, d, -1}, "bases (n, inputs, K)");
  const py::ssize_t K = B.shape(2);
  if (K != 1 && K != 2) throw py::value_error("bases must span 1 (segments) or 2 (planes) dimensions");
  const darray L = checked(lo, {n, K}, "lo (n, K)"), Hi = checked(hi, {n, K}, "hi (n, K)");
  if (breakpoints && K != 1) throw py::value_error("breakpoints are reported for segments (K = 1) only");
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(n));
  std::vector<std::vector<double>> breaks(breakpoints ? static_cast<std::size_t>(n) : 0);
  run_batch(static_cast<std::size_t>(n), thread_count(threads),
            [&](std::size_t i, int, const std::atomic<bool>& cancel) {
              rr::Control ctl = rr::item_control(cancel);
              const auto si = static_cast<py::ssize_t>(i);
              counts[i] = rr::count_on_frame(net, static_cast<int>(K), O.data(si, 0), B.data(si, 0, 0), L.data(si, 0),
                                             Hi.data(si, 0), ctl, breakpoints ? &breaks[i] : nullptr);
            });
  py::dict out;
  out["counts"] = to_numpy(std::move(counts), {n});
  if (breakpoints) {
    std::vector<double> flat;
    std::vector<std::int64_t> offsets{0};
    for (const auto& b : breaks) {
      flat.insert(flat.end(), b.begin(), b.end());
      offsets.push_back(static_cast<std::int64_t>(flat.size()));
    }
    const auto F = static_cast<py::ssize_t>(flat.size());
    out["breakpoints"] = to_numpy(std::move(flat), {F});
    out["offsets"] = to_numpy(std::move(offsets), {n + 1});
  }
  return out;
}

void check_radius(double radius) {
  if (!(radius > 0) || !std::isfinite(radius))
    throw py::value_error("radius must be a positive finite number, got " + std::to_string(radius));
}

// Regions meeting X[i] + bases[i] a, a in the cross-polytope or cube of radius r in R^k.
py::array_t<std::uint64_t> local_counts(const rr::Network& net, const py::handle& X, const py::handle& bases,
                                        double radius, bool cross, int threads) {
  const py::ssize_t d = net.input_dim();
  const darray P = as_matrix(X, d, "X");
  const py::ssize_t n = P.shape(0);
  const darray B = checked(bases, {n, d, -1}, "bases (n, inputs, k)");
  const auto k = static_cast<int>(B.shape(2));
  if (k < 1 || k > d) throw py::value_error("the neighbourhood's dimension k must be in 1..inputs");
  check_radius(radius);
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(n));
  run_batch(static_cast<std::size_t>(n), thread_count(threads),
            [&](std::size_t i, int, const std::atomic<bool>& cancel) {
              rr::Control ctl = rr::item_control(cancel);
              const auto si = static_cast<py::ssize_t>(i);
              counts[i] = rr::local_count(net, k, P.data(si, 0), B.data(si, 0, 0), radius, cross, ctl);
            });
  return to_numpy(std::move(counts), {n});
}

// Humayun et al.'s proxy: the units whose exact sign is not the same at every vertex X[i] +- r B[i][:, j]
// (vertices computed in float64) of the cross-polytope.
py::array_t<std::int64_t> proxy_counts(const rr::Network& net, const py::handle& X, const py::handle& bases,
                                       double radius, int threads) {
  const py::ssize_t d = net.input_dim();
  const darray P = as_matrix(X, d, "X");
  const py::ssize_t n = P.shape(0);
  const darray B = checked(bases, {n, d, -1}, "bases (n, inputs, k)");
  const py::ssize_t k = B.shape(2);
  check_radius(radius);
  const auto words = static_cast<std::size_t>(net.layout().words());
  std::vector<std::int64_t> counts(static_cast<std::size_t>(n));
  const int T = rr::batch_workers(static_cast<std::size_t>(n), thread_count(threads));
  Analyzers an(net, T);
  run_batch(static_cast<std::size_t>(n), T, [&](std::size_t i, int worker, const std::atomic<bool>&) {
    rr::PointAnalyzer& pa = an.at(worker);
    const auto si = static_cast<py::ssize_t>(i);
    const double* x = P.data(si, 0);
    const double* b = B.data(si, 0, 0);
    std::vector<double> v(static_cast<std::size_t>(d));
    std::vector<std::uint64_t> any(words, 0), all(words, ~std::uint64_t{0});
    for (py::ssize_t j = 0; j < k; ++j)
      for (double sgn : {1.0, -1.0}) {
        for (py::ssize_t c = 0; c < d; ++c) v[static_cast<std::size_t>(c)] = x[c] + sgn * radius * b[c * k + j];
        pa.signs(v.data());
        for (std::size_t w = 0; w < words; ++w) {
          any[w] |= pa.bits()[w];
          all[w] &= pa.bits()[w];
        }
      }
    std::int64_t changed = 0;
    for (std::size_t w = 0; w < words; ++w)
      changed += static_cast<std::int64_t>(std::bitset<64>(any[w] & ~all[w]).count());
    counts[i] = changed;
  });
  return to_numpy(std::move(counts), {n});
}

// Exact activation patterns of points: packed (n x words) and unpacked (n x units), and how many points
// needed the exact (rational) pass.
py::tuple exact_patterns(const rr::Network& net, const py::handle& X, int threads) {
  const darray P = as_matrix(X, net.input_dim(), "X");
  const py::ssize_t n = P.shape(0);
  const auto& lay = net.layout();
  const py::ssize_t words = lay.words(), units = lay.units();
  std::vector<std::uint64_t> packed(static_cast<std::size_t>(n * words));
  py::array_t<bool> unpacked({n, units});
  auto* dst = reinterpret_cast<std::uint8_t*>(unpacked.mutable_data());
  const int T = rr::batch_workers(static_cast<std::size_t>(n), thread_count(threads));
  Analyzers an(net, T);
  std::atomic<std::uint64_t> exact{0};
  run_batch(static_cast<std::size_t>(n), T, [&](std::size_t i, int worker, const std::atomic<bool>&) {
    rr::PointAnalyzer& pa = an.at(worker);
    if (!pa.signs(P.data(static_cast<py::ssize_t>(i), 0))) exact.fetch_add(1);
    std::copy(pa.bits(), pa.bits() + words, packed.begin() + static_cast<std::ptrdiff_t>(i) * words);
    lay.unpack(pa.bits(), dst + static_cast<py::ssize_t>(i) * units);
  });
  return py::make_tuple(to_numpy(std::move(packed), {n, words}), unpacked, exact.load());
}

// Distance of each point to the boundary of its activation region, the unit of the nearest boundary
// (-1: none) and, optionally, the nearest boundary point.
py::dict distance_to_boundary(const rr::Network& net, const py::handle& X, bool return_point, int threads) {
  const py::ssize_t d = net.input_dim();
  const darray P = as_matrix(X, d, "X");
  const py::ssize_t n = P.shape(0);
  std::vector<double> dist(static_cast<std::size_t>(n)), point(return_point ? static_cast<std::size_t>(n * d) : 0);
  std::vector<std::int64_t> unit(static_cast<std::size_t>(n));
  const int T = rr::batch_workers(static_cast<std::size_t>(n), thread_count(threads));
  Analyzers an(net, T);
  std::atomic<std::uint64_t> exact{0};
  run_batch(static_cast<std::size_t>(n), T, [&](std::size_t i, int worker, const std::atomic<bool>&) {
    rr::PointAnalyzer& pa = an.at(worker);
    const double* x = P.data(static_cast<py::ssize_t>(i), 0);
    if (!pa.signs(x)) exact.fetch_add(1);
    const rr::PointAnalyzer::Boundary b =
        pa.distance(x, return_point ? point.data() + static_cast<std::ptrdiff_t>(i) * d : nullptr);
    dist[i] = b.distance;
    unit[i] = b.unit;
  });
  py::dict out;
  out["distance"] = to_numpy(std::move(dist), {n});
  out["unit"] = to_numpy(std::move(unit), {n});
  out["exact_points"] = exact.load();
  if (return_point) out["point"] = to_numpy(std::move(point), {n, d});
  return out;
}

using packed_array = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

// Index of each query pattern among the patterns of a result (-1 if absent).
py::array_t<std::int64_t> locate_packed(const packed_array& patterns, const packed_array& queries) {
  if (patterns.ndim() != 2 || queries.ndim() != 2 || patterns.shape(1) != queries.shape(1))
    throw py::value_error("patterns and queries must be packed patterns (rows of the same number of words)");
  const py::ssize_t n = queries.shape(0), words = queries.shape(1);
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n), -1);
  {
    py::gil_scoped_release release;
    const rr::PatternIndex index(patterns.data(), static_cast<std::size_t>(patterns.shape(0)), static_cast<int>(words));
    for (py::ssize_t i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = index.find(queries.data() + i * words);
  }
  return to_numpy(std::move(idx), {n});
}

}  // namespace

void bind_analysis(py::module_& m) {
  m.def("batch_count", &batch_count, py::arg("net"), py::arg("origins"), py::arg("bases"), py::arg("lo"), py::arg("hi"),
        py::arg("threads") = 0, py::arg("breakpoints") = false,
        "Region counts on n segments or rectangles origins[i] + bases[i] @ s, lo[i] <= s <= hi[i] (core)");
  m.def("local_counts", &local_counts, py::arg("net"), py::arg("X"), py::arg("bases"), py::arg("radius"),
        py::arg("cross"), py::arg("threads") = 0,
        "Regions meeting X[i] + bases[i] @ a, a in the cross-polytope or cube of the radius (core)");
  m.def("proxy_counts", &proxy_counts, py::arg("net"), py::arg("X"), py::arg("bases"), py::arg("radius"),
        py::arg("threads") = 0, "Units whose sign changes over the cross-polytope's vertices (core)");
  m.def("exact_patterns", &exact_patterns, py::arg("net"), py::arg("X"), py::arg("threads") = 0,
        "Exact activation patterns (packed, unpacked) and the number of points the exact pass decided (core)");
  m.def("distance_to_boundary", &distance_to_boundary, py::arg("net"), py::arg("X"), py::arg("return_point") = false,
        py::arg("threads") = 0, "Distance of each point to its activation region's boundary (core)");
  m.def("locate_packed", &locate_packed, py::arg("patterns"), py::arg("queries"),
        "Index of each packed query pattern among packed patterns, -1 if absent (core)");
}
