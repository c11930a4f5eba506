#include "trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
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
#include "data/validation_split.h"
#include "data/load_options.h"
#include "analysis/probes.h"
#include "analysis/findings_engine.h"
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
  torch::Tensor wanted = torch::tensor(
      {stop_requested_ ? 1.0 : 0.0, pause_requested_ ? 1.0 : 0.0, pending_rate_.exchange(0.0)}, torch::kFloat64);
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

void Trainer::stop_at(std::int64_t iteration, std::string why) {
  stop_at_ = iteration;
  stop_why_ = std::move(why);
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
    if (!dir.empty())
      text += "\nthe run folder keeps its last checkpoint; continue it with: alexnet-lab train --resume " + dir;
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

// One call of Trainer::train(): the run's state, which the phases below share
// instead of a long function's locals. Members are declared in the order the
// phases make them, so they are torn down in reverse (the lanes before the
// models, the cluster before the worker processes are waited for, the
// subnormal flag put back last).
class Trainer::Session {
 public:
  explicit Session(Trainer& trainer) : t_(trainer), config_(trainer.config_), observer_(trainer.observer_) {}

  RunState run() {
    prepare_compute();
    join_cluster();
    choose_probe_cadence();
    describe_precision();
    load_data();
    open_run_folder();
    prepare_inputs();
    build_variants();
    restore_position();
    plan_lanes();
    train_loop();
    finish_training();
    evaluate_all();
    return finish();
  }

 private:
  // Phase: threads, the caching allocator and flushed subnormals for this thread and its team.
  void prepare_compute() {
    if (t_.resume_ && config_.world_size != t_.dist_.world_size && t_.dist_.rank == 0) {
      observer_.on_message("the run was started with " + std::to_string(config_.world_size) +
                           " process(es); it goes on with " + std::to_string(t_.dist_.world_size) +
                           " (the batches stay the same)");
    }
    config_.world_size = t_.dist_.world_size;
    if (!t_.dist_.adopt_settings) config_.validate();  // an adopting rank has no settings of its own yet
    install_caching_cpu_allocator();
    threads_ = configure_threads(threads_for(config_, t_.dist_));
    flushed_ = std::make_unique<SubnormalsFlushed>(threads_);
  }

  // Phase: the other processes of a data-parallel run. Rank 0 hosts the
  // rendezvous (and starts local workers when asked to); every rank then
  // agrees on rank 0's settings, so all train the same experiment.
  void join_cluster() {
    const DistSettings& dist = t_.dist_;
    cluster_ = std::make_unique<Cluster>();
    if (dist.distributed()) {
      observer_.on_message("rank " + std::to_string(dist.rank) + " of " + std::to_string(dist.world_size) +
                           ": joining the run at " + dist.master_host + ":" +
                           (dist.master_port > 0 ? std::to_string(dist.master_port) : std::string("(any free port)")));
      cluster_ = Cluster::join(dist, [&](int port) {
        if (dist.worker_program.empty()) return;
        workers_.start(dist, port, threads_);
        observer_.on_message(std::string("started ") +
                             (dist.world_size == 2 ? "rank 1" : "ranks 1 to " + std::to_string(dist.world_size - 1)) +
                             " on this machine (rendezvous on port " + std::to_string(port) + ")");
      });
      agree_on_settings(*cluster_, config_, dist.adopt_settings);
      config_.world_size = dist.world_size;
      config_.validate();  // adopted settings must also split the batch
    }
    // Records, probes and results come from rank 0 alone; every rank reports
    // messages and its state.
    writer_ = cluster_->rank() == 0;
  }

  // Phase: the run folder records the interval the run probes at, so a
  // resumed run (even one given more iterations) keeps its cadence.
  void choose_probe_cadence() {
    if (config_.probe_every != kAutomaticProbes) return;
    config_.probe_every = config_.probe_interval();
    if (writer_) {
      const std::int64_t every = config_.probe_every;
      const std::int64_t probes = config_.iterations / every + 1 + (config_.iterations % every != 0 ? 1 : 0);
      observer_.on_message("probing every " + std::to_string(every) + " iterations (" + std::to_string(probes) +
                           " probes over the run; --probe-every sets it)");
    }
  }

  void describe_precision() {
    observer_.on_message(describe_compute(threads_));
    bf16_ = config_.bf16 && cpu_has_avx512_bf16();
    if (config_.bf16) {
      observer_.on_message(bf16_ ? "bfloat16: the large layers (FC layers of 4 M weights or more, the convolutions "
                                   "after conv1) multiply in bf16 (AVX512-BF16); weights, optimizer and everything "
                                   "else stay float32"
                                 : "bfloat16: this CPU has no AVX512-BF16 (it would be emulated and slower), so "
                                   "training is float32 throughout");
    }
  }

  // Phase: the data set, its validation split taken out of the training
  // images, and the variants' specs completed for it.
  void load_data() {
    observer_.on_message("loading data: " + config_.data);
    Dataset loaded = load_dataset(config_.data, load_options_for(config_));
    const std::int64_t held_out = validation_count(config_.validation, loaded.train.size(), loaded.classes());
    ValidationSplit split = split_validation(loaded.train, held_out, loaded.classes(), config_.seed);
    loaded.train = std::move(split.train);
    validation_ = std::move(split.validation);
    data_ = std::make_unique<const Dataset>(std::move(loaded));
    for (const std::string& note : data_->notes) observer_.on_message(note);
    if (writer_) observer_.on_classes(data_->class_names);
    observer_.on_message("data: " + data_->name + ", " + std::to_string(data_->train.size()) + " training, " +
                         std::to_string(validation_.size()) + " validation and " + std::to_string(data_->test.size()) +
                         " test images, " + std::to_string(data_->classes()) + " classes" +
                         (validation_.size() > 0 ? " (the validation images are never trained on; --validation sets "
                                                   "how many)"
                                                 : " (no validation split: --validation 0)"));
    for (VariantSpec& spec : config_.variants) {
      spec.input_size = config_.input_size;
      spec.classes = data_->classes();
      validate(spec);
    }
    if (data_->train.size() > 0 && data_->classes() > 0) {
      const torch::Tensor counts = torch::bincount(data_->train.labels, {}, data_->classes());
      train_class_counts_.assign(counts.data_ptr<std::int64_t>(), counts.data_ptr<std::int64_t>() + counts.numel());
    }
    if (writer_)
      findings_ = std::make_unique<FindingsEngine>(findings_context(config_, train_class_counts_, data_->class_names));
  }

  // New or updated findings: to the run folder and the observer.
  void report(const std::vector<Finding>& findings) {
    for (const Finding& f : findings) {
      if (store_) store_->append_finding(f);
      observer_.on_finding(f);
    }
  }

  // Phase (rank 0): a new run folder, or the resumed one trimmed to its checkpoint.
  void open_run_folder() {
    namespace fs = std::filesystem;
    if (!writer_) return;
    if (config_.out_dir.empty()) config_.out_dir = new_default_run_dir();
    if (t_.resume_) {
      checkpoint_ = find_checkpoint(config_.out_dir);
      if (checkpoint_ && checkpoint_->iteration >= config_.iterations &&
          fs::exists(fs::path(config_.out_dir) / "results.json")) {
        throw StoreError(config_.out_dir + " is finished (" + std::to_string(checkpoint_->iteration) + " of " +
                         std::to_string(config_.iterations) + " iterations); there is nothing to resume");
      }
      // Without a checkpoint the run starts over: nothing after iteration 0 survives.
      trim_logs_after(config_.out_dir, checkpoint_ ? checkpoint_->iteration : -1);
      // Results of an earlier stop would describe models that are about to change.
      std::error_code ec;
      fs::remove(fs::path(config_.out_dir) / "results.json", ec);
      fs::remove_all(fs::path(config_.out_dir) / "predictions", ec);  // a link is removed, not followed
    } else if (fs::exists(fs::path(config_.out_dir) / "config.json")) {
      throw StoreError(config_.out_dir + " already holds a run; continue it with --resume " + config_.out_dir +
                       " or choose another folder");
    }
    store_ = std::make_unique<RunStore>(config_.out_dir);
    if (t_.resume_) {
      // What the run kept up to its checkpoint, so a window shows the whole run.
      const RunContents kept = read_run(store_->dir());
      for (const RecordPoint& p : kept.records) observer_.on_record(p);
      for (const ProbeResult& p : kept.probes) observer_.on_probe(p);
      for (const GradientRecord& g : kept.gradients) observer_.on_gradients(g);
      // The findings of what was kept, as the engine would have made them; later lines were dropped with the logs.
      replay_run(*findings_, kept);
      store_->replace_findings(findings_->findings());
      for (const Finding& f : findings_->findings()) observer_.on_finding(f);
    } else {
      report(findings_->start());
    }
    {
      std::lock_guard<std::mutex> lock(t_.mutex_);
      t_.run_dir_ = store_->dir();
    }
    observer_.on_message("run folder: " + store_->dir());
  }

  // Phase: how pictures become inputs, and the probe set (the first held-out
  // images, the same at every probe): the validation split's first images,
  // so each probe measures validation loss and accuracy on its forward pass;
  // the test split's without one (nothing is measured then).
  void prepare_inputs() {
    transform_.input_size = config_.input_size;
    transform_.random_crop = config_.augment;
    transform_.horizontal_flip = config_.augment || config_.flip;
    transform_.normalisation = compute_normalisation(data_->train);
    grey_data_ = data_->train.channels() == 1;
    const ImageSet& probe_source = validation_.size() > 0 ? validation_ : data_->test;
    probe_count_ = std::min<std::int64_t>(config_.probe_size, probe_source.size());
    if (!writer_) return;
    probe_images_ = prepare_images(probe_source.pixels(0, probe_count_, threads_), transform_, nullptr);
    if (validation_.size() > 0) probe_labels_ = validation_.labels.narrow(0, 0, probe_count_).contiguous();
  }

  // Phase: every variant's model and optimizer (its initial weights from the
  // seed and its name alone), then config.json of a new run.
  void build_variants() {
    variants_.resize(config_.variants.size());
    for (std::size_t i = 0; i < variants_.size(); ++i) {
      VariantState& v = variants_[i];
      v.spec = config_.variants[i];
      torch::manual_seed(config_.seed ^ stable_hash(v.spec.name));
      v.model = AlexNet(v.spec);
      v.model->initialise(config_.init);
      v.model->set_bf16_products(bf16_);
      v.optimizer = make_optimizer(config_, v.model->parameters());
    }
    const nlohmann::json summary = {
        {"name", data_->name},
        {"source", data_->source},
        {"train_images", data_->train.size()},
        {"test_images", data_->test.size()},
        {"validation_images", validation_.size()},
        {"probe_set", validation_.size() > 0 ? "validation" : "test"},
        {"class_names", data_->class_names},
        {"train_class_counts", train_class_counts_},
        {"notes", data_->notes},
        {"probe_images", probe_count_},
        {"normalisation", {{"mean", transform_.normalisation.mean}, {"std", transform_.normalisation.std}}}};
    if (store_ && !t_.resume_) store_->write_config(config_, summary);
  }

  // Phase: where the run stands (its checkpoint, shared from rank 0) and the
  // dropout streams from there.
  void restore_position() {
    torch::manual_seed(config_.seed);  // the dropout stream
    RunPosition position;
    if (checkpoint_) {
      const CheckpointInfo loaded = load_checkpoint(config_.out_dir, variants_);
      position.iteration = loaded.iteration;
      position.rate_scale = loaded.rate_scale;
      observer_.on_message("resuming from the checkpoint at iteration " + std::to_string(position.iteration));
    } else if (writer_ && t_.resume_) {
      observer_.on_message("no checkpoint yet; starting the run over");
    }
    // Every rank starts from rank 0's weights and place in the run.
    share_training_state(*cluster_, variants_, position);
    iteration_ = position.iteration;
    rate_scale_ = position.rate_scale;
    if (cluster_->rank() != 0) {
      // Each rank's own dropout stream: the same masks on every rank would correlate the shards.
      torch::manual_seed(config_.seed + 0x9E3779B97F4A7C15ULL * std::uint64_t(cluster_->rank()) +
                         std::uint64_t(iteration_));
    }
    for (VariantState& v : variants_)
      averagers_.push_back(std::make_unique<GradientAverager>(*cluster_, v.model->parameters()));
  }

  // Phase: variants side by side where the run has cores to spare for it; a
  // data-parallel run keeps one after the other, as its ranks must
  // allreduce the variants in the same order. ALEXNET_ONE_VARIANT_AT_A_TIME=1
  // does the same, for measuring what the lanes gain.
  void plan_lanes() {
    const bool in_turn = cluster_->distributed() || std::getenv("ALEXNET_ONE_VARIANT_AT_A_TIME") != nullptr;
    lanes_ = std::make_unique<VariantLanes>(in_turn ? 1 : threads_, int(variants_.size()));
    for (const VariantState& v : variants_) variant_costs_.push_back(double(forward_macs(v.spec)));
    if (lanes_->lanes() > 1) {
      observer_.on_message(describe_rounds(variants_, plan_rounds(variant_costs_, lanes_->lanes()),
                                           lanes_->threads_per_lane(), threads_));
    }
  }

  bool probing() const { return config_.probe_every > 0; }
  // Whether the step that completes `iteration` is followed by a metrics row.
  bool ends_record(std::int64_t iteration) const {
    return iteration % config_.record_every == 0 || iteration == config_.iterations;
  }

  // Phase: the iterations, until the end, a stop, or every variant diverged.
  void train_loop() {
    if (probing() && iteration_ == 0) probe_all(0);
    t_.emit_state(RunState::Training);
    double iteration_seconds = 0;  // smoothed wall time of one iteration (all variants)
    last_probe_ = iteration_;
    last_checkpoint_ = checkpoint_ ? iteration_ : -1;
    // Batch n is the same whether or not the run was resumed before it, and
    // whatever the number of ranks: each rank takes its slice of it.
    BatchStream stream(data_->train, config_.batch_size, transform_, config_.seed, iteration_, 3,
                       BatchShard{cluster_->rank(), cluster_->size()});
    while (iteration_ < config_.iterations) {
      if (t_.stop_at_ >= 0 && iteration_ >= t_.stop_at_) {
        t_.stop_requested_ = true;
        break;
      }
      if (!any_training()) {
        observer_.on_message(all_diverged() ? "every variant diverged; stopping"
                                            : "no variant is left training (each stopped early or diverged); the run "
                                              "ends at iteration " +
                                                  std::to_string(iteration_));
        break;
      }
      double requested_rate = 0;
      if (!wait_while_paused(requested_rate)) {
        t_.stop_requested_ = true;
        break;
      }
      const double scheduled = config_.scheduled_learning_rate(iteration_);
      if (requested_rate > 0) {
        rate_scale_ = requested_rate / scheduled;
        observer_.on_message("learning rate set to " + std::to_string(requested_rate));
      }
      const double rate = scheduled * rate_scale_;
      const Clock::time_point iteration_start = Clock::now();
      step(rate, stream.next());
      ++iteration_;
      const double took = seconds_since(iteration_start);
      iteration_seconds = iteration_seconds == 0 ? took : 0.9 * iteration_seconds + 0.1 * took;
      report_progress(iteration_seconds);
      // The probe first, so the record at the same iteration carries its validation figures.
      if (probing() && iteration_ % config_.probe_every == 0) {
        probe_all(iteration_);
        last_probe_ = iteration_;
      }
      if (iteration_ % config_.record_every == 0) record(rate);
      last_rate_ = rate;
      if (config_.checkpoint_every > 0 && iteration_ % config_.checkpoint_every == 0) {
        checkpoint_all(iteration_);
        last_checkpoint_ = iteration_;
      }
    }
  }

  bool any_training() const {
    return std::any_of(variants_.begin(), variants_.end(), [](const VariantState& v) { return v.training(); });
  }
  bool all_diverged() const {
    return std::all_of(variants_.begin(), variants_.end(), [](const VariantState& v) { return v.diverged; });
  }

  // What every rank agreed on before this iteration; while paused, waits for
  // resume or stop (back to the others every second, so no rank times out).
  // False: stop. `requested_rate`: a learning rate someone asked for (> 0).
  bool wait_while_paused(double& requested_rate) {
    Control control = t_.agree_on_control(*cluster_);
    requested_rate = control.rate;
    if (control.pause && !control.stop) {
      t_.emit_state(RunState::Paused);
      while (control.pause && !control.stop) {
        {
          std::unique_lock<std::mutex> lock(t_.mutex_);
          t_.wake_.wait_for(lock, std::chrono::seconds(1),
                            [this] { return !t_.pause_requested_ || t_.stop_requested_; });
        }
        control = t_.agree_on_control(*cluster_);
        requested_rate = std::max(requested_rate, control.rate);
      }
      if (!control.stop) t_.emit_state(RunState::Training);
    }
    return !control.stop;
  }

  // One iteration of every variant still training, in the lanes' rounds, each
  // with its own dropout seed drawn here in variant order (whichever lane
  // trains it).
  void step(double rate, const Batch& batch) {
    std::vector<std::size_t> alive;
    std::vector<double> costs;
    std::vector<std::uint64_t> dropout_seeds;
    for (std::size_t i = 0; i < variants_.size(); ++i) {
      if (!variants_[i].training()) continue;
      alive.push_back(i);
      costs.push_back(variant_costs_[i]);
      dropout_seeds.push_back(draw_from_global_generator());
    }
    lanes_->step_in_rounds(costs, [&](std::size_t k) { train_variant(alive[k], rate, batch, dropout_seeds[k]); });
    for (std::size_t i : alive) {
      if (!variants_[i].diverged) continue;
      observer_.on_message(variants_[i].spec.name + " " + variants_[i].note);
      if (findings_)
        report(findings_->on_divergence(variants_[i].spec.name, iteration_ + 1, variants_[i].diverged_value));
    }
  }

  // One variant's training step. On a lane it runs beside other variants, so
  // it touches its own state only; step() reports a divergence after.
  void train_variant(std::size_t i, double rate, const Batch& batch, std::uint64_t dropout_seed) {
    VariantState& v = variants_[i];
    const DropoutStream dropout(dropout_seed);
    for (auto& group : v.optimizer->param_groups()) {
      group.options().set_lr(rate * config_.learning_rate_scale(v.spec.name));
    }
    const Clock::time_point start = Clock::now();
    v.model->train();
    release_gradients(*v.optimizer);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(
        v.model->forward(batch.images), batch.labels,
        torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(config_.label_smoothing));
    double value = loss.item<double>();
    // One process skips the backward pass of a diverged step; with several,
    // every rank takes part in the sum and all see the same mean loss.
    if (std::isfinite(value) || cluster_->distributed()) {
      value = averagers_[i]->backward(loss, value);
    }
    if (!std::isfinite(value)) {
      v.diverged = true;
      v.diverged_value = std::isnan(value) ? "NaN" : "infinite";
      v.diverged_at = iteration_ + 1;
      v.note = "diverged: the loss became " + v.diverged_value + " at iteration " + std::to_string(iteration_ + 1) +
               "; this variant was stopped";
      return;
    }
    const bool measured = writer_ && ends_record(iteration_ + 1);
    const Clock::time_point measuring = Clock::now();
    if (measured) v.instruments.before_step(*v.model);
    double measuring_seconds = measured ? seconds_since(measuring) : 0;
    v.optimizer->step();
    if (measured) {
      const Clock::time_point after = Clock::now();
      v.gradients = {v.spec.name, iteration_ + 1, v.instruments.after_step(*v.model)};
      measuring_seconds += seconds_since(after);
      v.instrument_seconds += measuring_seconds;
    }
    v.seconds += seconds_since(start);
    ++v.steps;
    v.loss_sum += value;
    ++v.loss_count;
    v.last_loss = value;
  }

  void report_progress(double iteration_seconds) {
    if (!writer_) return;
    for (const VariantState& v : variants_) {
      if (!v.training()) continue;
      ProgressUpdate u;
      u.variant = v.spec.name;
      u.iteration = iteration_;
      u.total = config_.iterations;
      u.loss = v.last_loss;
      u.images_per_second = v.seconds > 0 ? double(v.steps) * config_.batch_size / v.seconds : 0;
      u.eta_seconds = iteration_seconds * double(config_.iterations - iteration_);
      observer_.on_progress(u);
    }
  }

  // A metrics row per variant: the mean loss since the last one.
  void record(double rate) {
    for (VariantState& v : variants_) {
      if (v.loss_count == 0) continue;
      RecordPoint p;
      p.variant = v.spec.name;
      p.iteration = iteration_;
      p.train_loss = v.loss_sum / double(v.loss_count);
      p.learning_rate = rate * config_.learning_rate_scale(v.spec.name);
      const double interval = v.seconds - v.seconds_at_record;
      p.images_per_second = interval > 0 ? double(v.loss_count) * config_.batch_size / interval : 0;
      p.elapsed_seconds = v.seconds;
      if (v.validated_at == iteration_) {
        p.validation_loss = v.validation_loss;
        p.validation_accuracy = v.validation_accuracy;
      }
      v.loss_sum = 0;
      v.loss_count = 0;
      v.seconds_at_record = v.seconds;
      if (!store_) continue;
      store_->append_record(p);
      observer_.on_record(p);
      report(findings_->on_record(p));
      if (v.gradients.iteration == iteration_ && !v.gradients.layers.empty()) {
        store_->append_gradients(v.gradients);
        observer_.on_gradients(v.gradients);
        report(findings_->on_gradients(v.gradients));
      }
    }
  }

  void probe_all(std::int64_t at) {
    if (!store_) return;
    const Clock::time_point start = Clock::now();
    ++probes_made_;
    for (VariantState& v : variants_) {
      if (!v.training()) continue;
      ProbeResult p = probe_model(*v.model, probe_images_, v.edges, 250, grey_data_, probe_labels_);
      p.variant = v.spec.name;
      p.iteration = at;
      if (std::isfinite(p.validation_loss) || std::isfinite(p.validation_accuracy)) {
        v.validated_at = at;
        v.validation_loss = p.validation_loss;
        v.validation_accuracy = p.validation_accuracy;
        keep_if_best(v, at);
      }
      store_->append_probe(p);
      observer_.on_probe(p);
      report(findings_->on_probe(p));
      stop_early_if_stale(v, at);
    }
    probe_seconds_ += seconds_since(start);
  }

  // The variant's weights now, kept as its best when the probe just measured
  // a better validation accuracy than any before.
  void keep_if_best(VariantState& v, std::int64_t at) {
    if (!std::isfinite(v.validation_accuracy) || v.validation_accuracy <= v.best_validation_accuracy) return;
    torch::NoGradGuard no_grad;
    if (!v.best_model) {
      // Building a model draws its initial weights from the global generator,
      // which is the dropout stream: put it back, so keeping the best changes no draw.
      at::Generator generator = at::detail::getDefaultCPUGenerator();
      const torch::Tensor state = generator.get_state();
      v.best_model = AlexNet(v.spec);
      generator.set_state(state);
    }
    const auto from = v.model->parameters();
    auto to = v.best_model->parameters();
    for (std::size_t k = 0; k < from.size(); ++k) to[k].copy_(from[k]);
    v.best_iteration = at;
    v.best_validation_accuracy = v.validation_accuracy;
  }

  // --early-stop: a variant whose validation accuracy has not improved for
  // the patience stops here; its checkpoint keeps its state and the others go on.
  void stop_early_if_stale(VariantState& v, std::int64_t at) {
    if (config_.early_stop <= 0 || v.best_iteration < 0 || at - v.best_iteration < config_.early_stop) return;
    if (at >= config_.iterations) return;  // the end: nothing to stop
    v.stopped_early = true;
    v.note = "stopped early at iteration " + std::to_string(at) + ": validation accuracy " +
             fixed(100 * v.validation_accuracy, 2) + " % has not improved on " +
             fixed(100 * v.best_validation_accuracy, 2) + " % (iteration " + std::to_string(v.best_iteration) +
             ") for " + std::to_string(at - v.best_iteration) + " iterations";
    observer_.on_message(v.spec.name + " " + v.note);
  }

  void checkpoint_all(std::int64_t at) {
    if (!store_) return;
    store_->flush();  // the logs on disk reach at least as far as the checkpoint
    save_checkpoint(store_->dir(), at, rate_scale_, variants_);
  }

  // Phase: the last probe and checkpoint where the run stopped, and what the
  // collectives cost.
  void finish_training() {
    stopped_ = t_.stop_requested_ && iteration_ < config_.iterations;
    if (stopped_)
      observer_.on_message("stopped at iteration " + std::to_string(iteration_) +
                           (t_.stop_at_ == iteration_ ? " (" + t_.stop_why_ + ")" : std::string()));
    if (probing() && last_probe_ != iteration_) probe_all(iteration_);
    // A run whose length is not a multiple of record_every ends with a row for
    // its last iterations (with the last probe's validation). A stopped run
    // keeps its half-filled interval in the checkpoint for a resume instead.
    if (iteration_ == config_.iterations && iteration_ % config_.record_every != 0) record(last_rate_);
    if (last_checkpoint_ != iteration_) checkpoint_all(iteration_);
    if (!cluster_->distributed() || !writer_) return;
    for (std::size_t i = 0; i < variants_.size(); ++i) {
      const GradientAverager& a = *averagers_[i];
      if (a.calls() == 0 || variants_[i].seconds <= 0) continue;
      const double per_call = a.seconds() / double(a.calls());
      observer_.on_message("allreduce of " + variants_[i].spec.name + ": " +
                           std::to_string(a.bytes_per_call() / 1000000) + " MB per step in " +
                           std::to_string(a.units()) + " parts beside backward, " +
                           std::to_string(int(per_call * 1000 + 0.5)) + " ms added to the step (" +
                           std::to_string(int(100 * a.seconds() / variants_[i].seconds + 0.5)) + " % of it)");
    }
  }

  // Phase: every variant on the test split, its predictions and results stored.
  void evaluate_all() {
    t_.emit_state(RunState::Evaluating);
    for (VariantState& v : variants_) {
      observer_.on_message("evaluating " + v.spec.name + " on " + std::to_string(data_->test.size()) + " test images" +
                           (cluster_->distributed() ? " (shared between " + std::to_string(cluster_->size()) + " ranks)"
                                                    : std::string()));
      std::vector<Prediction> predictions;
      VariantResult r = evaluate(*v.model, data_->test, data_->classes(), transform_, *cluster_, &predictions);
      if (store_) store_->write_predictions(v.spec.name, predictions);
      if (validation_.size() > 0) {
        const Clock::time_point start = Clock::now();
        std::vector<Prediction> unused;
        const VariantResult held_out =
            evaluate(*v.model, validation_, data_->classes(), transform_, *cluster_, &unused);
        r.validation_loss = held_out.test_loss;
        r.validation_accuracy = held_out.test_accuracy;
        validation_seconds_ += seconds_since(start);
      }
      r.variant = v.spec.name;
      r.iterations = v.steps;
      r.seconds = v.seconds;
      r.parameters = v.model->parameter_count();
      r.diverged = v.diverged;
      r.diverged_at = v.diverged_at;
      r.note = v.diverged || v.stopped_early
                   ? v.note
                   : (!stopped_                   ? ""
                      : t_.stop_at_ == iteration_ ? t_.stop_why_
                                                  : "stopped by the user at iteration " + std::to_string(iteration_));
      if (v.best_model) evaluate_best(v, r);
      results_.push_back(r);
      if (writer_) {
        observer_.on_result(r);
        report(findings_->on_result(r));
      }
    }
    if (findings_) report(findings_->finish());
    if (validation_.size() > 0 && writer_) {
      observer_.on_message("validation: " + std::to_string(validation_.size()) + " held-out images, measured at " +
                           std::to_string(probes_made_) + " probes (" + fixed(probe_seconds_, 1) +
                           " s of probing in all) and at the end (" + fixed(validation_seconds_, 1) + " s)");
    }
    if (writer_) {
      double measuring = 0, training = 0;
      for (const VariantState& v : variants_) measuring += v.instrument_seconds, training += v.seconds;
      if (measuring > 0) {
        observer_.on_message("gradient instruments: " + fixed(measuring, 1) + " s of " + fixed(training, 0) +
                             " s of training (" + fixed(100 * measuring / std::max(training, 1e-9), 2) + " %)");
      }
    }
    if (store_) {
      store_->write_results(results_);
      store_->flush();
    }
    std::lock_guard<std::mutex> lock(t_.mutex_);
    t_.results_ = results_;
  }

  // The best weights' place in the results; with --early-stop (the user asked
  // for them) also their test figures and predictions (predictions/best/).
  void evaluate_best(VariantState& v, VariantResult& r) {
    r.best_iteration = v.best_iteration;
    r.best_validation_accuracy = v.best_validation_accuracy;
    if (config_.early_stop <= 0) return;
    observer_.on_message("evaluating " + v.spec.name + "'s best weights (iteration " +
                         std::to_string(v.best_iteration) + ") on the test images");
    std::vector<Prediction> predictions;
    const VariantResult best =
        evaluate(*v.best_model, data_->test, data_->classes(), transform_, *cluster_, &predictions);
    r.best_test_loss = best.test_loss;
    r.best_test_accuracy = best.test_accuracy;
    if (store_) store_->write_predictions(v.spec.name, predictions, Weights::Best);
  }

  // Phase: warnings a long run owes its user, and the local worker processes' ends.
  RunState finish() {
    for (const ImageSet* set : {&data_->train, &data_->test}) {
      if (set->streamed() && set->pictures->decode_failures > 0) {
        observer_.on_message("warning: " + std::to_string(set->pictures->decode_failures.load()) +
                             " picture decodes failed while training (files changed or damaged since they were "
                             "listed); those images were black");
      }
    }
    const std::string worker_failures = workers_.wait(std::max(30, t_.dist_.timeout_seconds));
    if (!worker_failures.empty()) observer_.on_message("warning: " + worker_failures);
    return stopped_ ? RunState::Stopped : RunState::Finished;
  }

  Trainer& t_;
  ExperimentConfig& config_;
  TrainingObserver& observer_;
  int threads_ = 0;
  std::unique_ptr<SubnormalsFlushed> flushed_;
  LocalWorkers workers_;
  std::unique_ptr<Cluster> cluster_;
  bool writer_ = false;
  bool bf16_ = false;
  std::unique_ptr<const Dataset> data_;  // its train split without the validation images
  std::vector<std::int64_t> train_class_counts_;
  std::unique_ptr<FindingsEngine> findings_;  // rank 0 only
  ImageSet validation_;                       // empty with --validation 0
  std::optional<CheckpointInfo> checkpoint_;
  std::unique_ptr<RunStore> store_;  // rank 0 only
  TransformOptions transform_;
  std::int64_t probe_count_ = 0;
  bool grey_data_ = false;
  torch::Tensor probe_images_;
  torch::Tensor probe_labels_;  // undefined without a validation split
  std::vector<VariantState> variants_;
  std::int64_t iteration_ = 0;
  double rate_scale_ = 1;
  double last_rate_ = 0;  // the rate of the last iteration, for a closing record
  int probes_made_ = 0;
  double probe_seconds_ = 0, validation_seconds_ = 0;  // what probing and the end's validation cost
  std::vector<std::unique_ptr<GradientAverager>> averagers_;
  std::unique_ptr<VariantLanes> lanes_;
  std::vector<double> variant_costs_;
  std::int64_t last_probe_ = 0, last_checkpoint_ = -1;
  bool stopped_ = false;
  std::vector<VariantResult> results_;
};

RunState Trainer::train() { return Session(*this).run(); }

}  // namespace alexnet
