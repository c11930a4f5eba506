// `export RUN_DIR --onnx DIR [--weights best]`: each variant of a run, with
// the weights of its last checkpoint (or its best by validation accuracy), as VARIANT.onnx (checked by the ONNX
// checker) and the VARIANT.json that says how to use it. Plain values only in this header, so the window can call it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "export/model_card.h"
#include "export/onnx_graph.h"
#include "run/run_reader.h"
#include "run/weights_choice.h"

namespace alexnet {

class AlexNetImpl;

struct OnnxExport {
  std::string variant;
  std::string onnx_path;
  std::string card_path;
  std::int64_t bytes = 0;
};

// `variants` empty: all of the run's. `progress(done, total, variant)` is
// called before each variant. Throws ExportError (an unknown variant, an
// unwritable folder) or StoreError (no checkpoint, a damaged run), naming the
// file or run.
std::vector<OnnxExport> export_run_onnx(
    const std::string& run_dir, const std::string& out_dir, const std::vector<std::string>& variants = {},
    const std::function<void(int done, int total, const std::string& variant)>& progress = {},
    Weights weights = Weights::Last);

// The weighted layers of a model as plain arrays, in the spec's order.
std::vector<LayerWeights> layer_weights_of(AlexNetImpl& model);

// How a run prepares pictures: its input size, and the data set's channels and normalisation.
// Throws StoreError when config.json lacks the normalisation (naming the file).
PictureTransform picture_transform_of(const RunContents& run);

// The run's class names, or the class ids as text when it has none that fit its variants.
std::vector<std::string> class_names_of(const RunContents& run);

}  // namespace alexnet
