#include "sweep/asha.h"

#include <algorithm>
#include <functional>

namespace alexnet {

std::vector<std::int64_t> asha_rungs(const AshaSettings& s, std::int64_t max_iterations) {
  std::vector<std::int64_t> rungs;
  if (!s.on || s.reduction < 2) return rungs;
  std::int64_t rung = s.min_iterations > 0 ? s.min_iterations : std::max<std::int64_t>(1, max_iterations / 9);
  while (rung < max_iterations) {
    rungs.push_back(rung);
    rung *= s.reduction;
  }
  return rungs;
}

bool asha_promotes(const std::vector<double>& at_rung, double value, int reduction) {
  if (at_rung.empty()) return true;
  const std::size_t keep = std::max<std::size_t>(1, at_rung.size() / std::size_t(std::max(reduction, 1)));
  std::vector<double> sorted = at_rung;
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  return value >= sorted[keep - 1];
}

}  // namespace alexnet
