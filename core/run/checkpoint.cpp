#include "run/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/json_text.h"
#include "run/run_paths.h"
#include "run/run_store.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

// torch::save writes in place and without fsync; serialising to memory first
// lets the one atomic writer (temporary, fsync, rename) do the disk part.
template <typename Saveable>
void save_torch_atomically(const Saveable& value, const std::string& path) {
  std::ostringstream bytes;
  try {
    torch::save(value, bytes);
  } catch (const c10::Error& e) {
    throw StoreError("cannot serialise " + path + ": " + e.what_without_backtrace());
  }
  write_file_atomically(path, bytes.str());
}

// A libtorch archive of the run's checkpoint, read confined to the run folder.
// The largest spec allowed (10^9 parameters) with its momentum stays below this.
constexpr std::size_t kMaxArchiveBytes = std::size_t(16) << 30;

template <typename Loadable>
void load_torch(Loadable& value, const std::string& run_dir, const std::string& relative) {
  const std::string path = (fs::path(run_dir) / relative).string();
  std::istringstream bytes(read_run_file(run_dir, relative, kMaxArchiveBytes));
  try {
    torch::load(value, bytes);
  } catch (const c10::Error& e) {
    throw StoreError(path + " is damaged or does not match the run's config: " + e.what_without_backtrace());
  }
}

std::string folder_name(std::int64_t iteration) {
  std::ostringstream s;
  s << std::setw(7) << std::setfill('0') << iteration;
  return s.str();
}

nlohmann::json edges_to_json(const EdgeBook& book) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [layer, e] : book) {
    j[layer] = {{"pre_activation", e.pre_activation}, {"activation", e.activation}, {"weights", e.weights}};
  }
  return j;
}

EdgeBook edges_from_json(const nlohmann::json& j) {
  EdgeBook book;
  for (const auto& [layer, e] : j.items()) {
    book[layer] = {e.at("pre_activation").get<std::vector<double>>(), e.at("activation").get<std::vector<double>>(),
                   e.value("weights", std::vector<double>{})};  // absent in checkpoints before weight histograms
  }
  return book;
}

nlohmann::json counters_to_json(const VariantState& v) {
  return {{"steps", v.steps},
          {"seconds", v.seconds},
          {"loss_sum", v.loss_sum},
          {"loss_count", v.loss_count},
          {"seconds_at_record", v.seconds_at_record},
          {"last_loss", v.last_loss},
          {"diverged", v.diverged},
          {"stopped_early", v.stopped_early},
          {"diverged_at", v.diverged_at},
          {"best_iteration", v.best_iteration},
          {"best_validation_accuracy", v.best_validation_accuracy},
          {"note", v.note},
          {"edges", edges_to_json(v.edges)}};
}

void counters_from_json(const nlohmann::json& j, VariantState& v) {
  v.steps = json_int<std::int64_t>(j.at("steps"));
  v.seconds = j.at("seconds").get<double>();
  v.loss_sum = j.at("loss_sum").get<double>();
  v.loss_count = json_int<std::int64_t>(j.at("loss_count"));
  v.seconds_at_record = j.at("seconds_at_record").get<double>();
  v.last_loss = j.at("last_loss").get<double>();
  v.diverged = j.at("diverged").get<bool>();
  // Absent in checkpoints made before the best weights were kept.
  v.stopped_early = j.value("stopped_early", false);
  v.diverged_at = j.contains("diverged_at") ? json_int<std::int64_t>(j.at("diverged_at")) : -1;
  v.best_iteration = j.contains("best_iteration") ? json_int<std::int64_t>(j.at("best_iteration")) : -1;
  v.best_validation_accuracy = j.value("best_validation_accuracy", -1.0);
  v.note = j.at("note").get<std::string>();
  v.edges = edges_from_json(j.at("edges"));
}

nlohmann::json parse_json_text(const std::string& text, const std::string& what) {
  try {
    return parse_bounded_json(text);
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(what + " is damaged: " + e.what());
  }
}

