// The experiment settings every rank of a run must share, compared when the
// ranks meet: ranks started with different settings would silently train
// different experiments on the same batches.
#pragma once

#include <string>

#include "dist/cluster.h"
#include "spec/experiment_config.h"

namespace alexnet {

// Makes `config` the run's settings on every rank. Rank 0's settings win: a
// rank with `adopt` takes them as they are (it keeps its own thread count);
// any other rank whose settings differ makes every rank throw DistError,
// naming the settings that differ.
void agree_on_settings(Cluster& cluster, ExperimentConfig& config, bool adopt);

// "iterations (rank 0: 2000, here: 1000), seed (rank 0: 0, here: 3)"; empty
// when the two settings texts describe the same experiment.
std::string differing_settings(const std::string& rank0_settings, const std::string& own_settings);

}  // namespace alexnet
