#include "run/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

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

template <typename Loadable>
void load_torch(Loadable& value, const std::string& path) {
  std::istringstream bytes(read_whole_file(path));
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
  for (const auto& [layer, e] : book) j[layer] = {{"pre_activation", e.pre_activation}, {"activation", e.activation}};
  return j;
}

EdgeBook edges_from_json(const nlohmann::json& j) {
  EdgeBook book;
  for (const auto& [layer, e] : j.items()) {
    book[layer] = {e.at("pre_activation").get<std::vector<double>>(), e.at("activation").get<std::vector<double>>()};
  }
  return book;
}

nlohmann::json counters_to_json(const VariantState& v) {
  return {{"steps", v.steps},         {"seconds", v.seconds},
          {"loss_sum", v.loss_sum},   {"loss_count", v.loss_count},
          {"seconds_at_record", v.seconds_at_record}, {"last_loss", v.last_loss},
          {"diverged", v.diverged},   {"note", v.note},
          {"edges", edges_to_json(v.edges)}};
}

void counters_from_json(const nlohmann::json& j, VariantState& v) {
  v.steps = j.at("steps").get<std::int64_t>();
  v.seconds = j.at("seconds").get<double>();
  v.loss_sum = j.at("loss_sum").get<double>();
  v.loss_count = j.at("loss_count").get<std::int64_t>();
  v.seconds_at_record = j.at("seconds_at_record").get<double>();
  v.last_loss = j.at("last_loss").get<double>();
  v.diverged = j.at("diverged").get<bool>();
  v.note = j.at("note").get<std::string>();
  v.edges = edges_from_json(j.at("edges"));
}

nlohmann::json parse_json_file(const std::string& path) {
  try {
    return nlohmann::json::parse(read_whole_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(path + " is damaged: " + e.what());
  }
}

}  // namespace

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
  if (!fs::exists(latest)) return std::nullopt;
  const nlohmann::json j = parse_json_file(latest.string());
  CheckpointInfo info;
  try {
    info.iteration = j.at("iteration").get<std::int64_t>();
    info.folder = (fs::path(run_dir) / "checkpoints" / j.at("folder").get<std::string>()).string();
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(latest.string() + " is damaged: " + e.what());
  }
  if (info.iteration < 0 || !fs::is_directory(info.folder)) {
    throw StoreError(latest.string() + " names a checkpoint that is not there: " + info.folder);
  }
  return info;
}

CheckpointInfo load_checkpoint(const std::string& run_dir, std::vector<VariantState>& variants) {
  const std::optional<CheckpointInfo> found = find_checkpoint(run_dir);
  if (!found) throw StoreError(run_dir + " has no checkpoint yet");
  CheckpointInfo info = *found;
  const std::string state_path = (fs::path(info.folder) / "state.json").string();
  const nlohmann::json state = parse_json_file(state_path);
  try {
    if (state.at("iteration").get<std::int64_t>() != info.iteration) {
      throw StoreError(state_path + " is for another iteration than latest.json names");
    }
    info.rate_scale = state.at("rate_scale").get<double>();
    for (VariantState& v : variants) {
      if (!state.at("variants").contains(v.spec.name)) {
        throw StoreError(state_path + " has no state for variant " + v.spec.name);
      }
      counters_from_json(state["variants"][v.spec.name], v);
      const fs::path dir = fs::path(info.folder) / v.spec.name;
      load_torch(v.model, (dir / "model.pt").string());
      load_torch(*v.optimizer, (dir / "optimizer.pt").string());
    }
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(state_path + " is damaged: " + e.what());
  }
  torch::Tensor rng;
  load_torch(rng, (fs::path(info.folder) / "rng.pt").string());
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

CheckpointInfo load_checkpoint_models(const std::string& run_dir, std::vector<TrainedModel>& models) {
  const std::optional<CheckpointInfo> found = find_checkpoint(run_dir);
  if (!found) {
    throw StoreError(run_dir + " has no checkpoint: the run stopped before its first one was written");
  }
  for (TrainedModel& m : models) {
    m.model = AlexNet(m.spec);
    const fs::path file = fs::path(found->folder) / m.spec.name / "model.pt";
    if (!fs::exists(file)) throw StoreError(file.string() + " is missing: the checkpoint has no variant " + m.spec.name);
    load_torch(m.model, file.string());
    m.model->eval();
  }
  return *found;
}

}  // namespace alexnet
