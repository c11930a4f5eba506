#include "run/run_store.h"
#include "run/findings_file.h"
#include "analysis/findings_engine.h"

#include "io/json_text.h"
#include "run/predictions.h"
#include "run/run_paths.h"
#include "run/tensorboard_writer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace alexnet {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw StoreError("cannot " + what + " " + path + ": " + std::strerror(errno));
}

void fsync_folder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string format_number(double v) {
  std::ostringstream s;
  s << std::setprecision(9) << v;
  return s.str();
}

nlohmann::json histogram_to_json(const Histogram& h) {
  return {{"edges", h.edges}, {"counts", h.counts}, {"below", h.below}, {"above", h.above}};
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  // A stale temporary is ours to drop; one that is a link (planted in a run
  // folder from elsewhere) must not be followed: unlink removes the link, and
  // O_EXCL | O_NOFOLLOW refuses whatever appears in its place.
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) fail(tmp, "create");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = saved;
      fail(tmp, "write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    errno = saved;
    fail(tmp, "flush");
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail(path, "replace");
  }
  fsync_folder(fs::path(path).parent_path());
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string default_runs_folder() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  const fs::path base = (xdg && *xdg) ? fs::path(xdg) : fs::path(home ? home : ".") / ".local" / "share";
  return (base / "alexnet-lab" / "runs").string();
}

std::string new_default_run_dir() {
  const fs::path base = default_runs_folder();
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  fs::path dir = base / stamp;
  for (int n = 2; fs::exists(dir); ++n) dir = base / (std::string(stamp) + "-" + std::to_string(n));
  return dir.string();
}

std::string metrics_row(const RecordPoint& p) {
  std::ostringstream s;
  s << p.variant << ',' << p.iteration << ',' << format_number(p.train_loss) << ',' << format_number(p.learning_rate)
    << ',' << std::fixed << std::setprecision(1) << p.images_per_second << ',' << std::setprecision(2)
    << p.elapsed_seconds << ',';
  if (std::isfinite(p.validation_loss)) s << format_number(p.validation_loss);
  s << ',';
  if (std::isfinite(p.validation_accuracy)) s << format_number(p.validation_accuracy);
  return s.str();
}

nlohmann::json probe_to_json(const ProbeResult& probe, const std::string& filters_file) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerProbe& l : probe.layers) {
    layers.push_back({{"name", l.name},
                      {"units", l.units},
                      {"dead_fraction", l.dead_fraction},
                      {"nearly_dead_fraction", l.nearly_dead_fraction},
                      {"saturated_fraction", l.saturated_fraction},
                      {"pre_activation", histogram_to_json(l.pre_activation)},
                      {"activation", histogram_to_json(l.activation)}});
  }
  nlohmann::json weights = nlohmann::json::array();
  for (const WeightHistogram& w : probe.weights)
    weights.push_back({{"layer", w.layer}, {"histogram", histogram_to_json(w.weights)}});
  return {{"variant", probe.variant},
          {"iteration", probe.iteration},
          {"activation", probe.activation},
          {"validation_loss", probe.validation_loss},
          {"validation_accuracy", probe.validation_accuracy},
          {"layers", layers},
          {"weights", weights},
          {"filters",
           {{"file", filters_file},
            {"filters", probe.filters.filters},
            {"tile", probe.filters.tile},
            {"columns", probe.filters.columns},
            {"rows", probe.filters.rows},
            {"normalisation", probe.filters.normalisation}}}};
}

nlohmann::json gradients_to_json(const GradientRecord& g) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerGradient& l : g.layers) {
    layers.push_back({{"layer", l.layer},
                      {"gradient_norm", l.gradient_norm},
                      {"weight_norm", l.weight_norm},
                      {"update_ratio", l.update_ratio}});
  }
  return {{"variant", g.variant}, {"iteration", g.iteration}, {"layers", layers}};
}

