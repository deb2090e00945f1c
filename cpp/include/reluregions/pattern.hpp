// Activation patterns as bit sets. Each hidden layer starts on a fresh 64-bit word ("aligned layout"),
// so a layer's bits can be copied word by word.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

namespace reluregions {

class PatternLayout {
 public:
  PatternLayout() = default;
  explicit PatternLayout(std::vector<int> widths) : widths_(std::move(widths)) {
    int w = 0, u = 0;
    for (int n : widths_) {
      word_off_.push_back(w);
      unit_off_.push_back(u);
      w += words_for(n);
      u += n;
    }
    words_ = w;
    units_ = u;
  }
  static int words_for(int bits) { return (bits + 63) / 64; }

  int layers() const { return static_cast<int>(widths_.size()); }
  int words() const { return words_; }  // words per pattern
  int units() const { return units_; }  // hidden units in all
  int width(int l) const { return widths_[l]; }
  int word_offset(int l) const { return word_off_[l]; }
  int unit_offset(int l) const { return unit_off_[l]; }
  int layer_words(int l) const { return words_for(widths_[l]); }

  void clear(std::uint64_t* p) const { std::memset(p, 0, sizeof(std::uint64_t) * static_cast<std::size_t>(words_)); }
  void set(std::uint64_t* p, int l, int i) const { p[word_off_[l] + (i >> 6)] |= std::uint64_t{1} << (i & 63); }
  void flip(std::uint64_t* p, int l, int i) const { p[word_off_[l] + (i >> 6)] ^= std::uint64_t{1} << (i & 63); }
  bool get(const std::uint64_t* p, int l, int i) const { return (p[word_off_[l] + (i >> 6)] >> (i & 63)) & 1u; }

  // Global unit index -> (layer, index in layer).
  void locate(int unit, int& l, int& i) const {
    l = 0;
    while (l + 1 < layers() && unit >= unit_off_[l + 1]) ++l;
    i = unit - unit_off_[l];
  }

  // Writes the pattern as one byte (0/1) per hidden unit.
  void unpack(const std::uint64_t* p, std::uint8_t* out) const {
    for (int l = 0; l < layers(); ++l)
      for (int i = 0; i < widths_[l]; ++i) *out++ = get(p, l, i) ? 1 : 0;
  }

 private:
  std::vector<int> widths_, word_off_, unit_off_;
  int words_ = 0, units_ = 0;
};

inline std::uint64_t hash_words(const std::uint64_t* p, int n) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ static_cast<std::uint64_t>(n);
  for (int k = 0; k < n; ++k) {
    std::uint64_t x = p[k] + 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(k + 1);
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    h = (h ^ x) * 0x100000001B3ull;
  }
  return h ^ (h >> 29);
}

// Open-addressing map from patterns to region indices (patterns stored elsewhere, R x words).
class PatternIndex {
 public:
  PatternIndex(const std::uint64_t* patterns, std::size_t count, int words) : pats_(patterns), words_(words) {
    std::size_t cap = 16;
    while (cap < 2 * count + 1) cap <<= 1;
    slots_.assign(cap, -1);
    for (std::size_t r = 0; r < count; ++r) insert(static_cast<std::int64_t>(r));
  }
  // Index of the region with this pattern, or -1.
  std::int64_t find(const std::uint64_t* p) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = hash_words(p, words_) & mask;; s = (s + 1) & mask) {
      const std::int64_t r = slots_[s];
      if (r < 0) return -1;
      if (equal(p, r)) return r;
    }
  }

 private:
  bool equal(const std::uint64_t* p, std::int64_t r) const {
    return std::memcmp(p, pats_ + static_cast<std::size_t>(r) * words_,
                       sizeof(std::uint64_t) * static_cast<std::size_t>(words_)) == 0;
  }
  void insert(std::int64_t r) {
    const std::uint64_t* p = pats_ + static_cast<std::size_t>(r) * words_;
    const std::size_t mask = slots_.size() - 1;
    std::size_t s = hash_words(p, words_) & mask;
    while (slots_[s] >= 0) {
      if (equal(p, slots_[s])) return;  // duplicate pattern: keep the first
      s = (s + 1) & mask;
    }
    slots_[s] = r;
  }
  const std::uint64_t* pats_;
  int words_;
  std::vector<std::int64_t> slots_;
};

}  // namespace reluregions
