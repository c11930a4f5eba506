// The test evaluation at the end of a run: a trained variant on a whole split.
#pragma once

#include <vector>

#include "data/batch_stream.h"
#include "data/dataset.h"
#include "model/alexnet_model.h"
#include "run/predictions.h"
#include "train/training_events.h"

namespace alexnet {

class Cluster;

// Test loss, accuracy, confusion matrix and every image's prediction for a
// model on a whole split. With several ranks each evaluates its share and the
// shares are summed, so every rank gets the whole; the confusion matrix and the
// accuracy are then counted from the predictions, which are stored as well.
VariantResult evaluate(AlexNetImpl& model, const ImageSet& test, int classes, const TransformOptions& transform,
                       Cluster& cluster, std::vector<Prediction>* predictions);

}  // namespace alexnet