// A checkpoint folder's name as we write it: digits only.
bool is_checkpoint_folder_name(const std::string& name) {
  return !name.empty() && name.size() <= 19 &&
         std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

CheckpointPointer parse_checkpoint_pointer(const std::string& text, const std::string& what) {
  const nlohmann::json j = parse_json_text(text, what);
  CheckpointPointer pointer;
  try {
    pointer.iteration = json_int<std::int64_t>(j.at("iteration"));
    pointer.folder_name = j.at("folder").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(what + " is damaged: " + e.what());
  }
  if (!is_checkpoint_folder_name(pointer.folder_name)) {
    throw StoreError(what + " names the checkpoint folder \"" + pointer.folder_name +
                     "\", which is not a checkpoint folder's name (digits only); refused");
  }
  if (pointer.iteration < 0) throw StoreError(what + " names a negative iteration");
  return pointer;
}

double parse_checkpoint_state(const std::string& text, const std::string& what, std::int64_t iteration,
                              std::vector<VariantState>& variants) {
  const nlohmann::json state = parse_json_text(text, what);
  try {
    if (json_int<std::int64_t>(state.at("iteration")) != iteration) {
      throw StoreError(what + " is for another iteration than latest.json names");
    }
    const double rate_scale = state.at("rate_scale").get<double>();
    for (VariantState& v : variants) {
      if (!state.at("variants").contains(v.spec.name)) {
        throw StoreError(what + " has no state for variant " + v.spec.name);
      }
      counters_from_json(state["variants"][v.spec.name], v);
    }
    return rate_scale;
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(what + " is damaged: " + e.what());
  }
}

void save_checkpoint(const std::string& run_dir, std::int64_t iteration, double rate_scale,
                     const std::vector<VariantState>& variants) {
  const fs::path root = fs::path(run_dir) / "checkpoints";
  const fs::path folder = root / folder_name(iteration);
  std::error_code ec;
  for (const VariantState& v : variants) {
    fs::create_directories(folder / v.spec.name, ec);
    if (ec) throw StoreError("cannot create " + (folder / v.spec.name).string() + ": " + ec.message());
    save_torch_atomically(v.model, (folder / v.spec.name / "model.pt").string());
    save_torch_atomically(*v.optimizer, (folder / v.spec.name / "optimizer.pt").string());
    if (v.best_model) save_torch_atomically(v.best_model, (folder / v.spec.name / "best.pt").string());
  }
  save_torch_atomically(at::detail::getDefaultCPUGenerator().get_state(), (folder / "rng.pt").string());
  nlohmann::json state = {{"iteration", iteration}, {"rate_scale", rate_scale}, {"variants", nlohmann::json::object()}};
  for (const VariantState& v : variants) state["variants"][v.spec.name] = counters_to_json(v);
  write_file_atomically((folder / "state.json").string(), state.dump(1) + "\n");
  // Only now is the new checkpoint whole: switch to it, then drop the others.
  const nlohmann::json latest = {{"iteration", iteration}, {"folder", folder_name(iteration)}};
  write_file_atomically((root / "latest.json").string(), latest.dump() + "\n");
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory() && entry.path().filename() != folder_name(iteration)) fs::remove_all(entry.path(), ec);
  }
}

std::optional<CheckpointInfo> find_checkpoint(const std::string& run_dir) {
  const fs::path latest = fs::path(run_dir) / "checkpoints" / "latest.json";
  if (!run_file_exists(run_dir, "checkpoints/latest.json")) return std::nullopt;
  const CheckpointPointer pointer =
      parse_checkpoint_pointer(read_run_file(run_dir, "checkpoints/latest.json"), latest.string());
  CheckpointInfo info;
  info.iteration = pointer.iteration;
  // Confined: a checkpoints/NNN that is a link leading out is refused by name.
  info.folder = path_inside_run(run_dir, "checkpoints/" + pointer.folder_name, latest.string());
  if (!fs::is_directory(info.folder)) {
    throw StoreError(latest.string() + " names a checkpoint that is not there: " + info.folder);
  }
  return info;
}

