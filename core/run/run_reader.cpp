#include "run/run_reader.h"
#include "run/findings_file.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "io/json_text.h"
#include "run/run_paths.h"
#include "run/run_store.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

std::vector<std::vector<std::int64_t>> json_int_rows(const nlohmann::json& j) {
  if (!j.is_array()) throw nlohmann::json::type_error::create(302, "a confusion matrix must be an array of rows", &j);
  std::vector<std::vector<std::int64_t>> rows;
  for (const nlohmann::json& row : j) rows.push_back(json_ints<std::int64_t>(row));
  return rows;
}

Histogram histogram_from_json(const nlohmann::json& j) {
  Histogram h;
  h.edges = j.at("edges").get<std::vector<double>>();
  h.counts = json_ints<std::int64_t>(j.at("counts"));
  h.below = json_int_or<std::int64_t>(j, "below", 0);
  h.above = json_int_or<std::int64_t>(j, "above", 0);
  if (h.edges.size() != h.counts.size() + 1) throw std::invalid_argument("histogram edges and counts disagree");
  return h;
}

// Whole-field numbers (what std::stoll/stod would throw on is refused here).
bool parse_integer(const std::string& field, std::int64_t* value) {
  if (field.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(field.c_str(), &end, 10);
  if (errno != 0 || end != field.c_str() + field.size()) return false;
  *value = v;
  return true;
}

bool parse_real(const std::string& field, double* value) {
  if (field.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(field.c_str(), &end);
  if (errno == ERANGE || end != field.c_str() + field.size()) return false;
  *value = v;
  return true;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream s(line);
  std::string field;
  while (std::getline(s, field, ',')) fields.push_back(field);
  return fields;
}

// Lines of a log file, each with its number; lines too long to be ours are
// reported and left out rather than parsed.
template <typename PerLine>
void for_each_line(const std::string& text, const std::string& path, RunContents& run, PerLine&& per_line) {
  std::size_t start = 0;
  int number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++number;
    if (end - start > kMaxRunLineBytes) {
      run.warnings.push_back(path + ": line " + std::to_string(number) + " is longer than " +
                             std::to_string(kMaxRunLineBytes >> 20) + " MiB and was skipped");
    } else {
      per_line(text.substr(start, end - start), number);
    }
    start = end + 1;
  }
}

}  // namespace

void parse_metrics(const std::string& text, const std::string& path, RunContents& run) {
  for_each_line(text, path, run, [&](const std::string& line, int number) {
    if (number == 1) {
      if (line != kMetricsHeader && line != kMetricsHeaderWithoutValidation) {
        run.warnings.push_back(path + ": unexpected header");
      }
      return;
    }
    // Plain number parsing: a damaged line (a torn last line is common) costs no exception.
    std::vector<std::string> f = split_csv(line);
    if (!line.empty() && line.back() == ',') f.push_back("");  // getline drops a last empty field
    RecordPoint p;
    // An empty validation field: no probe at that row.
    auto optional_real = [](const std::string& field, double* value) {
      return field.empty() ? (*value = kNotMeasured, true) : parse_real(field, value);
    };
    const bool whole =
        (f.size() == 6 || f.size() == 8) && parse_integer(f[1], &p.iteration) && parse_real(f[2], &p.train_loss) &&
        parse_real(f[3], &p.learning_rate) && parse_real(f[4], &p.images_per_second) &&
        parse_real(f[5], &p.elapsed_seconds) &&
        (f.size() == 6 || (optional_real(f[6], &p.validation_loss) && optional_real(f[7], &p.validation_accuracy)));
    if (whole) {
      p.variant = f[0];
      run.records.push_back(p);
    } else {
      run.warnings.push_back(path + ": line " + std::to_string(number) + " is damaged and was skipped");
    }
  });
}

