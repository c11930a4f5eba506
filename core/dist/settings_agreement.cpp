#include "dist/settings_agreement.h"

#include <nlohmann/json.hpp>

#include "io/json_text.h"

namespace alexnet {

namespace {

// A process's own business, not the experiment's.
nlohmann::json shared_settings(const ExperimentConfig& config) {
  nlohmann::json j = config_to_json(config);
  j.erase("threads");
  j.erase("data_cache_mb");  // memory on this machine; the batches are the same either way
  return j;
}

}  // namespace

std::string differing_settings(const std::string& rank0_settings, const std::string& own_settings) {
  const nlohmann::json theirs = parse_bounded_json(rank0_settings);
  const nlohmann::json mine = parse_bounded_json(own_settings);
  std::string differences;
  auto add = [&](const std::string& key, const nlohmann::json& a, const nlohmann::json& b) {
    const auto shown = [](const nlohmann::json& v) {
      const std::string text = v.is_null() ? "unset" : v.dump();
      return text.size() > 60 ? text.substr(0, 57) + "..." : text;
    };
    differences += (differences.empty() ? "" : ", ") + key + " (rank 0: " + shown(a) + ", here: " + shown(b) + ")";
  };
  for (const auto& [key, value] : theirs.items()) {
    const nlohmann::json other = mine.contains(key) ? mine.at(key) : nlohmann::json();
    if (value != other) add(key, value, other);
  }
  for (const auto& [key, value] : mine.items()) {
    if (!theirs.contains(key)) add(key, nlohmann::json(), value);
  }
  return differences;
}

void agree_on_settings(Cluster& cluster, ExperimentConfig& config, bool adopt) {
  if (!cluster.distributed()) return;
  const std::string own = shared_settings(config).dump();
  const std::string common = cluster.agree(own, [&](const std::string& rank0) {
    if (adopt) return std::string();
    try {
      return differing_settings(rank0, own);
    } catch (const std::exception& e) {
      return std::string("rank 0's settings could not be read: ") + e.what();
    }
  });
  if (cluster.rank() == 0 || !adopt) return;
  nlohmann::json j = parse_bounded_json(common);
  j["threads"] = config.threads;
  j["data_cache_mb"] = config.data_cache_mb;
  config = config_from_json(j);
}

}  // namespace alexnet
