#include "describe_command.h"

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "option_table.h"
#include "spec/presets.h"

namespace alexnet::cli {

const CommandDoc& describe_doc() {
  static const CommandDoc doc{
      "usage: alexnet-lab describe VARIANT [options]\n"
      "  VARIANT is a preset (original, tanh, small, no-conv2, no-conv345, one-fc)\n"
      "  or the path of a JSON spec file. Prints the layer table and parameter count.\n",
      {{"",
        {{"input-size", "S", "the input size S x S (default 64)"},
         {"classes", "N", "classes of the output layer (default 10)"}}}}};
  return doc;
}

namespace {

std::string with_thousands(std::int64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

std::string shape_text(const LayerShape& l) {
  std::ostringstream s;
  s << l.channels;
  if (l.height > 1 || l.width > 1 || l.kind.rfind("conv", 0) == 0) s << " x " << l.height << " x " << l.width;
  return s.str();
}

}  // namespace

int run_describe(const std::vector<std::string>& args) {
  const ParsedArgs parsed(args, option_spec(describe_doc()), "describe");
  if (answered_help(parsed, describe_doc())) return 0;
  if (parsed.positional().size() != 1)
    throw UsageError(std::string("describe: expects one VARIANT\n") + command_help(describe_doc()));
  const int input_size = parsed.integer("input-size", 0, 1, 4096);
  const int classes = parsed.integer("classes", 0, 2, 1000000);
  const VariantSpec spec = resolve_variant(parsed.positional()[0], input_size, classes);
  const ShapeReport report = infer_shapes(spec);

  std::cout << spec.name;
  if (!spec.description.empty()) std::cout << " - " << spec.description;
  std::cout << "\ninput 3 x " << spec.input_size << " x " << spec.input_size << ", " << spec.classes
            << " classes, activation " << activation_name(spec.activation) << ", dropout " << spec.dropout << "\n\n";
  std::cout << std::left << std::setw(8) << "layer" << std::setw(42) << "kind" << std::setw(18) << "output"
            << std::right << std::setw(14) << "parameters"
            << "\n";
  for (const LayerShape& l : report.layers) {
    std::cout << std::left << std::setw(8) << l.name << std::setw(42) << l.kind << std::setw(18) << shape_text(l)
              << std::right << std::setw(14) << with_thousands(l.parameters) << "\n";
  }
  std::cout << "\ntotal parameters: " << with_thousands(report.total_parameters) << "\n";
  return 0;
}

}  // namespace alexnet::cli