void parse_probes(const std::string& text, const std::string& path, const FilterLoader& filters, RunContents& run) {
  for_each_line(text, path, run, [&](const std::string& line, int number) {
    const std::optional<nlohmann::json> parsed = try_parse_bounded_json(line);
    if (!parsed || !parsed->is_object()) {
      run.warnings.push_back(path + ": line " + std::to_string(number) + " is damaged and was skipped");
      return;
    }
    try {
      const nlohmann::json& j = *parsed;
      ProbeResult p;
      p.variant = j.at("variant").get<std::string>();
      p.iteration = json_int<std::int64_t>(j.at("iteration"));
      p.activation = j.at("activation").get<std::string>();
      p.validation_loss = json_number_or_nan(j, "validation_loss");  // absent before the validation split
      p.validation_accuracy = json_number_or_nan(j, "validation_accuracy");
      for (const auto& l : j.at("layers")) {
        LayerProbe layer;
        layer.name = l.at("name").get<std::string>();
        layer.units = json_int<std::int64_t>(l.at("units"));
        layer.dead_fraction = l.at("dead_fraction").get<double>();
        layer.nearly_dead_fraction = l.at("nearly_dead_fraction").get<double>();
        layer.saturated_fraction = l.at("saturated_fraction").get<double>();
        layer.pre_activation = histogram_from_json(l.at("pre_activation"));
        layer.activation = histogram_from_json(l.at("activation"));
        p.layers.push_back(layer);
      }
      if (j.contains("weights")) {  // absent in runs made before weight histograms
        for (const auto& w : j.at("weights")) {
          p.weights.push_back({w.at("layer").get<std::string>(), histogram_from_json(w.at("histogram"))});
        }
      }
      const auto& f = j.at("filters");
      const std::string file = f.at("file").get<std::string>();
      try {
        if (!is_plain_relative_path(file)) {
          throw StoreError(path + ": line " + std::to_string(number) + " names the filter picture \"" + file +
                           "\", which is not a path inside the run folder; refused");
        }
        p.filters =
            filters(file, json_int<int>(f.at("tile")), json_int<int>(f.at("columns")), json_int<int>(f.at("rows")));
        p.filters.filters = json_int<int>(f.at("filters"));
        p.filters.normalisation = f.value("normalisation", "");
      } catch (const std::exception& e) {
        p.filters = FilterGrid{};
        run.warnings.push_back(e.what());
      }
      run.probes.push_back(std::move(p));
    } catch (const std::exception&) {
      run.warnings.push_back(path + ": line " + std::to_string(number) + " is damaged and was skipped");
    }
  });
}

void parse_gradients(const std::string& text, const std::string& path, RunContents& run) {
  for_each_line(text, path, run, [&](const std::string& line, int number) {
    const std::optional<nlohmann::json> parsed = try_parse_bounded_json(line);
    try {
      if (!parsed || !parsed->is_object()) throw std::invalid_argument("not an object");
      const nlohmann::json& j = *parsed;
      GradientRecord g;
      g.variant = j.at("variant").get<std::string>();
      g.iteration = json_int<std::int64_t>(j.at("iteration"));
      for (const auto& l : j.at("layers")) {
        g.layers.push_back({l.at("layer").get<std::string>(), json_number_or_nan(l, "gradient_norm"),
                            json_number_or_nan(l, "weight_norm"), json_number_or_nan(l, "update_ratio")});
      }
      run.gradients.push_back(std::move(g));
    } catch (const std::exception&) {
      run.warnings.push_back(path + ": line " + std::to_string(number) + " is damaged and was skipped");
    }
  });
}

