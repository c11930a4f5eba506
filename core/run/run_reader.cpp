#include "run/run_reader.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "run/run_store.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

Histogram histogram_from_json(const nlohmann::json& j) {
  Histogram h;
  h.edges = j.at("edges").get<std::vector<double>>();
  h.counts = j.at("counts").get<std::vector<std::int64_t>>();
  h.below = j.value("below", std::int64_t(0));
  h.above = j.value("above", std::int64_t(0));
  if (h.edges.size() != h.counts.size() + 1) throw std::invalid_argument("histogram edges and counts disagree");
  return h;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream s(line);
  std::string field;
  while (std::getline(s, field, ',')) fields.push_back(field);
  return fields;
}

void read_metrics(const std::string& path, RunContents& run) {
  std::istringstream in(read_whole_file(path));
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1) {
      if (line != kMetricsHeader) run.warnings.push_back(path + ": unexpected header");
      continue;
    }
    const std::vector<std::string> f = split_csv(line);
    try {
      if (f.size() != 6) throw std::invalid_argument("fields");
      RecordPoint p;
      p.variant = f[0];
      p.iteration = std::stoll(f[1]);
      p.train_loss = std::stod(f[2]);
      p.learning_rate = std::stod(f[3]);
      p.images_per_second = std::stod(f[4]);
      p.elapsed_seconds = std::stod(f[5]);
      run.records.push_back(p);
    } catch (const std::exception&) {
      run.warnings.push_back(path + ": line " + std::to_string(number) + " is damaged and was skipped");
    }
  }
}

void read_probes(const std::string& path, RunContents& run) {
  std::istringstream in(read_whole_file(path));
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      ProbeResult p;
      p.variant = j.at("variant").get<std::string>();
      p.iteration = j.at("iteration").get<std::int64_t>();
      p.activation = j.at("activation").get<std::string>();
      for (const auto& l : j.at("layers")) {
        LayerProbe layer;
        layer.name = l.at("name").get<std::string>();
        layer.units = l.at("units").get<std::int64_t>();
        layer.dead_fraction = l.at("dead_fraction").get<double>();
        layer.nearly_dead_fraction = l.at("nearly_dead_fraction").get<double>();
        layer.saturated_fraction = l.at("saturated_fraction").get<double>();
        layer.pre_activation = histogram_from_json(l.at("pre_activation"));
        layer.activation = histogram_from_json(l.at("activation"));
        p.layers.push_back(layer);
      }
      const auto& f = j.at("filters");
      const std::string png = (fs::path(run.dir) / f.at("file").get<std::string>()).string();
      try {
        p.filters = read_filter_png(png, f.at("tile").get<int>(), f.at("columns").get<int>(), f.at("rows").get<int>());
        p.filters.filters = f.at("filters").get<int>();
        p.filters.normalisation = f.value("normalisation", "");
      } catch (const std::exception& e) {
        run.warnings.push_back(e.what());
      }
      run.probes.push_back(std::move(p));
    } catch (const std::exception&) {
      run.warnings.push_back(path + ": line " + std::to_string(number) + " is damaged and was skipped");
    }
  }
}

void read_results(const std::string& path, RunContents& run) {
  try {
    const nlohmann::json j = nlohmann::json::parse(read_whole_file(path));
    for (const auto& r : j.at("variants")) {
      VariantResult v;
      v.variant = r.at("variant").get<std::string>();
      v.test_loss = r.at("test_loss").is_number() ? r.at("test_loss").get<double>() : std::nan("");
      v.test_accuracy = r.at("test_accuracy").get<double>();
      v.confusion = r.at("confusion").get<std::vector<std::vector<std::int64_t>>>();
      v.iterations = r.at("iterations").get<std::int64_t>();
      v.seconds = r.at("seconds").get<double>();
      v.parameters = r.at("parameters").get<std::int64_t>();
      v.diverged = r.at("diverged").get<bool>();
      v.note = r.value("note", "");
      run.results.push_back(v);
    }
  } catch (const std::exception& e) {
    run.results.clear();
    run.warnings.push_back(path + ": damaged (" + e.what() + "); the results are not shown");
  }
}

}  // namespace

FilterGrid read_filter_png(const std::string& path, int tile, int columns, int rows) {
  const cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
  if (bgr.empty()) throw StoreError(path + ": missing or not a PNG");
  FilterGrid g;
  g.tile = tile;
  g.columns = columns;
  g.rows = rows;
  g.width = columns * (tile + 1) + 1;
  g.height = rows * (tile + 1) + 1;
  if (g.width <= 0 || g.height <= 0 || bgr.cols % g.width != 0 || bgr.rows % g.height != 0) {
    throw StoreError(path + ": its size does not match the filter grid described in probes.jsonl");
  }
  cv::Mat small, rgb;
  cv::resize(bgr, small, cv::Size(g.width, g.height), 0, 0, cv::INTER_NEAREST);
  cv::cvtColor(small, rgb, cv::COLOR_BGR2RGB);
  g.rgb.assign(rgb.data, rgb.data + static_cast<std::size_t>(g.width) * g.height * 3);
  return g;
}

RunContents read_run_summary(const std::string& dir) {
  RunContents run;
  run.dir = dir;
  const fs::path root(dir);
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(read_whole_file((root / "config.json").string()));
    run.config = config_from_json(config);
  } catch (const StoreError&) {
    throw StoreError(dir + ": not a run folder (config.json is missing or unreadable)");
  } catch (const std::exception& e) {
    throw StoreError(dir + "/config.json: damaged: " + e.what());
  }
  try {
    if (config["data_summary"].is_object()) {
      const nlohmann::json& summary = config["data_summary"];
      run.class_names = summary.value("class_names", std::vector<std::string>{});
      run.data_name = summary.value("name", std::string());
      if (summary.contains("normalisation")) {
        run.normalisation_mean = summary["normalisation"].at("mean").get<std::vector<float>>();
        run.normalisation_std = summary["normalisation"].at("std").get<std::vector<float>>();
      }
    }
  } catch (const nlohmann::json::exception&) {
    run.warnings.push_back(dir + "/config.json: the data summary is damaged and was left out");
  }
  const std::string results = (root / "results.json").string();
  if (fs::exists(results)) read_results(results, run);
  return run;
}

RunContents read_run(const std::string& dir) {
  RunContents run = read_run_summary(dir);
  const fs::path root(dir);
  const std::string metrics = (root / "metrics.csv").string();
  if (fs::exists(metrics)) read_metrics(metrics, run);
  else run.warnings.push_back(metrics + " is missing");
  const std::string probes = (root / "probes.jsonl").string();
  if (fs::exists(probes)) read_probes(probes, run);
  return run;
}

}  // namespace alexnet
