#include "spec/variant_spec.h"

#include <set>
#include <sstream>

namespace alexnet {

std::string activation_name(Activation a) {
  switch (a) {
    case Activation::ReLU:
      return "relu";
    case Activation::Tanh:
      return "tanh";
    case Activation::LeakyReLU:
      return "leaky_relu";
    case Activation::ELU:
      return "elu";
    case Activation::GELU:
      return "gelu";
  }
  return "relu";
}

Activation activation_from_name(const std::string& name) {
  for (Activation a : {Activation::ReLU, Activation::Tanh, Activation::LeakyReLU, Activation::ELU, Activation::GELU}) {
    if (activation_name(a) == name) return a;
  }
  throw SpecError("unknown activation \"" + name + "\" (expected relu, tanh, leaky_relu, elu or gelu)");
}

namespace {

// Output size of a convolution or pooling window; <= 0 means nothing is left.
int window_output(int input, int kernel, int stride, int padding) {
  const int span = input + 2 * padding - kernel;
  if (span < 0) return 0;
  return span / stride + 1;
}

struct ShrinkFailure {
  std::string where;  // "conv3", "pool after conv5"
};

// Returns the report, or fills `failure` with the first layer whose output is empty.
ShapeReport walk(const VariantSpec& spec, ShrinkFailure* failure) {
  ShapeReport report;
  const std::string act = activation_name(spec.activation);
  int channels = spec.input_channels;
  int size = spec.input_size;
  for (const ConvBlockSpec& c : spec.convs) {
    LayerShape l;
    l.name = c.name;
    std::ostringstream kind;
    kind << "conv " << c.kernel << "x" << c.kernel;
    if (c.stride != 1) kind << "/" << c.stride;
    if (c.padding != 0) kind << " pad " << c.padding;
    kind << " + " << act;
    if (c.lrn) kind << " + lrn";
    if (c.pool) kind << " + pool";
    l.kind = kind.str();
    l.parameters = static_cast<std::int64_t>(c.filters) * channels * c.kernel * c.kernel + c.filters;
    size = window_output(size, c.kernel, c.stride, c.padding);
    if (size <= 0) {
      if (failure) failure->where = c.name;
      return report;
    }
    if (c.pool) {
      size = window_output(size, kPoolKernel, kPoolStride, 0);
      if (size <= 0) {
        if (failure) failure->where = "the pool after " + c.name;
        return report;
      }
    }
    channels = c.filters;
    l.channels = channels;
    l.height = l.width = size;
    report.layers.push_back(l);
    report.total_parameters += l.parameters;
  }
  std::int64_t features = static_cast<std::int64_t>(channels) * size * size;
  auto add_fc = [&](const std::string& name, int units, bool hidden) {
    LayerShape l;
    l.name = name;
    l.kind = hidden ? "fc + " + act + (spec.dropout > 0 ? " + dropout" : "") : "fc (classifier)";
    l.channels = units;
    l.parameters = features * units + units;
    l.has_activation = hidden;
    features = units;
    report.layers.push_back(l);
    report.total_parameters += l.parameters;
  };
  for (const FcLayerSpec& f : spec.hidden_fc) add_fc(f.name, f.units, true);
  add_fc(spec.classifier_name, spec.classes, false);
  return report;
}

void require_positive(int value, const std::string& what) {
  if (value <= 0) {
    throw SpecError(what + " must be positive, got " + std::to_string(value));
  }
}

}  // namespace

int smallest_working_input_size(VariantSpec spec) {
  for (int s = 1; s <= 4096; ++s) {
    spec.input_size = s;
    ShrinkFailure failure;
    walk(spec, &failure);
    if (failure.where.empty()) return s;
  }
  return 0;
}

ShapeReport infer_shapes(const VariantSpec& spec) {
  ShrinkFailure failure;
  ShapeReport report = walk(spec, &failure);
  if (!failure.where.empty()) {
    std::ostringstream msg;
    msg << "variant \"" << spec.name << "\": the feature map shrinks to nothing at " << failure.where
        << " with input size " << spec.input_size << "; ";
    const int smallest = smallest_working_input_size(spec);
    if (smallest > 0) {
      msg << "the smallest input size that works is " << smallest;
    } else {
      msg << "no input size up to 4096 works";
    }
    throw SpecError(msg.str());
  }
  return report;
}

void validate(const VariantSpec& spec) {
  const std::string where = "variant \"" + spec.name + "\": ";
  if (spec.name.empty()) throw SpecError("a variant needs a non-empty \"name\"");
  try {
    require_positive(spec.input_size, "input_size");
    require_positive(spec.input_channels, "input_channels");
    require_positive(spec.classes, "classes");
    if (spec.input_size > 4096)
      throw SpecError("input_size " + std::to_string(spec.input_size) + " is larger than 4096");
    if (spec.classes < 2) throw SpecError("classes must be at least 2");
    if (!(spec.dropout >= 0.0 && spec.dropout < 1.0)) {
      throw SpecError("dropout must be in [0, 1), got " + std::to_string(spec.dropout));
    }
    if (spec.convs.empty()) throw SpecError("at least one conv layer is needed (the first-layer filters are probed)");
    std::set<std::string> names;
    auto check_name = [&](const std::string& name) {
      if (name.empty()) throw SpecError("every layer needs a name");
      if (!names.insert(name).second) throw SpecError("layer name \"" + name + "\" is used twice");
    };
    for (const ConvBlockSpec& c : spec.convs) {
      check_name(c.name);
      require_positive(c.filters, c.name + ".filters");
      require_positive(c.kernel, c.name + ".kernel");
      require_positive(c.stride, c.name + ".stride");
      if (c.padding < 0) throw SpecError(c.name + ".padding must not be negative");
      if (c.filters > 65536 || c.kernel > 4096) throw SpecError(c.name + " is absurdly large");
    }
    for (const FcLayerSpec& f : spec.hidden_fc) {
      check_name(f.name);
      require_positive(f.units, f.name + ".units");
      if (f.units > 1000000) throw SpecError(f.name + ".units is absurdly large");
    }
    check_name(spec.classifier_name);
  } catch (const SpecError& e) {
    throw SpecError(where + e.what());
  }
  const ShapeReport report = infer_shapes(spec);
  if (report.total_parameters > kMaxParameters) {
    throw SpecError(where + "has " + std::to_string(report.total_parameters) +
                    " parameters, more than the limit of 10^9");
  }
}

}  // namespace alexnet
