#include "run/run_comparison.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "run/run_paths.h"
#include "run/run_store.h"
#include "spec/spec_json.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

// config.json, results.json and metrics.csv: what a comparison shows.
RunContents read_for_comparison(const std::string& dir) {
  RunContents run = read_run_summary(dir);
  if (run_file_exists(dir, "metrics.csv")) {
    parse_metrics(read_run_file(dir, "metrics.csv"), (fs::path(dir) / "metrics.csv").string(), run);
  }
  return run;
}

std::string shown(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

// "key: a | b | c" when the values are not all the same.
void add_if_different(const std::string& key, const std::vector<nlohmann::json>& values,
                      std::vector<std::string>& differences) {
  if (std::all_of(values.begin(), values.end(), [&](const nlohmann::json& v) { return v == values.front(); })) return;
  std::string line = key + ": ";
  for (std::size_t i = 0; i < values.size(); ++i) line += (i ? " | " : "") + shown(values[i]);
  differences.push_back(line);
}

const VariantSpec* spec_named(const RunContents& run, const std::string& name) {
  for (const VariantSpec& s : run.config.variants) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

Comparison compare_runs(const std::vector<std::string>& dirs, const std::vector<std::string>& variants) {
  if (dirs.size() < 2)
    throw StoreError("compare needs at least two run folders (got " + std::to_string(dirs.size()) + ")");
  Comparison c;
  std::map<std::string, int> name_count;
  for (const std::string& dir : dirs) ++name_count[fs::path(dir).lexically_normal().filename().string()];
  for (const std::string& dir : dirs) {
    const fs::path p = fs::path(dir).lexically_normal();
    std::string name = p.filename().string();
    if (name.empty()) name = p.parent_path().filename().string();
    if (name_count[name] > 1) name = p.parent_path().filename().string() + "/" + name;
    c.runs.push_back({name, read_for_comparison(dir)});
  }
  // Variants: as asked, or every one in first-seen order.
  for (const ComparedRun& r : c.runs) {
    for (const VariantSpec& s : r.run.config.variants) {
      if (std::find(c.variants.begin(), c.variants.end(), s.name) == c.variants.end()) c.variants.push_back(s.name);
    }
  }
  if (!variants.empty()) {
    for (const std::string& v : variants) {
      if (std::find(c.variants.begin(), c.variants.end(), v) == c.variants.end()) {
        throw std::invalid_argument("no compared run has a variant named " + v);
      }
    }
    c.variants = variants;
  }
  // Settings: every key of config.json but a process's own.
  std::vector<nlohmann::json> configs;
  for (const ComparedRun& r : c.runs) configs.push_back(config_to_json(r.run.config));
  std::set<std::string> keys;
  for (const nlohmann::json& j : configs) {
    for (const auto& item : j.items()) keys.insert(item.key());
  }
  for (const char* key : {"threads", "data_cache_mb", "variants"}) keys.erase(key);
  for (const std::string& key : keys) {
    std::vector<nlohmann::json> values;
    for (const nlohmann::json& j : configs) values.push_back(j.contains(key) ? j.at(key) : nlohmann::json());
    add_if_different(key, values, c.differences);
  }
  std::vector<nlohmann::json> data_names, variant_lists;
  for (const ComparedRun& r : c.runs) {
    data_names.push_back(r.run.data_name);
    std::string list;
    for (const VariantSpec& s : r.run.config.variants) list += (list.empty() ? "" : ",") + s.name;
    variant_lists.push_back(list);
  }
  add_if_different("variants", variant_lists, c.differences);
  // A variant of the same name with another spec: which of its fields differ.
  for (const std::string& v : c.variants) {
    std::vector<nlohmann::json> specs;
    for (const ComparedRun& r : c.runs) {
      const VariantSpec* s = spec_named(r.run, v);
      specs.push_back(s ? spec_to_json(*s) : nlohmann::json());
    }
    std::set<std::string> fields;
    for (const nlohmann::json& s : specs) {
      if (s.is_object()) {
        for (const auto& item : s.items()) fields.insert(item.key());
      }
    }
    for (const std::string& field : fields) {
      if (field == "input_size" || field == "classes") continue;  // the run's own settings, compared above
      std::vector<nlohmann::json> values;
      bool in_all = true;
      for (const nlohmann::json& s : specs) {
        in_all &= s.is_object();
        values.push_back(s.is_object() && s.contains(field) ? s.at(field) : nlohmann::json());
      }
      if (in_all) add_if_different(v + "." + field, values, c.differences);
    }
  }
  c.different_data = !std::all_of(data_names.begin(), data_names.end(),
                                  [&](const nlohmann::json& n) { return n == data_names.front(); });
  if (c.different_data) add_if_different("data set", data_names, c.differences);
  return c;
}

void read_compared_probes(Comparison& comparison) {
  for (ComparedRun& r : comparison.runs) {
    r.run.probes.clear();
    if (!run_file_exists(r.run.dir, "probes.jsonl")) continue;
    const auto no_pictures = [](const std::string&, int, int, int) { return FilterGrid{}; };
    parse_probes(read_run_file(r.run.dir, "probes.jsonl"), (fs::path(r.run.dir) / "probes.jsonl").string(), no_pictures,
                 r.run);
  }
}

std::vector<ComparisonRow> comparison_rows(const Comparison& c) {
  std::vector<ComparisonRow> rows;
  for (const ComparedRun& r : c.runs) {
    for (const std::string& v : c.variants) {
      if (!spec_named(r.run, v)) continue;
      ComparisonRow row{r.name, r.run.dir, v, r.run.data_name};
      for (const VariantResult& x : r.run.results) {
        if (x.variant != v) continue;
        row.evaluated = true;
        row.test_loss = x.test_loss;
        row.test_accuracy = x.test_accuracy;
        row.iterations = x.iterations;
        row.seconds = x.seconds;
      }
      rows.push_back(row);
    }
  }
  return rows;
}

std::string comparison_table(const Comparison& c) {
  const std::vector<ComparisonRow> rows = comparison_rows(c);
  std::size_t run_width = 3, variant_width = 7, data_width = 4;
  for (const ComparisonRow& r : rows) {
    run_width = std::max(run_width, r.run.size());
    variant_width = std::max(variant_width, r.variant.size());
    data_width = std::max(data_width, r.data.size());
  }
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-*s  %-*s  %-*s  %9s  %13s  %10s  %8s\n", int(run_width), "run",
                int(variant_width), "variant", int(data_width), "data", "test_loss", "test_accuracy", "iterations",
                "seconds");
  out += line;
  for (const ComparisonRow& r : rows) {
    if (!r.evaluated) {
      std::snprintf(line, sizeof line, "%-*s  %-*s  %-*s  %9s  %13s  %10s  %8s\n", int(run_width), r.run.c_str(),
                    int(variant_width), r.variant.c_str(), int(data_width), r.data.c_str(), "-", "not evaluated", "-",
                    "-");
    } else {
      std::snprintf(line, sizeof line, "%-*s  %-*s  %-*s  %9.4f  %12.2f%%  %10lld  %8.1f\n", int(run_width),
                    r.run.c_str(), int(variant_width), r.variant.c_str(), int(data_width), r.data.c_str(), r.test_loss,
                    100 * r.test_accuracy, static_cast<long long>(r.iterations), r.seconds);
    }
    out += line;
  }
  return out;
}

nlohmann::json comparison_json(const Comparison& c) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ComparisonRow& r : comparison_rows(c)) {
    nlohmann::json row = {{"run", r.run}, {"dir", r.dir}, {"variant", r.variant}, {"data", r.data}};
    if (r.evaluated) {
      row["test_loss"] = r.test_loss;
      row["test_accuracy"] = r.test_accuracy;
      row["iterations"] = r.iterations;
      row["seconds"] = r.seconds;
    }
    rows.push_back(row);
  }
  return {{"rows", rows}, {"differences", c.differences}, {"different_data", c.different_data}};
}

}  // namespace alexnet