CheckpointInfo load_checkpoint(const std::string& run_dir, std::vector<VariantState>& variants) {
  const std::optional<CheckpointInfo> found = find_checkpoint(run_dir);
  if (!found) throw StoreError(run_dir + " has no checkpoint yet");
  CheckpointInfo info = *found;
  const std::string folder = "checkpoints/" + fs::path(info.folder).filename().string();
  const std::string state_path = (fs::path(info.folder) / "state.json").string();
  info.rate_scale =
      parse_checkpoint_state(read_run_file(run_dir, folder + "/state.json"), state_path, info.iteration, variants);
  for (VariantState& v : variants) {
    load_torch(v.model, run_dir, folder + "/" + v.spec.name + "/model.pt");
    load_torch(*v.optimizer, run_dir, folder + "/" + v.spec.name + "/optimizer.pt");
    if (v.best_iteration >= 0) {
      v.best_model = AlexNet(v.spec);
      load_torch(v.best_model, run_dir, folder + "/" + v.spec.name + "/best.pt");
    }
  }
  torch::Tensor rng;
  load_torch(rng, run_dir, folder + "/rng.pt");
  try {
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the shared one
    generator.set_state(rng);
  } catch (const c10::Error& e) {
    throw StoreError((fs::path(info.folder) / "rng.pt").string() + " is not a generator state");
  }
  return info;
}

std::vector<TrainedModel> models_named(const std::vector<VariantSpec>& specs, const std::vector<std::string>& wanted,
                                       const std::string& run_dir) {
  for (const std::string& name : wanted) {
    const bool known = std::any_of(specs.begin(), specs.end(), [&](const VariantSpec& s) { return s.name == name; });
    if (!known) throw StoreError(run_dir + " has no variant named " + name);
  }
  std::vector<TrainedModel> models;
  for (const VariantSpec& spec : specs) {
    if (wanted.empty() || std::find(wanted.begin(), wanted.end(), spec.name) != wanted.end()) {
      models.push_back({spec, nullptr});
    }
  }
  return models;
}

CheckpointInfo load_checkpoint_models(const std::string& run_dir, std::vector<TrainedModel>& models, Weights weights) {
  const std::optional<CheckpointInfo> found = find_checkpoint(run_dir);
  if (!found) {
    throw StoreError(run_dir + " has no checkpoint: the run stopped before its first one was written");
  }
  const std::string folder = "checkpoints/" + fs::path(found->folder).filename().string();
  nlohmann::json state;
  if (weights == Weights::Best) {
    const std::string state_path = (fs::path(found->folder) / "state.json").string();
    state = parse_json_text(read_run_file(run_dir, folder + "/state.json"), state_path);
  }
  for (TrainedModel& m : models) {
    m.model = AlexNet(m.spec);
    m.iteration = found->iteration;
    std::string file = folder + "/" + m.spec.name + "/model.pt";
    if (weights == Weights::Best) {
      const nlohmann::json* counters = nullptr;
      if (state.is_object() && state.contains("variants") && state["variants"].is_object() &&
          state["variants"].contains(m.spec.name) && state["variants"][m.spec.name].is_object())
        counters = &state["variants"][m.spec.name];
      const nlohmann::json* best =
          counters && counters->contains("best_iteration") ? &(*counters)["best_iteration"] : nullptr;
      if (!best || !best->is_number_integer() || best->get<std::int64_t>() < 0) {
        throw StoreError(run_dir + " keeps no best weights of " + m.spec.name +
                         " (a run without a validation split, or made before best weights were kept); use the last");
      }
      m.iteration = best->get<std::int64_t>();
      file = folder + "/" + m.spec.name + "/best.pt";
    }
    if (!run_file_exists(run_dir, file))
      throw StoreError((fs::path(run_dir) / file).string() + " is missing: the checkpoint has no such weights of " +
                       m.spec.name);
    load_torch(m.model, run_dir, file);
    m.model->eval();
  }
  return *found;
}

}  // namespace alexnet