nlohmann::json result_to_json(const VariantResult& r) {
  return {{"variant", r.variant},
          {"test_loss", r.test_loss},
          {"test_accuracy", r.test_accuracy},
          {"validation_loss", r.validation_loss},
          {"validation_accuracy", r.validation_accuracy},
          {"confusion", r.confusion},
          {"iterations", r.iterations},
          {"seconds", r.seconds},
          {"parameters", r.parameters},
          {"diverged", r.diverged},
          {"diverged_at", r.diverged_at < 0 ? nlohmann::json(nullptr) : nlohmann::json(r.diverged_at)},
          {"note", r.note},
          {"best", r.best_iteration < 0 ? nlohmann::json(nullptr)
                                        : nlohmann::json{{"iteration", r.best_iteration},
                                                         {"validation_accuracy", r.best_validation_accuracy},
                                                         {"test_loss", r.best_test_loss},
                                                         {"test_accuracy", r.best_test_accuracy}}}};
}

std::string encode_filter_png(const FilterGrid& grid, int upscale) {
  cv::Mat rgb(grid.height, grid.width, CV_8UC3, const_cast<std::uint8_t*>(grid.rgb.data()));
  cv::Mat bgr, big;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  cv::resize(bgr, big, cv::Size(grid.width * upscale, grid.height * upscale), 0, 0, cv::INTER_NEAREST);
  std::vector<std::uint8_t> png;
  if (!cv::imencode(".png", big, png)) throw StoreError("cannot encode a filter grid as PNG");
  return std::string(png.begin(), png.end());
}

void write_filter_png(const FilterGrid& grid, const std::string& path, int upscale) {
  write_file_atomically(path, encode_filter_png(grid, upscale));
}

void trim_logs_after(const std::string& dir, std::int64_t iteration) {
  auto keep_lines = [&](const std::string& name, const std::string& first_line, auto&& keep) {
    const std::string file = (fs::path(dir) / name).string();
    if (!run_file_exists(dir, name)) return;
    std::istringstream in(read_run_file(dir, name));
    std::string kept = first_line.empty() ? "" : first_line + "\n";
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
      if (first && !first_line.empty()) {
        first = false;
        continue;
      }
      first = false;
      if (keep(line)) kept += line + "\n";
    }
    write_file_atomically(file, kept);
  };
  keep_lines("metrics.csv", kMetricsHeader, [&](const std::string& line) {
    // variant,iteration,... with all eight fields (six in older runs): anything else is a torn line
    const auto commas = std::count(line.begin(), line.end(), ',');
    if (commas != 7 && commas != 5) return false;
    const std::size_t a = line.find(',');
    char* end = nullptr;
    const long long it = std::strtoll(line.c_str() + a + 1, &end, 10);
    return end != line.c_str() + a + 1 && *end == ',' && it <= iteration;
  });
  // The same bounded parse as reading the run: a line nested too deep is damaged here too.
  const auto json_line_until = [&](const std::string& line) {
    const std::optional<nlohmann::json> j = try_parse_bounded_json(line);
    return j && j->is_object() && j->contains("iteration") && (*j)["iteration"].is_number_integer() &&
           (*j)["iteration"].get<std::int64_t>() <= iteration;
  };
  keep_lines("probes.jsonl", "", json_line_until);
  keep_lines("gradients.jsonl", "", json_line_until);
}

