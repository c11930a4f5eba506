#include "trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <numeric>
#include <thread>

#include <nlohmann/json.hpp>

#include "data/batch_stream.h"
#include "dist/cluster.h"
#include "dist/gradient_averager.h"
#include "dist/local_workers.h"
#include "dist/settings_agreement.h"
#include "dist/shared_state.h"
#include "fused_optimizers.h"
#include "subnormal_flush.h"
#include "variant_lanes.h"
#include "evaluation.h"
#include "bench/benchmark.h"
#include "model/hashed_dropout.h"
#include "run/checkpoint.h"
#include "platform/caching_cpu_allocator.h"
#include "data/dataset.h"
#include "data/load_options.h"
#include "analysis/probes.h"
#include "run/run_reader.h"
#include "run/predictions.h"
#include "run/run_paths.h"
#include "run/run_store.h"
#include "platform/system_info.h"
#include "platform/seconds_since.h"
#include "io/json_text.h"

namespace alexnet {

namespace {

using Clock = std::chrono::steady_clock;

// FNV-1a: a stable hash, so a variant's initial weights depend on the seed and its
// name only, not on which other variants share the run.
std::uint64_t stable_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", digits, value);
  return text;
}

// The libtorch threads of one process: all cores, or its share of them when
// several processes of the run share this machine.
int threads_for(const ExperimentConfig& config, const DistSettings& dist) {
  if (config.threads > 0) return config.threads;
  const int cores = core_count();
  return std::max(1, cores / std::max(1, dist.local_processes));
}

// "original and tanh side by side, 1 thread each; then small on 2 threads".
std::string describe_rounds(const std::vector<VariantState>& variants,
                            const std::vector<std::vector<std::size_t>>& rounds, int threads_per_lane, int threads) {
  auto plural = [](int n) { return std::to_string(n) + (n == 1 ? " thread" : " threads"); };
  std::string text = "training ";
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    if (r > 0) text += "; then ";
    const std::vector<std::size_t>& round = rounds[r];
    for (std::size_t k = 0; k < round.size(); ++k) {
      if (k > 0) text += k + 1 == round.size() ? " and " : ", ";
      text += variants[round[k]].spec.name;
    }
    text += round.size() == 1 ? " on " + plural(threads) : " side by side, " + plural(threads_per_lane) + " each";
  }
  return text + " (a step's variants run in these rounds)";
}

}  // namespace

// What the ranks agree on before every iteration, so that they all stop,
// pause or change the rate at the same step; the maximum over the ranks, so
// a request from any rank counts.
struct Trainer::Control {
  bool stop = false;
  bool pause = false;
  double rate = 0;  // > 0: a learning rate someone asked for
};

Trainer::Control Trainer::agree_on_control(Cluster& cluster) {
  torch::Tensor wanted = torch::tensor({stop_requested_ ? 1.0 : 0.0, pause_requested_ ? 1.0 : 0.0,
                                        pending_rate_.exchange(0.0)},
                                       torch::kFloat64);
  cluster.max(wanted);
  Control c;
  c.stop = wanted[0].item<double>() > 0;
  c.pause = wanted[1].item<double>() > 0;
  c.rate = wanted[2].item<double>();
  return c;
}


Trainer::Trainer(ExperimentConfig config, TrainingObserver& observer, bool resume, DistSettings dist)
    : config_(std::move(config)), resume_(resume), dist_(std::move(dist)), observer_(observer) {}

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

