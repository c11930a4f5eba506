#include "classify_command.h"

#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "command_line.h"
#include "export/onnx_runner.h"
#include "export/picture_input.h"
#include "inference/run_classifier.h"
#include "run/run_store.h"

namespace alexnet::cli {

const CommandDoc& classify_doc() {
  static const CommandDoc doc{
      "usage: alexnet-lab classify RUN_DIR IMAGE... [options]\n"
      "       alexnet-lab classify --onnx FILE IMAGE... [options]\n"
      "  each variant's most probable classes for each picture. Pictures are decoded with\n"
      "  OpenCV and prepared exactly as in training (grey or RGB, resized to S x S, normalised).\n"
      "  RUN_DIR: the run's variants from its last checkpoint, through libtorch.\n",
      {{"",
        {{"weights", "W",
          "last (default: the end of training) or best (the best by validation accuracy, kept by every run "
          "with a validation split)"},
         {"onnx", "FILE", "an exported VARIANT.onnx (with VARIANT.json beside it), through OpenCV's DNN module alone"},
         {"variants", "LIST", "only these variants of the run (default: all)"},
         {"top", "K", "classes shown per picture (default 5)"},
         {"json", "", "machine-readable output"}}}}};
  return doc;
}

namespace {

struct PictureBatch {
  std::vector<std::string> files;  // the pictures that decoded
  std::vector<float> inputs;       // their prepared inputs, back to back
  int failed = 0;
};

PictureBatch prepare_pictures(const std::vector<std::string>& paths, const PictureTransform& t) {
  PictureBatch batch;
  for (const std::string& path : paths) {
    try {
      const std::vector<float> input = prepare_picture_file(path, t);
      batch.inputs.insert(batch.inputs.end(), input.begin(), input.end());
      batch.files.push_back(path);
    } catch (const PictureError& e) {
      std::cerr << "alexnet-lab: " << e.what() << "\n";
      ++batch.failed;
    }
  }
  return batch;
}

// The logits of one variant for every picture, in pictures of at most 64 at a time.
template <typename Forward>
std::vector<float> logits_in_chunks(const PictureBatch& batch, int size, Forward&& forward) {
  const std::size_t per_picture = static_cast<std::size_t>(3) * size * size;
  std::vector<float> all;
  const int count = static_cast<int>(batch.files.size());
  for (int start = 0; start < count; start += 64) {
    const int n = std::min(64, count - start);
    const std::vector<float> chunk(batch.inputs.begin() + static_cast<std::ptrdiff_t>(start * per_picture),
                                   batch.inputs.begin() + static_cast<std::ptrdiff_t>((start + n) * per_picture));
    const std::vector<float> out = forward(chunk, n);
    all.insert(all.end(), out.begin(), out.end());
  }
  return all;
}

struct Report {
  std::vector<std::string> variants;
  std::vector<std::vector<float>> logits;  // per variant: [pictures, classes]
};

void print_text(const PictureBatch& batch, const Report& report, const std::vector<std::string>& class_names, int top) {
  std::size_t width = 0;
  for (const std::string& v : report.variants) width = std::max(width, v.size());
  const std::size_t classes = class_names.size();
  for (std::size_t p = 0; p < batch.files.size(); ++p) {
    std::cout << batch.files[p] << "\n";
    for (std::size_t v = 0; v < report.variants.size(); ++v) {
      std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << report.variants[v] << std::right;
      for (const ClassScore& s : top_classes(report.logits[v].data() + p * classes, class_names, top)) {
        std::ostringstream pct;
        pct << std::fixed << std::setprecision(1) << 100.0 * s.probability << "%";
        std::cout << "  " << s.name << " " << pct.str();
      }
      std::cout << "\n";
    }
  }
}

void print_json(const PictureBatch& batch, const Report& report, const std::vector<std::string>& class_names, int top,
                nlohmann::json header) {
  const std::size_t classes = class_names.size();
  nlohmann::json pictures = nlohmann::json::array();
  for (std::size_t p = 0; p < batch.files.size(); ++p) {
    nlohmann::json variants = nlohmann::json::array();
    for (std::size_t v = 0; v < report.variants.size(); ++v) {
      const float* logits = report.logits[v].data() + p * classes;
      nlohmann::json best = nlohmann::json::array();
      for (const ClassScore& s : top_classes(logits, class_names, top)) {
        best.push_back({{"class", s.name}, {"index", s.index}, {"probability", s.probability}});
      }
      variants.push_back(
          {{"variant", report.variants[v]}, {"top", best}, {"logits", std::vector<float>(logits, logits + classes)}});
    }
    pictures.push_back({{"file", batch.files[p]}, {"variants", variants}});
  }
  header["pictures"] = pictures;
  std::cout << header.dump(2) << "\n";
}

}  // namespace

int run_classify(const std::vector<std::string>& args) {
  const ParsedArgs parsed(args, option_spec(classify_doc()), "classify");
  if (answered_help(parsed, classify_doc())) return 0;
  const bool onnx = parsed.has("onnx");
  std::vector<std::string> pictures = parsed.positional();
  if (!onnx && pictures.size() < 2) {
    throw UsageError(std::string("classify: expects RUN_DIR and at least one picture\n") +
                     command_help(classify_doc()));
  }
  if (onnx && pictures.empty())
    throw UsageError(std::string("classify: expects at least one picture\n") + command_help(classify_doc()));
  if (onnx && parsed.has("variants"))
    throw UsageError("classify: --variants is for a run; an ONNX file is one variant");
  if (onnx && parsed.has("weights"))
    throw UsageError("classify: --weights is for a run; an ONNX file holds the weights it was exported with");
  const Weights weights = weights_option(parsed, "classify");
  const int top = parsed.integer("top", 5, 1, 100000);

  Report report;
  std::vector<std::string> class_names;
  PictureBatch batch;
  nlohmann::json header;
  if (onnx) {
    const std::string path = parsed.text("onnx", "");
    const ExportedModel model = read_exported_model(path);
    OnnxNetwork net(read_whole_file(path), path);
    class_names = model.card.class_names;
    batch = prepare_pictures(pictures, model.card.transform);
    const int s = model.card.transform.input_size;
    report.variants = {model.card.variant};
    if (!batch.files.empty()) {
      report.logits.push_back(
          logits_in_chunks(batch, s, [&](const std::vector<float>& in, int n) { return net.logits(in, n, s); }));
      if (report.logits[0].size() != batch.files.size() * class_names.size()) {
        throw ExportError(path + ": the model gives " + std::to_string(report.logits[0].size() / batch.files.size()) +
                          " scores per picture, its description lists " + std::to_string(class_names.size()) +
                          " classes");
      }
    }
    header = {{"model", path}, {"runtime", "opencv-dnn"}};
  } else {
    const std::string run_dir = pictures.front();
    pictures.erase(pictures.begin());
    RunClassifier classifier(run_dir, split_list(parsed.text("variants", "")), weights);
    class_names = classifier.class_names();
    batch = prepare_pictures(pictures, classifier.transform());
    report.variants = classifier.variants();
    const int s = classifier.transform().input_size;
    for (std::size_t v = 0; v < report.variants.size() && !batch.files.empty(); ++v) {
      report.logits.push_back(
          logits_in_chunks(batch, s, [&](const std::vector<float>& in, int n) { return classifier.logits(v, in, n); }));
    }
    header = {{"run", run_dir},
              {"iteration", classifier.iteration()},
              {"weights", weights_name(weights)},
              {"runtime", "libtorch"}};
    if (weights == Weights::Best) {
      header["iterations"] = nlohmann::json::object();  // each variant's best is from its own iteration
      for (std::size_t v = 0; v < report.variants.size(); ++v)
        header["iterations"][report.variants[v]] = classifier.iteration_of(v);
    }
  }
  if (parsed.flag("json")) print_json(batch, report, class_names, top, header);
  else if (!batch.files.empty()) print_text(batch, report, class_names, top);
  if (batch.failed > 0) {
    std::cerr << "alexnet-lab: " << batch.failed << " of " << pictures.size() << " pictures could not be classified\n";
    return 1;
  }
  return 0;
}

}  // namespace alexnet::cli
