// The processes of one data-parallel run, through PyTorch's own engine: a
// c10d::TCPStore for the rendezvous and c10d::ProcessGroupGloo for the
// collectives. A default-constructed Cluster is one process alone, where every
// collective is a no-op, so the trainer has one code path.
#pragma once

#include "errors.h"

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "dist/dist_settings.h"
#include "torch_api.h"

namespace alexnet {

class Cluster {
 public:
  Cluster();  // one process alone
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Opens (rank 0) or joins the rendezvous at the master, then the Gloo group.
  // On rank 0, `on_listening(port)` runs as soon as the rendezvous listens,
  // before it waits for the others (rank 0 starts local workers there).
  // Throws DistError: port in use, master unreachable, ranks that never came.
  static std::unique_ptr<Cluster> join(const DistSettings& settings,
                                       const std::function<void(int port)>& on_listening = {});

  int rank() const;
  int size() const;
  bool distributed() const { return size() > 1; }

  // Rank 0's `settings` reach every rank. Every other rank passes them to
  // `check`, which returns "" when they are acceptable or says what differs;
  // every rank then learns every verdict, and a refusal anywhere throws
  // DistError on all ranks. Returns rank 0's settings.
  std::string agree(const std::string& settings, const std::function<std::string(const std::string&)>& check);

  // In place, on every rank: the element-wise sum / maximum over all ranks.
  void sum(torch::Tensor& values);
  void max(torch::Tensor& values);
  // Starts the sum of `values` and returns at once; calling the returned
  // function waits until `values` holds it (throwing DistError as sum() does).
  // Until then `values` must not be touched. Every rank must start its sums
  // in the same order. One process alone: nothing to wait for.
  std::function<void()> start_sum(const torch::Tensor& values);
  // Rank 0's values, on every rank.
  void broadcast(torch::Tensor& values);
  std::string broadcast_bytes(const std::string& bytes);

 private:
  struct Impl;
  explicit Cluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alexnet
