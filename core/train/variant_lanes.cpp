#include "variant_lanes.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <utility>

#include <ATen/Parallel.h>
#include <omp.h>

#include "subnormal_flush.h"

namespace alexnet {

std::vector<std::vector<std::size_t>> plan_rounds(const std::vector<double>& costs, int lanes) {
  std::vector<std::size_t> order(costs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
  const std::size_t width = std::size_t(std::max(1, lanes));
  std::vector<std::vector<std::size_t>> rounds;
  for (std::size_t first = 0; first < order.size(); first += width) {
    rounds.emplace_back(order.begin() + first, order.begin() + std::min(order.size(), first + width));
  }
  return rounds;
}

VariantLanes::VariantLanes(int threads, int variants) {
  lanes_ = std::max(1, std::min(threads, variants));
  threads_per_lane_ = std::max(1, threads / lanes_);
  if (lanes_ == 1) return;
  for (int lane = 0; lane < lanes_; ++lane) lane_threads_.emplace_back(&VariantLanes::lane_main, this, lane);
  // libtorch sets up a thread's intra-op count on its first parallel call,
  // and clears oneDNN's shared cache as it does: let every lane do that now,
  // before any of them computes.
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return started_ == lanes_; });
}

VariantLanes::~VariantLanes() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : lane_threads_) t.join();
}

void VariantLanes::lane_main(int lane) {
  at::internal::lazy_init_num_threads();
  omp_set_num_threads(threads_per_lane_);  // this thread's own OpenMP setting
  const SubnormalsFlushed flushed(threads_per_lane_);
  std::size_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  ++started_;
  done_.notify_all();
  for (;;) {
    wake_.wait(lock, [&] { return closing_ || round_ != seen; });
    if (closing_) return;
    seen = round_;
    // A lane without a job this round may wake only after the round is over
    // (jobs_ gone): there is nothing for it either way.
    const bool has_job = jobs_ && std::size_t(lane) < jobs_->size();
    if (!has_job) continue;
    const std::function<void()>* job = &(*jobs_)[std::size_t(lane)];
    lock.unlock();
    std::exception_ptr failed;
    try {
      (*job)();
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    if (failed && !failure_) failure_ = failed;
    --busy_;
    done_.notify_all();
  }
}

void VariantLanes::step_in_rounds(const std::vector<double>& costs, const std::function<void(std::size_t)>& step) {
  for (const std::vector<std::size_t>& round : plan_rounds(costs, lanes_)) {
    if (round.size() == 1) {
      step(round[0]);  // on this thread, with all of its threads
      continue;
    }
    std::vector<std::function<void()>> jobs;
    for (std::size_t i : round) jobs.push_back([&step, i] { step(i); });
    run(jobs);
  }
}

void VariantLanes::run(const std::vector<std::function<void()>>& jobs) {
  if (jobs.size() > std::size_t(lanes_)) throw std::logic_error("VariantLanes::run: more jobs than lanes");
  if (lane_threads_.empty()) {
    for (const auto& job : jobs) job();
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  jobs_ = &jobs;
  busy_ = int(jobs.size());
  failure_ = nullptr;
  ++round_;
  wake_.notify_all();
  done_.wait(lock, [this] { return busy_ == 0; });
  jobs_ = nullptr;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

}  // namespace alexnet
