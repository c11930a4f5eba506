#include "trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "data/batch_stream.h"
#include "run/checkpoint.h"
#include "caching_cpu_allocator.h"
#include "data/dataset.h"
#include "probes.h"
#include "run/run_reader.h"
#include "run/run_paths.h"
#include "run/run_store.h"
#include "system_info.h"
#include "json_text.h"

namespace alexnet {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// FNV-1a: a stable hash, so a variant's initial weights depend on the seed and its
// name only, not on which other variants share the run.
std::uint64_t stable_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// Test loss, accuracy and confusion matrix of a model on a whole split.
VariantResult evaluate(AlexNetImpl& model, const ImageSet& test, int classes, const TransformOptions& transform) {
  torch::NoGradGuard no_grad;
  model.eval();
  double loss_sum = 0;
  std::int64_t correct = 0;
  torch::Tensor confusion = torch::zeros({classes * classes}, torch::kInt64);
  for_each_batch(test, 256, transform, [&](const torch::Tensor& x, const torch::Tensor& y) {
    const torch::Tensor logits = model.forward(x);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    const torch::Tensor predicted = logits.argmax(1);
    correct += predicted.eq(y).sum().item<std::int64_t>();
    confusion += torch::bincount(y * classes + predicted, {}, classes * classes);
  });
  VariantResult r;
  r.test_loss = loss_sum / double(test.size());
  r.test_accuracy = double(correct) / double(test.size());
  const torch::Tensor c = confusion.view({classes, classes});
  const auto cells = c.accessor<std::int64_t, 2>();
  r.confusion.assign(static_cast<std::size_t>(classes), std::vector<std::int64_t>(static_cast<std::size_t>(classes)));
  for (int i = 0; i < classes; ++i) {
    for (int j = 0; j < classes; ++j) r.confusion[std::size_t(i)][std::size_t(j)] = cells[i][j];
  }
  return r;
}

}  // namespace

Trainer::Trainer(ExperimentConfig config, TrainingObserver& observer, bool resume)
    : config_(std::move(config)), resume_(resume), observer_(observer) {}

ExperimentConfig Trainer::resume_config(const std::string& run_dir) {
  const std::string path = (std::filesystem::path(run_dir) / "config.json").string();
  if (!run_file_exists(run_dir, "config.json")) {
    throw StoreError(run_dir + " is not a run folder: it has no config.json");
  }
  const std::string text = read_run_file(run_dir, "config.json");  // a link leading out is refused
  ExperimentConfig config;
  try {
    config = config_from_json(parse_bounded_json(text));
  } catch (const std::exception& e) {
    throw StoreError(path + " is damaged: " + e.what());
  }
  config.out_dir = run_dir;
  return config;
}

Trainer::~Trainer() = default;

void Trainer::pause() { pause_requested_ = true; }

void Trainer::resume() {
  pause_requested_ = false;
  wake_.notify_all();
}

void Trainer::stop() {
  stop_requested_ = true;
  wake_.notify_all();
}

void Trainer::set_learning_rate(double rate) {
  if (rate > 0 && std::isfinite(rate)) pending_rate_ = rate;
}

std::string Trainer::run_dir() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return run_dir_;
}

std::vector<VariantResult> Trainer::results() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return results_;
}

void Trainer::emit_state(RunState s) { observer_.on_state(s); }

void Trainer::wait_while_paused() {
  if (!pause_requested_ || stop_requested_) return;
  emit_state(RunState::Paused);
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [this] { return !pause_requested_ || stop_requested_; });
  lock.unlock();
  if (!stop_requested_) emit_state(RunState::Training);
}

RunState Trainer::run() {
  emit_state(RunState::Preparing);
  RunState final_state = RunState::Failed;
  try {
    final_state = train();
  } catch (const std::exception& e) {
    // DataError, SpecError, StoreError, bad settings, torch errors: all end the
    // run with a message; nothing already written is touched.
    observer_.on_message(std::string("error: ") + e.what());
    final_state = RunState::Failed;
  }
  emit_state(final_state);
  return final_state;
}