RunStore::RunStore(std::string dir) : dir_(std::move(dir)) {
  // A resumed run folder may come from elsewhere: its subfolders must not be
  // links that would carry our writes outside it.
  for (const char* sub : {"filters", "checkpoints", "tb", "predictions"}) {
    if (fs::is_symlink(fs::path(dir_) / sub)) {
      throw StoreError(path(sub) + " is a symbolic link; a run folder's files must be inside it. Refused");
    }
  }
  std::error_code ec;
  fs::create_directories(fs::path(dir_) / "filters", ec);
  if (ec) throw StoreError("cannot create the run folder " + dir_ + ": " + ec.message());
  fs::create_directories(fs::path(dir_) / "checkpoints", ec);
  if (ec) throw StoreError("cannot create " + dir_ + "/checkpoints: " + ec.message());
  fs::create_directories(fs::path(dir_) / "predictions", ec);
  if (ec) throw StoreError("cannot create " + dir_ + "/predictions: " + ec.message());
  const std::string metrics = path("metrics.csv");
  const bool fresh = !fs::exists(metrics);
  metrics_ = open_for_append(metrics);
  // Held while this store lives: the Runs view tells a run being trained from
  // an interrupted one by it, and a second trainer cannot interleave its rows.
  if (::flock(::fileno(metrics_), LOCK_EX | LOCK_NB) != 0) {
    std::fclose(metrics_);
    metrics_ = nullptr;
    throw StoreError(dir_ + " is being trained by another AlexNet Lab process now; wait for it to end or stop it");
  }
  if (fresh) append_line(metrics_, "metrics.csv", kMetricsHeader);
  const std::string probes = path("probes.jsonl");
  probes_ = open_for_append(probes);
  // There from the start, so a run without findings reads as one that was looked at and found healthy.
  findings_ = open_for_append(path("findings.jsonl"));
  gradients_ = open_for_append(path("gradients.jsonl"));
  tensorboard_ = std::make_unique<TensorBoardWriter>(path("tb"));
}

RunStore::~RunStore() {
  if (metrics_) std::fclose(metrics_);
  if (probes_) std::fclose(probes_);
  if (findings_) std::fclose(findings_);
  if (gradients_) std::fclose(gradients_);
}

std::string RunStore::path(const std::string& name) const { return (fs::path(dir_) / name).string(); }

void RunStore::append_line(std::FILE* file, const std::string& name, const std::string& line) {
  const std::string text = line + "\n";
  // One fwrite + fflush per line: a kill leaves whole lines, at worst a torn last one.
  if (std::fwrite(text.data(), 1, text.size(), file) != text.size() || std::fflush(file) != 0) {
    fail(path(name), "append to");
  }
}

void RunStore::write_config(const ExperimentConfig& config, const nlohmann::json& data_summary) {
  nlohmann::json j = config_to_json(config);
  j["data_summary"] = data_summary;
  j["format"] = "alexnet-lab run 1";
  write_file_atomically(path("config.json"), j.dump(2) + "\n");
}

void RunStore::append_record(const RecordPoint& point) {
  append_line(metrics_, "metrics.csv", metrics_row(point));
  tensorboard_->scalar("loss/" + point.variant, point.iteration, point.train_loss);
  tensorboard_->scalar("learning_rate/" + point.variant, point.iteration, point.learning_rate);
  tensorboard_->scalar("images_per_second/" + point.variant, point.iteration, point.images_per_second);
}

namespace {

void write_validation(TensorBoardWriter& tensorboard, const ProbeResult& probe) {
  if (std::isfinite(probe.validation_loss)) {
    tensorboard.scalar("validation/loss/" + probe.variant, probe.iteration, probe.validation_loss);
  }
  if (std::isfinite(probe.validation_accuracy)) {
    tensorboard.scalar("validation/accuracy/" + probe.variant, probe.iteration, probe.validation_accuracy);
  }
}

}  // namespace

