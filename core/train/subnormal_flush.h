// Subnormal floats flushed to zero while training (what PyTorch's
// torch.set_flush_denormal(True) does), for this thread and its OpenMP team.
//
// Late in a run a few tenths of a percent of original's fc7 and conv5 weights
// and of their Adam moments are subnormal (dead units' weights decay towards
// zero); every vector instruction that meets one takes a microcode assist.
// With the 2,400-iteration checkpoint of the default experiment, original's
// step took 115 ms against 105 ms with subnormals flushed (a fresh network:
// 107 against 107). Values below 1.2e-38 become zero; runs stay reproducible.
#pragma once

namespace alexnet {

class SubnormalsFlushed {
 public:
  // `team_threads`: how many OpenMP threads this thread's parallel regions use.
  explicit SubnormalsFlushed(int team_threads);
  ~SubnormalsFlushed();
  SubnormalsFlushed(const SubnormalsFlushed&) = delete;
  SubnormalsFlushed& operator=(const SubnormalsFlushed&) = delete;

 private:
  int team_threads_;
  unsigned saved_;
};

}  // namespace alexnet