RunState Trainer::train() {
  config_.validate();
  install_caching_cpu_allocator();
  const int threads = configure_threads(config_.threads);
  observer_.on_message(describe_compute(threads));
  const bool bf16 = config_.bf16 && cpu_has_avx512_bf16();
  if (config_.bf16) {
    observer_.on_message(bf16 ? "bfloat16: forward passes under autocast (AVX512-BF16)"
                              : "bfloat16 asked for, but this CPU has no AVX512-BF16 (it would be emulated and "
                                "slower): training in float32");
  }

  LoadOptions load;
  load.image_size = config_.input_size;
  load.seed = config_.seed;
  load.max_picture_pixels = static_cast<std::uint64_t>(config_.max_picture_pixels);
  observer_.on_message("loading data: " + config_.data);
  const Dataset data = load_dataset(config_.data, load);
  for (const std::string& note : data.notes) observer_.on_message(note);
  observer_.on_classes(data.class_names);
  observer_.on_message("data: " + data.name + ", " + std::to_string(data.train.size()) + " training and " +
                       std::to_string(data.test.size()) + " test images, " + std::to_string(data.classes()) +
                       " classes");
  for (VariantSpec& spec : config_.variants) {
    spec.input_size = config_.input_size;
    spec.classes = data.classes();
    validate(spec);
  }

  if (config_.out_dir.empty()) config_.out_dir = new_default_run_dir();
  namespace fs = std::filesystem;
  std::optional<CheckpointInfo> checkpoint;
  if (resume_) {
    checkpoint = find_checkpoint(config_.out_dir);
    if (checkpoint && checkpoint->iteration >= config_.iterations && fs::exists(fs::path(config_.out_dir) / "results.json")) {
      throw StoreError(config_.out_dir + " is finished (" + std::to_string(checkpoint->iteration) + " of " +
                       std::to_string(config_.iterations) + " iterations); there is nothing to resume");
    }
    // Without a checkpoint the run starts over: nothing after iteration 0 survives.
    trim_logs_after(config_.out_dir, checkpoint ? checkpoint->iteration : -1);
    // Results of an earlier stop would describe models that are about to change.
    std::error_code ec;
    fs::remove(fs::path(config_.out_dir) / "results.json", ec);
  } else if (fs::exists(fs::path(config_.out_dir) / "config.json")) {
    throw StoreError(config_.out_dir + " already holds a run; continue it with --resume " + config_.out_dir +
                     " or choose another folder");
  }
  RunStore store(config_.out_dir);
  if (resume_) {
    // What the run kept up to its checkpoint, so a window shows the whole run.
    const RunContents kept = read_run(store.dir());
    for (const RecordPoint& p : kept.records) observer_.on_record(p);
    for (const ProbeResult& p : kept.probes) observer_.on_probe(p);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    run_dir_ = store.dir();
  }
  observer_.on_message("run folder: " + store.dir());

  TransformOptions transform;
  transform.input_size = config_.input_size;
  transform.random_crop = config_.augment;
  transform.horizontal_flip = config_.augment || config_.flip;
  transform.normalisation = compute_normalisation(data.train);
  // The probe set: the first held-out images, the same at every probe.
  const std::int64_t probe_count = std::min<std::int64_t>(config_.probe_size, data.test.size());
  const bool grey_data = data.train.images.size(1) == 1;
  const torch::Tensor probe_images = prepare_images(data.test.images.narrow(0, 0, probe_count), transform, nullptr);

  std::vector<VariantState> variants(config_.variants.size());
  for (std::size_t i = 0; i < variants.size(); ++i) {
    VariantState& v = variants[i];
    v.spec = config_.variants[i];
    torch::manual_seed(config_.seed ^ stable_hash(v.spec.name));
    v.model = AlexNet(v.spec);
    v.model->initialise(config_.init);
    if (config_.optimizer == OptimizerKind::Adam) {
      v.optimizer = std::make_unique<torch::optim::Adam>(
          v.model->parameters(), torch::optim::AdamOptions(config_.learning_rate).weight_decay(config_.weight_decay));
    } else {
      v.optimizer = std::make_unique<torch::optim::SGD>(
          v.model->parameters(), torch::optim::SGDOptions(config_.learning_rate)
                                     .momentum(config_.momentum)
                                     .weight_decay(config_.weight_decay));
    }
  }
  nlohmann::json summary = {{"name", data.name},
                            {"source", data.source},
                            {"train_images", data.train.size()},
                            {"test_images", data.test.size()},
                            {"class_names", data.class_names},
                            {"notes", data.notes},
                            {"probe_images", probe_count},
                            {"normalisation", {{"mean", transform.normalisation.mean},
                                               {"std", transform.normalisation.std}}}};
  if (!resume_) store.write_config(config_, summary);
  torch::manual_seed(config_.seed);  // the dropout stream
  double rate_scale = 1.0;
  std::int64_t iteration = 0;
  if (checkpoint) {
    const CheckpointInfo loaded = load_checkpoint(config_.out_dir, variants);
    iteration = loaded.iteration;
    rate_scale = loaded.rate_scale;
    observer_.on_message("resuming from the checkpoint at iteration " + std::to_string(iteration));
  } else if (resume_) {
    observer_.on_message("no checkpoint yet; starting the run over");
  }

  auto probe_all = [&](std::int64_t iteration) {
    for (VariantState& v : variants) {
      if (v.diverged) continue;
      ProbeResult p = probe_model(*v.model, probe_images, v.edges, 250, grey_data);
      p.variant = v.spec.name;
      p.iteration = iteration;
      store.append_probe(p);
      observer_.on_probe(p);
    }
  };
  auto checkpoint_all = [&](std::int64_t at) {
    store.flush();  // the logs on disk reach at least as far as the checkpoint
    save_checkpoint(store.dir(), at, rate_scale, variants);
  };

  const bool probing = config_.probe_every > 0;
  if (probing && iteration == 0) probe_all(0);
  emit_state(RunState::Training);

  double iteration_seconds = 0;  // smoothed wall time of one iteration (all variants)
  std::int64_t last_probe = iteration, last_checkpoint = checkpoint ? iteration : -1;
  {
    // Batch n is the same whether or not the run was resumed before it.
    BatchStream stream(data.train, config_.batch_size, transform, config_.seed, iteration);
    while (iteration < config_.iterations && !stop_requested_) {
      wait_while_paused();
      if (stop_requested_) break;
      const double scheduled = config_.scheduled_learning_rate(iteration);
      if (const double wanted = pending_rate_.exchange(0.0); wanted > 0) {
        rate_scale = wanted / scheduled;
        observer_.on_message("learning rate set to " + std::to_string(wanted));
      }
      const double rate = scheduled * rate_scale;
      const Clock::time_point iteration_start = Clock::now();
      const Batch batch = stream.next();
      bool any_alive = false;
      for (VariantState& v : variants) {
        if (v.diverged) continue;
        any_alive = true;
        for (auto& group : v.optimizer->param_groups()) {
          group.options().set_lr(rate * config_.learning_rate_scale(v.spec.name));
        }
        const Clock::time_point start = Clock::now();
        v.model->train();
        v.optimizer->zero_grad();
        const torch::Tensor loss =
            torch::nn::functional::cross_entropy(forward_logits(*v.model, batch.images, bf16), batch.labels,
                                                 torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(
                                                     config_.label_smoothing));
        const double value = loss.item<double>();
        if (!std::isfinite(value)) {
          v.diverged = true;
          v.note = "diverged: the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") +
                   " at iteration " + std::to_string(iteration + 1) + "; this variant was stopped";
          observer_.on_message(v.spec.name + " " + v.note);
          continue;
        }
        loss.backward();
        v.optimizer->step();
        v.seconds += seconds_since(start);
        ++v.steps;
        v.loss_sum += value;
        ++v.loss_count;
        v.last_loss = value;
      }
      ++iteration;
      const double took = seconds_since(iteration_start);
      iteration_seconds = iteration_seconds == 0 ? took : 0.9 * iteration_seconds + 0.1 * took;
      for (const VariantState& v : variants) {
        if (v.diverged) continue;
        ProgressUpdate u;
        u.variant = v.spec.name;
        u.iteration = iteration;
        u.total = config_.iterations;
        u.loss = v.last_loss;
        u.images_per_second = v.seconds > 0 ? double(v.steps) * config_.batch_size / v.seconds : 0;
        u.eta_seconds = iteration_seconds * double(config_.iterations - iteration);
        observer_.on_progress(u);
      }
      if (iteration % config_.record_every == 0) {
        for (VariantState& v : variants) {
          if (v.loss_count == 0) continue;
          RecordPoint p;
          p.variant = v.spec.name;
          p.iteration = iteration;
          p.train_loss = v.loss_sum / double(v.loss_count);
          p.learning_rate = rate * config_.learning_rate_scale(v.spec.name);
          const double interval = v.seconds - v.seconds_at_record;
          p.images_per_second = interval > 0 ? double(v.loss_count) * config_.batch_size / interval : 0;
          p.elapsed_seconds = v.seconds;
          v.loss_sum = 0;
          v.loss_count = 0;
          v.seconds_at_record = v.seconds;
          store.append_record(p);
          observer_.on_record(p);
        }
      }
      if (probing && iteration % config_.probe_every == 0) {
        probe_all(iteration);
        last_probe = iteration;
      }
      if (config_.checkpoint_every > 0 && iteration % config_.checkpoint_every == 0) {
        checkpoint_all(iteration);
        last_checkpoint = iteration;
      }
      if (!any_alive) {
        observer_.on_message("every variant diverged; stopping");
        break;
      }
    }
  }
  const bool stopped = stop_requested_ && iteration < config_.iterations;
  if (stopped) observer_.on_message("stopped at iteration " + std::to_string(iteration));
  if (probing && last_probe != iteration) probe_all(iteration);
  if (last_checkpoint != iteration) checkpoint_all(iteration);

  emit_state(RunState::Evaluating);
  std::vector<VariantResult> results;
  for (VariantState& v : variants) {
    observer_.on_message("evaluating " + v.spec.name + " on " + std::to_string(data.test.size()) + " test images");
    VariantResult r = evaluate(*v.model, data.test, data.classes(), transform);
    r.variant = v.spec.name;
    r.iterations = v.steps;
    r.seconds = v.seconds;
    r.parameters = v.model->parameter_count();
    r.diverged = v.diverged;
    r.note = v.diverged ? v.note : (stopped ? "stopped by the user at iteration " + std::to_string(iteration) : "");
    results.push_back(r);
    observer_.on_result(r);
  }
  store.write_results(results);
  store.flush();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    results_ = results;
  }
  return stopped ? RunState::Stopped : RunState::Finished;
}

}  // namespace alexnet
