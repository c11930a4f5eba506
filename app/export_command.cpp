#include "export_command.h"

#include <iostream>

#include "command_line.h"
#include "export/onnx_export.h"
#include "gui_app.h"

namespace alexnet::cli {

const CommandDoc& export_doc() {
  static const CommandDoc doc{
      "usage: alexnet-lab export RUN_DIR [--png OUT_DIR] [--pdf OUT_DIR] [--svg OUT_DIR] [--onnx OUT_DIR]\n",
      {{"",
        {{"png", "OUT_DIR",
          "re-draw every plot of a saved run (loss, filters, activations, dead units, confusion matrices) as "
          "PNG files (1920 x 1080) in OUT_DIR, with the run's metrics.csv and results.json next to them"},
         {"pdf", "OUT_DIR", "the same as PDF files"},
         {"svg", "OUT_DIR", "the same as SVG files (vectors)"},
         {"onnx", "OUT_DIR",
          "each variant as VARIANT.onnx, and VARIANT.json beside it (class names, input size, normalisation, "
          "how to prepare a picture); opens in Netron, OpenCV DNN, ONNX Runtime"},
         {"variants", "LIST", "with --onnx: only these variants (default: all)"},
         {"weights", "W", "with --onnx: last (default: the end of training) or best (by validation accuracy)"}}}}};
  return doc;
}

int run_export(const std::vector<std::string>& args) {
  const ParsedArgs parsed(args, option_spec(export_doc()), "export");
  if (answered_help(parsed, export_doc())) return 0;
  const bool any = parsed.has("png") || parsed.has("pdf") || parsed.has("svg") || parsed.has("onnx");
  if (parsed.positional().size() != 1 || !any) {
    throw UsageError(std::string("export: expects RUN_DIR and at least one of --png, --pdf, --svg, --onnx OUT_DIR\n") +
                     command_help(export_doc()));
  }
  if (parsed.has("variants") && !parsed.has("onnx")) throw UsageError("export: --variants goes with --onnx");
  if (parsed.has("weights") && !parsed.has("onnx")) throw UsageError("export: --weights goes with --onnx");
  const Weights weights = weights_option(parsed, "export");
  const std::string run_dir = parsed.positional()[0];
  for (const char* format : {"png", "pdf", "svg"}) {
    if (!parsed.has(format)) continue;
    const std::string out = parsed.text(format, "");
    const auto files = export_run_pictures(run_dir, out, format);
    std::cout << "wrote " << files.size() << " files (" << format << " plots, metrics.csv, results.json) to " << out
              << "\n";
  }
  if (parsed.has("onnx")) {
    const std::string out = parsed.text("onnx", "");
    const auto written = export_run_onnx(
        run_dir, out, split_list(parsed.text("variants", "")),
        [](int done, int total, const std::string& variant) {
          if (!variant.empty()) {
            std::cerr << "exporting " << variant << " (" << done + 1 << " of " << total << ")\n";
          }
        },
        weights);
    for (const OnnxExport& e : written) {
      std::cout << "wrote " << e.onnx_path << " (" << (e.bytes + 512 * 1024) / (1024 * 1024) << " MB, checked) and "
                << e.card_path << "\n";
    }
  }
  return 0;
}

}  // namespace alexnet::cli
