// Checkpoints of a whole run, crash-safe. Each checkpoint is a folder named by
// its iteration; checkpoints/latest.json names the newest complete one and is
// replaced atomically only after every file of that folder is on disk, so a
// kill at any moment leaves the previous checkpoint usable.
//
//   checkpoints/latest.json           {"iteration": N, "folder": "0001000"}
//   checkpoints/0001000/state.json    iteration, learning-rate scale, per-variant counters and histogram edges
//   checkpoints/0001000/rng.pt        the global CPU generator (the dropout stream)
//   checkpoints/0001000/VARIANT/      model.pt, optimizer.pt (libtorch archives)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/weights_choice.h"
#include "train/variant_state.h"

namespace alexnet {

struct CheckpointInfo {
  std::int64_t iteration = 0;
  double rate_scale = 1.0;  // a learning rate the user set live, relative to the schedule
  std::string folder;       // absolute path of the checkpoint folder
};

// The parsers behind find_checkpoint and load_checkpoint, from bytes; `what`
// names the file in messages. Throw StoreError.
struct CheckpointPointer {
  std::int64_t iteration = 0;
  std::string folder_name;  // a plain name inside checkpoints/, never a path
};
CheckpointPointer parse_checkpoint_pointer(const std::string& text, const std::string& what);
// Fills the counters of `variants` (matched by name) from state.json text;
// returns its learning-rate scale. The iteration must be `iteration`.
double parse_checkpoint_state(const std::string& text, const std::string& what, std::int64_t iteration,
                              std::vector<VariantState>& variants);

// Writes every variant, the RNG and the counters, then points latest.json at
// them and removes older checkpoint folders. Throws StoreError.
void save_checkpoint(const std::string& run_dir, std::int64_t iteration, double rate_scale,
                     const std::vector<VariantState>& variants);

// The newest complete checkpoint of a run, or nothing when none was written yet.
// Throws StoreError when latest.json is there but damaged.
std::optional<CheckpointInfo> find_checkpoint(const std::string& run_dir);

// Restores models, optimizers, counters and the global RNG into `variants`
// (built from the run's config, in its order). Throws StoreError naming the
// file that is missing or damaged, or the variant that does not match.
CheckpointInfo load_checkpoint(const std::string& run_dir, std::vector<VariantState>& variants);

// A variant's trained weights alone, for inference and export.
struct TrainedModel {
  VariantSpec spec;
  AlexNet model{nullptr};
  std::int64_t iteration = 0;  // the iteration these weights are from
};

// The models of `specs` named in `wanted` (empty: all), in the run's order,
// not yet loaded. Throws StoreError naming `run_dir` for a name it lacks.
std::vector<TrainedModel> models_named(const std::vector<VariantSpec>& specs, const std::vector<std::string>& wanted,
                                       const std::string& run_dir);

// Builds each spec's model and loads its `weights` from the run's newest
// checkpoint; nothing else of the run is touched. Returns that checkpoint.
// Throws StoreError when the run has no checkpoint (naming the run), has no
// best weights of a variant (no validation split, or made before they were
// kept), or a model file is missing, damaged or does not fit its spec.
CheckpointInfo load_checkpoint_models(const std::string& run_dir, std::vector<TrainedModel>& models,
                                      Weights weights = Weights::Last);

}  // namespace alexnet