void RunStore::append_probe(const ProbeResult& probe) {
  std::ostringstream name;
  name << "filters/" << probe.variant << "-" << std::setw(7) << std::setfill('0') << probe.iteration << ".png";
  const std::string png = encode_filter_png(probe.filters);
  write_file_atomically(path(name.str()), png);
  append_line(probes_, "probes.jsonl", probe_to_json(probe, name.str()).dump());
  const std::string variant = probe.variant;
  write_validation(*tensorboard_, probe);
  for (const LayerProbe& l : probe.layers) {
    tensorboard_->histogram("activation/" + variant + "/" + l.name, probe.iteration, l.activation);
    tensorboard_->histogram("pre_activation/" + variant + "/" + l.name, probe.iteration, l.pre_activation);
    tensorboard_->scalar((probe.activation == "tanh" ? "saturated/" : "dead/") + variant + "/" + l.name,
                         probe.iteration, probe.activation == "tanh" ? l.saturated_fraction : l.dead_fraction);
  }
  for (const WeightHistogram& w : probe.weights) {
    tensorboard_->histogram("weights/" + variant + "/" + w.layer, probe.iteration, w.weights);
  }
  tensorboard_->image("filters/" + variant, probe.iteration, probe.filters.height * 4, probe.filters.width * 4, 3, png);
}

void RunStore::append_gradients(const GradientRecord& gradients) {
  append_line(gradients_, "gradients.jsonl", gradients_to_json(gradients).dump());
  for (const LayerGradient& l : gradients.layers) {
    tensorboard_->scalar("gradients/" + gradients.variant + "/" + l.layer, gradients.iteration, l.gradient_norm);
    if (std::isfinite(l.update_ratio))
      tensorboard_->scalar("update_ratio/" + gradients.variant + "/" + l.layer, gradients.iteration, l.update_ratio);
  }
}

void RunStore::write_predictions(const std::string& variant, const std::vector<Prediction>& predictions,
                                 Weights weights) {
  if (weights == Weights::Best) {
    std::error_code ec;
    fs::create_directories(path("predictions/best"), ec);
    if (ec) throw StoreError("cannot create " + path("predictions/best") + ": " + ec.message());
  }
  write_file_atomically(
      path(std::string("predictions/") + (weights == Weights::Best ? "best/" : "") + variant + ".csv"),
      predictions_csv(predictions));
}

void RunStore::write_results(const std::vector<VariantResult>& results) {
  nlohmann::json j = nlohmann::json::object();
  nlohmann::json list = nlohmann::json::array();
  for (const VariantResult& r : results) list.push_back(result_to_json(r));
  j["variants"] = list;
  write_file_atomically(path("results.json"), j.dump(2) + "\n");
  for (const VariantResult& r : results) {
    tensorboard_->scalar("test_accuracy/" + r.variant, r.iterations, r.test_accuracy);
    tensorboard_->scalar("test_loss/" + r.variant, r.iterations, r.test_loss);
  }
  tensorboard_->flush();
}

void RunStore::append_finding(const Finding& finding) {
  if (!findings_) findings_ = open_for_append(path("findings.jsonl"));
  append_line(findings_, "findings.jsonl", finding_to_json(finding).dump());
  const std::string where = finding.variant + (finding.layer.empty() ? "" : "/" + finding.layer);
  tensorboard_->text("findings/" + finding.kind + (where.empty() ? "" : "/" + where), finding.last_iteration,
                     "**" + severity_name(finding.severity) + "**: " + finding.evidence +
                         (finding.suggestion.empty() ? "" : "\n\n*Try:* " + finding.suggestion));
}

void RunStore::replace_findings(const std::vector<Finding>& findings) {
  if (findings_) {
    std::fclose(findings_);
    findings_ = nullptr;
  }
  std::string text;
  for (const Finding& f : findings) text += finding_to_json(f).dump() + "\n";
  write_file_atomically(path("findings.jsonl"), text);
}

void RunStore::flush() {
  for (auto [file, name] : {std::pair{metrics_, "metrics.csv"}, std::pair{probes_, "probes.jsonl"},
                            std::pair{findings_, "findings.jsonl"}, std::pair{gradients_, "gradients.jsonl"}}) {
    if (!file) continue;
    if (std::fflush(file) != 0 || ::fsync(fileno(file)) != 0) fail(path(name), "flush");
  }
  tensorboard_->flush();
}

}  // namespace alexnet