void parse_results(const std::string& text, const std::string& path, RunContents& run) {
  try {
    const nlohmann::json j = parse_bounded_json(text);
    for (const auto& r : j.at("variants")) {
      VariantResult v;
      v.variant = r.at("variant").get<std::string>();
      v.test_loss = r.at("test_loss").is_number() ? r.at("test_loss").get<double>() : std::nan("");
      v.test_accuracy = r.at("test_accuracy").get<double>();
      v.validation_loss = json_number_or_nan(r, "validation_loss");  // absent before the validation split
      v.validation_accuracy = json_number_or_nan(r, "validation_accuracy");
      v.confusion = json_int_rows(r.at("confusion"));
      v.iterations = json_int<std::int64_t>(r.at("iterations"));
      v.seconds = r.at("seconds").get<double>();
      v.parameters = json_int<std::int64_t>(r.at("parameters"));
      v.diverged = r.at("diverged").get<bool>();
      v.diverged_at = r.contains("diverged_at") && r.at("diverged_at").is_number_integer()
                          ? r.at("diverged_at").get<std::int64_t>()
                          : -1;  // absent before it was stored
      v.note = r.value("note", "");
      if (r.contains("best") && r.at("best").is_object()) {  // absent before best weights were kept
        const nlohmann::json& b = r.at("best");
        v.best_iteration = json_int<std::int64_t>(b.at("iteration"));
        v.best_validation_accuracy = json_number_or_nan(b, "validation_accuracy");
        v.best_test_loss = json_number_or_nan(b, "test_loss");
        v.best_test_accuracy = json_number_or_nan(b, "test_accuracy");
      }
      run.results.push_back(v);
    }
  } catch (const std::exception& e) {
    run.results.clear();
    run.warnings.push_back(path + ": damaged (" + e.what() + "); the results are not shown");
  }
}

namespace {

// A run file that is there: its bytes; one refused (a link leading out, too
// large, unreadable) becomes a warning naming it.
std::optional<std::string> optional_run_file(const std::string& dir, const std::string& name,
                                             std::vector<std::string>* warnings) {
  if (!run_file_exists(dir, name)) return std::nullopt;
  try {
    return read_run_file(dir, name);
  } catch (const StoreError& e) {
    warnings->push_back(e.what());
    return std::nullopt;
  }
}

}  // namespace

FilterGrid decode_filter_png(const std::string& png, const std::string& name, int tile, int columns, int rows) {
  FilterGrid g;
  g.tile = tile;
  g.columns = columns;
  g.rows = rows;
  // Bounded before anything is decoded: a grid is at most 1,000 filters of 64 x 64.
  if (tile < 1 || tile > 64 || columns < 1 || columns > 1000 || rows < 1 || rows > 1000) {
    throw StoreError(name + ": the filter grid described in probes.jsonl is out of range");
  }
  g.width = columns * (tile + 1) + 1;
  g.height = rows * (tile + 1) + 1;
  cv::Mat bgr;
  try {
    const cv::Mat raw(1, static_cast<int>(png.size()), CV_8U, const_cast<char*>(png.data()));
    if (!png.empty()) bgr = cv::imdecode(raw, cv::IMREAD_COLOR);
  } catch (const cv::Exception&) {
    bgr = cv::Mat();  // refused by OpenCV's own limits
  }
  if (bgr.empty()) throw StoreError(name + ": missing or not a PNG");
  if (bgr.cols % g.width != 0 || bgr.rows % g.height != 0) {
    throw StoreError(name + ": its size does not match the filter grid described in probes.jsonl");
  }
  cv::Mat small, rgb;
  cv::resize(bgr, small, cv::Size(g.width, g.height), 0, 0, cv::INTER_NEAREST);
  cv::cvtColor(small, rgb, cv::COLOR_BGR2RGB);
  g.rgb.assign(rgb.data, rgb.data + static_cast<std::size_t>(g.width) * g.height * 3);
  return g;
}

