// Variants that train side by side: each lane is a thread with its own share
// of the cores, and each variant of a training step runs on one lane.
//
// On our 2-core machine one step of original at batch 64 takes 107 ms on two
// threads but 173 ms on one: two threads share a small batch's products
// poorly. original and tanh on one thread each, side by side, take 170-175 ms
// together, and small then takes 48 ms on both: 221 ms per iteration of the
// default experiment against 262 ms one variant after the other.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace alexnet {

// The variants of one step in rounds: indices, the costliest first, in groups
// of up to `lanes`. A group of one runs on the calling thread with every
// thread; a larger group runs on the lanes. Costs are fixed numbers (forward
// multiply-adds), so the same run always trains each variant on the same
// number of threads and gives the same numbers.
std::vector<std::vector<std::size_t>> plan_rounds(const std::vector<double>& costs, int lanes);

class VariantLanes {
 public:
  // `threads`: the cores the run trains on; `variants`: how many it trains.
  // min(threads, variants) lanes of threads / lanes threads each; a single
  // lane starts no thread.
  VariantLanes(int threads, int variants);
  ~VariantLanes();
  VariantLanes(const VariantLanes&) = delete;
  VariantLanes& operator=(const VariantLanes&) = delete;

  int lanes() const { return lanes_; }
  int threads_per_lane() const { return threads_per_lane_; }

  // One step of every variant: step(i) for each i < costs.size(), in the
  // rounds plan_rounds(costs, lanes()) gives (the trainer's and the
  // benchmark's iteration).
  void step_in_rounds(const std::vector<double>& costs, const std::function<void(std::size_t)>& step);

  // Runs jobs[k] on lane k, all at once, and returns when every one is done;
  // then rethrows the first exception one of them threw. At most lanes() jobs.
  void run(const std::vector<std::function<void()>>& jobs);

 private:
  void lane_main(int lane);

  int lanes_ = 1;
  int threads_per_lane_ = 1;
  std::vector<std::thread> lane_threads_;
  std::mutex mutex_;
  std::condition_variable wake_;  // a round or the end for the lanes
  std::condition_variable done_;  // a lane finished its job or its start
  const std::vector<std::function<void()>>* jobs_ = nullptr;
  std::size_t round_ = 0;  // counts rounds, so a lane runs each once
  int started_ = 0;
  int busy_ = 0;
  bool closing_ = false;
  std::exception_ptr failure_;
};

}  // namespace alexnet