RunState Trainer::run() {
  emit_state(RunState::Preparing);
  RunState final_state = RunState::Failed;
  try {
    final_state = train();
  } catch (const DistError& e) {
    std::string text = std::string("error: ") + e.what();
    const std::string dir = run_dir();
    if (!dir.empty()) text += "\nthe run folder keeps its last checkpoint; continue it with: alexnet-lab train --resume " + dir;
    observer_.on_message(text);
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
  if (resume_ && config_.world_size != dist_.world_size && dist_.rank == 0) {
    observer_.on_message("the run was started with " + std::to_string(config_.world_size) + " process(es); it goes on with " +
                         std::to_string(dist_.world_size) + " (the batches stay the same)");
  }
  config_.world_size = dist_.world_size;
  if (!dist_.adopt_settings) config_.validate();  // an adopting rank has no settings of its own yet
  install_caching_cpu_allocator();
  const int threads = configure_threads(threads_for(config_, dist_));
  const SubnormalsFlushed flushed(threads);

  // The other processes of a data-parallel run: rank 0 hosts the rendezvous
  // (and starts local workers when asked to); every rank then agrees on rank
  // 0's settings, so all train the same experiment.
  LocalWorkers workers;
  std::unique_ptr<Cluster> cluster = std::make_unique<Cluster>();
  if (dist_.distributed()) {
    observer_.on_message("rank " + std::to_string(dist_.rank) + " of " + std::to_string(dist_.world_size) +
                         ": joining the run at " + dist_.master_host + ":" +
                         (dist_.master_port > 0 ? std::to_string(dist_.master_port) : std::string("(any free port)")));
    cluster = Cluster::join(dist_, [&](int port) {
      if (dist_.worker_program.empty()) return;
      workers.start(dist_, port, threads);
      observer_.on_message(std::string("started ") +
                           (dist_.world_size == 2 ? "rank 1" : "ranks 1 to " + std::to_string(dist_.world_size - 1)) +
                           " on this machine (rendezvous on port " + std::to_string(port) + ")");
    });
    agree_on_settings(*cluster, config_, dist_.adopt_settings);
    config_.world_size = dist_.world_size;
    config_.validate();  // adopted settings must also split the batch
  }
  // The run folder records the interval the run probes at, so a resumed run
  // (even one given more iterations) keeps its cadence.
  if (config_.probe_every == kAutomaticProbes) {
    config_.probe_every = config_.probe_interval();
    if (cluster->rank() == 0) {
      observer_.on_message("probing every " + std::to_string(config_.probe_every) + " iterations (about " +
                           std::to_string(kAutomaticProbeCount) + " probes over the run; --probe-every sets it)");
    }
  }
  const bool writer = cluster->rank() == 0;
  // Records, probes and results come from rank 0 alone; every rank reports
  // messages and its state.
  observer_.on_message(describe_compute(threads));
  const bool bf16 = config_.bf16 && cpu_has_avx512_bf16();
  if (config_.bf16) {
    observer_.on_message(bf16 ? "bfloat16: the large layers (FC layers of 4 M weights or more, the convolutions "
                                "after conv1) multiply in bf16 (AVX512-BF16); weights, optimizer and everything "
                                "else stay float32"
                              : "bfloat16: this CPU has no AVX512-BF16 (it would be emulated and slower), so "
                                "training is float32 throughout");
  }

  observer_.on_message("loading data: " + config_.data);
  const Dataset data = load_dataset(config_.data, load_options_for(config_));
  for (const std::string& note : data.notes) observer_.on_message(note);
  if (writer) observer_.on_classes(data.class_names);
  observer_.on_message("data: " + data.name + ", " + std::to_string(data.train.size()) + " training and " +
                       std::to_string(data.test.size()) + " test images, " + std::to_string(data.classes()) +
                       " classes");
  for (VariantSpec& spec : config_.variants) {
    spec.input_size = config_.input_size;
    spec.classes = data.classes();
    validate(spec);
  }

  namespace fs = std::filesystem;
  std::optional<CheckpointInfo> checkpoint;
  std::unique_ptr<RunStore> store;  // rank 0 only
  if (writer) {
    if (config_.out_dir.empty()) config_.out_dir = new_default_run_dir();
    if (resume_) {
      checkpoint = find_checkpoint(config_.out_dir);
      if (checkpoint && checkpoint->iteration >= config_.iterations &&
          fs::exists(fs::path(config_.out_dir) / "results.json")) {
        throw StoreError(config_.out_dir + " is finished (" + std::to_string(checkpoint->iteration) + " of " +
                         std::to_string(config_.iterations) + " iterations); there is nothing to resume");
      }
      // Without a checkpoint the run starts over: nothing after iteration 0 survives.
      trim_logs_after(config_.out_dir, checkpoint ? checkpoint->iteration : -1);
      // Results of an earlier stop would describe models that are about to change.
      std::error_code ec;
      fs::remove(fs::path(config_.out_dir) / "results.json", ec);
      fs::remove_all(fs::path(config_.out_dir) / "predictions", ec);  // a link is removed, not followed
    } else if (fs::exists(fs::path(config_.out_dir) / "config.json")) {
      throw StoreError(config_.out_dir + " already holds a run; continue it with --resume " + config_.out_dir +
                       " or choose another folder");
    }
    store = std::make_unique<RunStore>(config_.out_dir);
    if (resume_) {
      // What the run kept up to its checkpoint, so a window shows the whole run.
      const RunContents kept = read_run(store->dir());
      for (const RecordPoint& p : kept.records) observer_.on_record(p);
      for (const ProbeResult& p : kept.probes) observer_.on_probe(p);
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      run_dir_ = store->dir();
    }
    observer_.on_message("run folder: " + store->dir());
  }

  TransformOptions transform;
  transform.input_size = config_.input_size;
  transform.random_crop = config_.augment;
  transform.horizontal_flip = config_.augment || config_.flip;
  transform.normalisation = compute_normalisation(data.train);
  // The probe set: the first held-out images, the same at every probe.
  const std::int64_t probe_count = std::min<std::int64_t>(config_.probe_size, data.test.size());
  const bool grey_data = data.train.channels() == 1;
  const torch::Tensor probe_images =
      writer ? prepare_images(data.test.pixels(0, probe_count, threads), transform, nullptr) : torch::Tensor();

  std::vector<VariantState> variants(config_.variants.size());
  for (std::size_t i = 0; i < variants.size(); ++i) {
    VariantState& v = variants[i];
    v.spec = config_.variants[i];
    torch::manual_seed(config_.seed ^ stable_hash(v.spec.name));
    v.model = AlexNet(v.spec);
    v.model->initialise(config_.init);
    v.model->set_bf16_products(bf16);
    v.optimizer = make_optimizer(config_, v.model->parameters());
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
  if (store && !resume_) store->write_config(config_, summary);
  torch::manual_seed(config_.seed);  // the dropout stream
  RunPosition position;
  if (checkpoint) {
    const CheckpointInfo loaded = load_checkpoint(config_.out_dir, variants);
    position.iteration = loaded.iteration;
    position.rate_scale = loaded.rate_scale;
    observer_.on_message("resuming from the checkpoint at iteration " + std::to_string(position.iteration));
  } else if (writer && resume_) {
    observer_.on_message("no checkpoint yet; starting the run over");
  }
  // Every rank starts from rank 0's weights and place in the run.
  share_training_state(*cluster, variants, position);
  std::int64_t iteration = position.iteration;
  double rate_scale = position.rate_scale;
  if (cluster->rank() != 0) {
    // Each rank's own dropout stream: the same masks on every rank would correlate the shards.
    torch::manual_seed(config_.seed + 0x9E3779B97F4A7C15ULL * std::uint64_t(cluster->rank()) + std::uint64_t(iteration));
  }
  std::vector<GradientAverager> averagers;
  for (VariantState& v : variants) averagers.emplace_back(*cluster, v.model->parameters());

  auto probe_all = [&](std::int64_t iteration) {
    if (!store) return;
    for (VariantState& v : variants) {
      if (v.diverged) continue;
      ProbeResult p = probe_model(*v.model, probe_images, v.edges, 250, grey_data);
      p.variant = v.spec.name;
      p.iteration = iteration;
      store->append_probe(p);
      observer_.on_probe(p);
    }
  };
  auto checkpoint_all = [&](std::int64_t at) {
    if (!store) return;
    store->flush();  // the logs on disk reach at least as far as the checkpoint
    save_checkpoint(store->dir(), at, rate_scale, variants);
  };

  // One variant's training step. On a lane it runs beside other variants, so
  // it touches its own state only; the trainer reports a divergence after.
  auto train_variant = [&](std::size_t i, double rate, const Batch& batch, std::uint64_t dropout_seed) {
    VariantState& v = variants[i];
    const DropoutStream dropout(dropout_seed);
    for (auto& group : v.optimizer->param_groups()) {
      group.options().set_lr(rate * config_.learning_rate_scale(v.spec.name));
    }
    const Clock::time_point start = Clock::now();
    v.model->train();
    release_gradients(*v.optimizer);
    const torch::Tensor loss =
        torch::nn::functional::cross_entropy(v.model->forward(batch.images), batch.labels,
                                             torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(
                                                 config_.label_smoothing));
    double value = loss.item<double>();
    // One process skips the backward pass of a diverged step; with several,
    // every rank takes part in the sum and all see the same mean loss.
    if (std::isfinite(value) || cluster->distributed()) {
      loss.backward();
      value = averagers[i].average(value);
    }
    if (!std::isfinite(value)) {
      v.diverged = true;
      v.note = "diverged: the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") +
               " at iteration " + std::to_string(iteration + 1) + "; this variant was stopped";
      return;
    }
    v.optimizer->step();
    v.seconds += seconds_since(start);
    ++v.steps;
    v.loss_sum += value;
    ++v.loss_count;
    v.last_loss = value;
  };
  // Variants side by side where the run has cores to spare for it; a
  // data-parallel run keeps one after the other, as its ranks must
  // allreduce the variants in the same order. ALEXNET_ONE_VARIANT_AT_A_TIME=1
  // does the same, for measuring what the lanes gain.
  const bool in_turn = cluster->distributed() || std::getenv("ALEXNET_ONE_VARIANT_AT_A_TIME") != nullptr;
  VariantLanes lanes(in_turn ? 1 : threads, int(variants.size()));
  std::vector<double> variant_costs;
  for (const VariantState& v : variants) variant_costs.push_back(double(forward_macs(v.spec)));
  if (lanes.lanes() > 1) observer_.on_message(describe_rounds(variants, plan_rounds(variant_costs, lanes.lanes()),
                                                              lanes.threads_per_lane(), threads));

  const bool probing = config_.probe_every > 0;
  if (probing && iteration == 0) probe_all(0);
  emit_state(RunState::Training);

  double iteration_seconds = 0;  // smoothed wall time of one iteration (all variants)
  std::int64_t last_probe = iteration, last_checkpoint = checkpoint ? iteration : -1;
  {
    // Batch n is the same whether or not the run was resumed before it, and
    // whatever the number of ranks: each rank takes its slice of it.
    BatchStream stream(data.train, config_.batch_size, transform, config_.seed, iteration, 3,
                       BatchShard{cluster->rank(), cluster->size()});
    while (iteration < config_.iterations) {
      Control control = agree_on_control(*cluster);
      double requested_rate = control.rate;
      if (control.pause && !control.stop) {
        emit_state(RunState::Paused);
        while (control.pause && !control.stop) {
          {
            // Woken by resume or stop; otherwise back to the others every second, so no rank times out.
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait_for(lock, std::chrono::seconds(1), [this] { return !pause_requested_ || stop_requested_; });
          }
          control = agree_on_control(*cluster);
          requested_rate = std::max(requested_rate, control.rate);
        }
        if (!control.stop) emit_state(RunState::Training);
      }
      if (control.stop) {
        stop_requested_ = true;
        break;
      }
      const double scheduled = config_.scheduled_learning_rate(iteration);
      if (requested_rate > 0) {
        rate_scale = requested_rate / scheduled;
        observer_.on_message("learning rate set to " + std::to_string(requested_rate));
      }
      const double rate = scheduled * rate_scale;
      const Clock::time_point iteration_start = Clock::now();
      const Batch batch = stream.next();
      std::vector<std::size_t> alive;
      std::vector<double> costs;
      std::vector<std::uint64_t> dropout_seeds;
      for (std::size_t i = 0; i < variants.size(); ++i) {
        if (variants[i].diverged) continue;
        alive.push_back(i);
        costs.push_back(variant_costs[i]);
        // Drawn here, in variant order, whichever lane trains the variant.
        dropout_seeds.push_back(draw_from_global_generator());
      }
      const bool any_alive = !alive.empty();
      lanes.step_in_rounds(costs, [&](std::size_t k) { train_variant(alive[k], rate, batch, dropout_seeds[k]); });
      for (std::size_t i : alive) {
        if (variants[i].diverged) observer_.on_message(variants[i].spec.name + " " + variants[i].note);
      }
      ++iteration;
      const double took = seconds_since(iteration_start);
      iteration_seconds = iteration_seconds == 0 ? took : 0.9 * iteration_seconds + 0.1 * took;
      for (const VariantState& v : variants) {
        if (v.diverged || !writer) continue;
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
          if (!store) continue;
          store->append_record(p);
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
  if (cluster->distributed() && writer) {
    for (std::size_t i = 0; i < variants.size(); ++i) {
      const GradientAverager& a = averagers[i];
      if (a.calls() == 0 || variants[i].seconds <= 0) continue;
      const double per_call = a.seconds() / double(a.calls());
      observer_.on_message("allreduce of " + variants[i].spec.name + ": " +
                           std::to_string(a.bytes_per_call() / 1000000) + " MB per step, " +
                           std::to_string(int(per_call * 1000 + 0.5)) + " ms (" +
                           std::to_string(int(100 * a.seconds() / variants[i].seconds + 0.5)) + " % of the step, " +
                           fixed(double(a.bytes_per_call()) / per_call / 1e9, 2) + " GB/s)");
    }
  }

  emit_state(RunState::Evaluating);
  std::vector<VariantResult> results;
  for (VariantState& v : variants) {
    observer_.on_message("evaluating " + v.spec.name + " on " + std::to_string(data.test.size()) + " test images" +
                         (cluster->distributed() ? " (shared between " + std::to_string(cluster->size()) + " ranks)"
                                                 : std::string()));
    std::vector<Prediction> predictions;
    VariantResult r = evaluate(*v.model, data.test, data.classes(), transform, *cluster, &predictions);
    if (store) store->write_predictions(v.spec.name, predictions);
    r.variant = v.spec.name;
    r.iterations = v.steps;
    r.seconds = v.seconds;
    r.parameters = v.model->parameter_count();
    r.diverged = v.diverged;
    r.note = v.diverged ? v.note : (stopped ? "stopped by the user at iteration " + std::to_string(iteration) : "");
    results.push_back(r);
    if (writer) observer_.on_result(r);
  }
  if (store) {
    store->write_results(results);
    store->flush();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    results_ = results;
  }
  for (const ImageSet* set : {&data.train, &data.test}) {
    if (set->streamed() && set->pictures->decode_failures > 0) {
      observer_.on_message("warning: " + std::to_string(set->pictures->decode_failures.load()) +
                           " picture decodes failed while training (files changed or damaged since they were "
                           "listed); those images were black");
    }
  }
  const std::string worker_failures = workers.wait(std::max(30, dist_.timeout_seconds));
  if (!worker_failures.empty()) observer_.on_message("warning: " + worker_failures);
  return stopped ? RunState::Stopped : RunState::Finished;
}

}  // namespace alexnet