RunContents parse_run_summary(const std::string& dir, const RunFiles& files) {
  RunContents run;
  run.dir = dir;
  nlohmann::json config;
  try {
    config = parse_bounded_json(files.config);
    run.config = config_from_json(config);
  } catch (const std::exception& e) {
    throw StoreError(dir + "/config.json: damaged: " + e.what());
  }
  try {
    if (config["data_summary"].is_object()) {
      const nlohmann::json& summary = config["data_summary"];
      run.class_names = summary.value("class_names", std::vector<std::string>{});
      run.data_name = summary.value("name", std::string());
      if (summary.contains("train_class_counts")) {
        run.train_class_counts = json_ints<std::int64_t>(summary["train_class_counts"]);
        bool sound = run.train_class_counts.size() <= 100000;
        for (std::int64_t n : run.train_class_counts) sound = sound && n >= 0;
        if (!sound) run.train_class_counts.clear();
      }
      if (summary.contains("normalisation")) {
        run.normalisation_mean = summary["normalisation"].at("mean").get<std::vector<float>>();
        run.normalisation_std = summary["normalisation"].at("std").get<std::vector<float>>();
        // One mean and one positive std per source channel (grey or RGB), or none at all:
        // export and classify index them by channel.
        const std::size_t channels = run.normalisation_mean.size();
        bool sound = (channels == 1 || channels == 3) && run.normalisation_std.size() == channels;
        for (float sd : run.normalisation_std) sound = sound && sd > 0 && std::isfinite(sd);
        for (float m : run.normalisation_mean) sound = sound && std::isfinite(m);
        if (!sound) throw nlohmann::json::other_error::create(501, "normalisation does not fit the channels", nullptr);
      }
    }
  } catch (const nlohmann::json::exception&) {
    run.normalisation_mean.clear();
    run.normalisation_std.clear();
    run.warnings.push_back(dir + "/config.json: the data summary is damaged and was left out");
  }
  if (files.results) parse_results(*files.results, dir + "/results.json", run);
  return run;
}

RunContents parse_run(const std::string& dir, const RunFiles& files, const FilterLoader& filters) {
  RunContents run = parse_run_summary(dir, files);
  const std::string metrics = (fs::path(dir) / "metrics.csv").string();
  if (files.metrics) parse_metrics(*files.metrics, metrics, run);
  else run.warnings.push_back(metrics + " is missing");
  if (files.probes) parse_probes(*files.probes, dir + "/probes.jsonl", filters, run);
  if (files.gradients) parse_gradients(*files.gradients, dir + "/gradients.jsonl", run);
  if (files.findings) run.findings = parse_findings(*files.findings, dir + "/findings.jsonl", &run.warnings);
  return run;
}

namespace {

RunFiles read_run_files(const std::string& dir, bool with_logs, std::vector<std::string>* warnings) {
  RunFiles files;
  if (!run_file_exists(dir, "config.json")) {
    throw StoreError(dir + ": not a run folder (config.json is missing or unreadable)");
  }
  files.config = read_run_file(dir, "config.json");  // refused by name when it leads out
  files.results = optional_run_file(dir, "results.json", warnings);
  if (with_logs) {
    files.metrics = optional_run_file(dir, "metrics.csv", warnings);
    files.probes = optional_run_file(dir, "probes.jsonl", warnings);
    files.findings = optional_run_file(dir, "findings.jsonl", warnings);
    files.gradients = optional_run_file(dir, "gradients.jsonl", warnings);
  }
  return files;
}

}  // namespace

RunContents read_run_summary(const std::string& dir) {
  std::vector<std::string> warnings;
  RunContents run = parse_run_summary(dir, read_run_files(dir, false, &warnings));
  run.warnings.insert(run.warnings.begin(), warnings.begin(), warnings.end());
  return run;
}

RunContents read_run(const std::string& dir) {
  std::vector<std::string> warnings;
  const RunFiles files = read_run_files(dir, true, &warnings);
  RunContents run = parse_run(dir, files, [&](const std::string& relative, int tile, int columns, int rows) {
    const std::string png = read_run_file(dir, relative);  // confined: a link out is refused by name
    return decode_filter_png(png, (fs::path(dir) / relative).string(), tile, columns, rows);
  });
  run.warnings.insert(run.warnings.begin(), warnings.begin(), warnings.end());
  return run;
}

}  // namespace alexnet
