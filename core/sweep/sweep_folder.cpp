#include "sweep/sweep_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "errors.h"
#include "io/json_text.h"
#include "run/run_paths.h"
#include "run/run_store.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "alexnet-lab sweep 1";
constexpr std::size_t kMaxSweepBytes = std::size_t(64) << 20;

bool plain_trial_name(const std::string& name) {
  if (name.size() < 7 || name.size() > 30 || name.compare(0, 6, "trial-") != 0) return false;
  return name.find_first_not_of("0123456789", 6) == std::string::npos;
}

nlohmann::json trial_to_json(const TrialRecord& t) {
  nlohmann::json rungs = nlohmann::json::array();
  for (const RungResult& r : t.rungs) rungs.push_back({{"iteration", r.iteration}, {"value", r.value}});
  return {{"trial", t.trial},
          {"run", t.run},
          {"settings", t.settings},
          {"state", trial_state_name(t.state)},
          {"reason", t.reason},
          {"pruned_at", t.pruned_at < 0 ? nlohmann::json(nullptr) : nlohmann::json(t.pruned_at)},
          {"iterations", t.iterations},
          {"seconds", t.seconds},
          {"rungs", rungs},
          {"metrics", t.metrics}};
}

TrialRecord trial_from_json(const nlohmann::json& j, const std::string& what) {
  TrialRecord t;
  t.trial = json_int<int>(j.at("trial"));
  t.run = j.at("run").get<std::string>();
  if (!plain_trial_name(t.run))
    throw StoreError(what + " names the trial folder \"" + t.run + "\", which is not a trial's name; refused");
  t.settings = j.at("settings");
  if (!t.settings.is_object()) throw StoreError(what + ": trial " + std::to_string(t.trial) + " has no settings");
  t.state = trial_state_from_name(j.at("state").get<std::string>());
  t.reason = j.value("reason", "");
  t.pruned_at =
      j.contains("pruned_at") && j.at("pruned_at").is_number_integer() ? j.at("pruned_at").get<std::int64_t>() : -1;
  t.iterations = j.contains("iterations") ? json_int<std::int64_t>(j.at("iterations")) : 0;
  t.seconds = j.value("seconds", 0.0);
  for (const auto& r : j.at("rungs"))
    t.rungs.push_back({json_int<std::int64_t>(r.at("iteration")), r.at("value").get<double>()});
  t.metrics = j.value("metrics", nlohmann::json::object());
  if (!t.metrics.is_object()) t.metrics = nlohmann::json::object();
  return t;
}

}  // namespace

std::string trial_state_name(TrialState s) {
  switch (s) {
    case TrialState::Queued:
      return "queued";
    case TrialState::Running:
      return "running";
    case TrialState::Finished:
      return "finished";
    case TrialState::Pruned:
      return "pruned";
    case TrialState::Failed:
      return "failed";
  }
  return "queued";
}

TrialState trial_state_from_name(const std::string& name) {
  for (TrialState s :
       {TrialState::Queued, TrialState::Running, TrialState::Finished, TrialState::Pruned, TrialState::Failed}) {
    if (trial_state_name(s) == name) return s;
  }
  throw std::invalid_argument("unknown trial state \"" + name + "\"");
}

std::string metric_name(const Sweep& sweep) {
  const bool validation = !(sweep.base.contains("validation") && sweep.base["validation"].is_number() &&
                            sweep.base["validation"].get<double>() == 0);
  return validation ? "validation_accuracy" : "test_accuracy";
}

double trial_metric(const TrialRecord& t, const std::string& variant, const std::string& name) {
  if (!t.metrics.contains(variant) || !t.metrics[variant].contains(name) || !t.metrics[variant][name].is_number())
    return std::nan("");
  return t.metrics[variant][name].get<double>();
}

double trial_value(const Sweep& sweep, const TrialRecord& t) {
  return trial_metric(t, sweep.variant, metric_name(sweep));
}

nlohmann::json sweep_to_json(const Sweep& s) {
  nlohmann::json trials = nlohmann::json::array();
  for (const TrialRecord& t : s.trials) trials.push_back(trial_to_json(t));
  return {{"format", kFormat},
          {"base", s.base},
          {"space", space_to_json(s.space)},
          {"variant", s.variant},
          {"metric", metric_name(s)},
          {"asha", {{"on", s.asha.on}, {"min_iterations", s.asha.min_iterations}, {"reduction", s.asha.reduction}}},
          {"slurm_job", s.slurm_job},
          {"trials", trials}};
}

Sweep parse_sweep(const std::string& text, const std::string& dir, const std::string& what) {
  Sweep s;
  s.dir = dir;
  try {
    const nlohmann::json j = parse_bounded_json(text);
    if (!j.is_object() || j.value("format", "") != kFormat)
      throw StoreError(what + " is not an AlexNet Lab sweep (no \"format\": \"" + kFormat + "\")");
    s.base = j.at("base");
    if (!s.base.is_object()) throw StoreError(what + " has no base experiment");
    s.space = space_from_json(j.at("space"));
    s.variant = j.at("variant").get<std::string>();
    const nlohmann::json& a = j.at("asha");
    s.asha.on = a.at("on").get<bool>();
    s.asha.min_iterations = json_int<std::int64_t>(a.at("min_iterations"));
    s.asha.reduction = json_int<int>(a.at("reduction"));
    if (s.asha.reduction < 2 || s.asha.min_iterations < 0)
      throw StoreError(what + ": the ASHA settings are out of range");
    s.slurm_job = j.value("slurm_job", "");
    for (const auto& t : j.at("trials")) s.trials.push_back(trial_from_json(t, what));
    for (std::size_t i = 0; i < s.trials.size(); ++i) {
      if (s.trials[i].trial != int(i)) throw StoreError(what + ": the trials are not numbered 0, 1, 2, ...");
    }
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    throw StoreError(what + " is damaged: " + e.what());
  }
  return s;
}

std::string sweep_file(const std::string& dir) { return (fs::path(dir) / "sweep.json").string(); }

bool holds_sweep(const std::string& dir) { return run_file_exists(dir, "sweep.json"); }

Sweep read_sweep(const std::string& dir) {
  if (!holds_sweep(dir)) throw StoreError(dir + " holds no sweep (no sweep.json)");
  return parse_sweep(read_run_file(dir, "sweep.json", kMaxSweepBytes), dir, sweep_file(dir));
}

void write_sweep(const Sweep& sweep) {
  write_file_atomically(sweep_file(sweep.dir), sweep_to_json(sweep).dump(1) + "\n");
}

FolderLock::FolderLock(const std::string& dir, const std::string& name, bool wait) {
  const std::string path = (fs::path(dir) / name).string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd_ < 0) throw StoreError("cannot open the lock " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) throw StoreError(path + " is held by another process");
    throw StoreError("cannot lock " + path + ": " + std::strerror(error));
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

bool FolderLock::held_elsewhere(const std::string& dir, const std::string& name) {
  try {
    FolderLock probe(dir, name, false);
    return false;
  } catch (const StoreError&) {
    return true;
  }
}

void update_sweep(const std::string& dir, const std::function<void(Sweep&)>& change) {
  FolderLock lock(dir, "sweep.lock");
  Sweep sweep = read_sweep(dir);
  change(sweep);
  write_sweep(sweep);
}

std::string trial_dir(const Sweep& sweep, const TrialRecord& trial) {
  return path_inside_run(sweep.dir, trial.run, sweep_file(sweep.dir));
}

std::string trial_lock_name(const TrialRecord& trial) { return trial.run + ".lock"; }

}  // namespace alexnet
