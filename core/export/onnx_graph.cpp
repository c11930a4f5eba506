#include "export/onnx_graph.h"

#include <cmath>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

namespace alexnet {

namespace {

// IR version 7 is the one that goes with opset 13 (ONNX 1.8); readers of newer
// files read it too.
constexpr std::int64_t kIrVersion = 7;

class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  // A fresh tensor name for a node's output.
  std::string name(const std::string& stem) { return stem + "_" + std::to_string(counter_++); }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output,
                        const std::string& node_name) {
    onnx::NodeProto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(node_name);
    for (const std::string& in : inputs) n->add_input(in);
    n->add_output(output);
    return n;
  }

  void initializer(const std::string& tensor_name, const std::vector<std::int64_t>& shape, const float* data,
                   std::size_t count) {
    onnx::TensorProto* t = graph_->add_initializer();
    t->set_name(tensor_name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (std::int64_t d : shape) t->add_dims(d);
    // raw_data is little-endian float32, which is what this machine holds.
    t->set_raw_data(std::string(reinterpret_cast<const char*>(data), count * sizeof(float)));
  }

  std::string scalar(const std::string& tensor_name, float value) {
    initializer(tensor_name, {}, &value, 1);
    return tensor_name;
  }

 private:
  onnx::GraphProto* graph_;
  int counter_ = 0;
};

void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<std::int64_t>& values) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (std::int64_t v : values) a->add_ints(v);
}

void set_int(onnx::NodeProto* n, const std::string& name, std::int64_t value) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void set_float(onnx::NodeProto* n, const std::string& name, float value) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

void tensor_value(onnx::ValueInfoProto* v, const std::string& name, const std::vector<std::int64_t>& dims) {
  v->set_name(name);
  onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::TensorShapeProto* shape = t->mutable_shape();
  shape->add_dim()->set_dim_param("batch");  // any number of pictures at once
  for (std::int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

// The activation after layer `layer`, as ONNX ops; returns the output's name.
std::string activation(GraphBuilder& g, Activation a, const std::string& x, const std::string& layer) {
  const std::string out = layer + "_" + activation_name(a);
  switch (a) {
    case Activation::ReLU:
      g.node("Relu", {x}, out, out);
      break;
    case Activation::Tanh:
      g.node("Tanh", {x}, out, out);
      break;
    case Activation::LeakyReLU:
      set_float(g.node("LeakyRelu", {x}, out, out), "alpha", 0.01f);
      break;  // torch's default
    case Activation::ELU:
      set_float(g.node("Elu", {x}, out, out), "alpha", 1.0f);
      break;
    case Activation::GELU: {
      // torch's exact GELU: 0.5 · x · (1 + erf(x / √2)). ONNX has no Gelu before opset 20.
      const std::string scaled = g.name(layer + "_gelu_div");
      g.node("Div", {x, g.scalar(layer + "_sqrt2", static_cast<float>(std::sqrt(2.0)))}, scaled, scaled);
      const std::string erf = g.name(layer + "_gelu_erf");
      g.node("Erf", {scaled}, erf, erf);
      const std::string plus = g.name(layer + "_gelu_add");
      g.node("Add", {erf, g.scalar(layer + "_one", 1.0f)}, plus, plus);
      const std::string times = g.name(layer + "_gelu_mul");
      g.node("Mul", {x, plus}, times, times);
      g.node("Mul", {times, g.scalar(layer + "_half", 0.5f)}, out, out);
      break;
    }
  }
  return out;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s;
  for (std::int64_t d : shape) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

// The weights of one layer, checked against the shape the spec implies.
const LayerWeights& layer_weights(const std::vector<LayerWeights>& layers, std::size_t index, const std::string& name,
                                  const std::vector<std::int64_t>& shape) {
  if (index >= layers.size() || layers[index].name != name) {
    throw ExportError("the weights do not match the spec: layer " + name + " is missing or out of order");
  }
  const LayerWeights& w = layers[index];
  std::int64_t count = 1;
  for (std::int64_t d : shape) count *= d;
  if (w.weight_shape != shape || static_cast<std::int64_t>(w.weight.size()) != count ||
      static_cast<std::int64_t>(w.bias.size()) != shape[0]) {
    throw ExportError("the weights of " + name + " have shape " + shape_text(w.weight_shape) + ", the spec needs " +
                      shape_text(shape));
  }
  return w;
}

}  // namespace

std::string build_onnx_model(const VariantSpec& spec, const std::vector<LayerWeights>& layers,
                             const std::map<std::string, std::string>& metadata) {
  try {
    validate(spec);
  } catch (const SpecError& e) {
    throw ExportError(std::string("cannot export: ") + e.what());
  }
  const ShapeReport shapes = infer_shapes(spec);
  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("AlexNet Lab");
  model.set_model_version(1);
  model.set_doc_string(spec.name + (spec.description.empty() ? "" : ": " + spec.description));
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  for (const auto& [key, value] : metadata) {
    onnx::StringStringEntryProto* entry = model.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
  }

  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name(spec.name);
  GraphBuilder g(graph);
  tensor_value(graph->add_input(), kOnnxInputName, {spec.input_channels, spec.input_size, spec.input_size});

  std::string x = kOnnxInputName;
  std::size_t index = 0;
  int channels = spec.input_channels;
  for (const ConvBlockSpec& c : spec.convs) {
    const LayerWeights& w = layer_weights(layers, index++, c.name, {c.filters, channels, c.kernel, c.kernel});
    g.initializer(c.name + ".weight", w.weight_shape, w.weight.data(), w.weight.size());
    g.initializer(c.name + ".bias", {c.filters}, w.bias.data(), w.bias.size());
    onnx::NodeProto* conv = g.node("Conv", {x, c.name + ".weight", c.name + ".bias"}, c.name, c.name);
    set_ints(conv, "kernel_shape", {c.kernel, c.kernel});
    set_ints(conv, "strides", {c.stride, c.stride});
    set_ints(conv, "pads", {c.padding, c.padding, c.padding, c.padding});
    x = activation(g, spec.activation, c.name, c.name);
    if (c.lrn) {
      // ONNX's LRN divides by (bias + alpha/size · Σx²)^beta over a centred
      // window of `size` channels: torch's LocalResponseNorm exactly.
      const std::string out = c.name + "_lrn";
      onnx::NodeProto* lrn = g.node("LRN", {x}, out, out);
      set_int(lrn, "size", kLrnSize);
      set_float(lrn, "alpha", static_cast<float>(kLrnAlpha));
      set_float(lrn, "beta", static_cast<float>(kLrnBeta));
      set_float(lrn, "bias", static_cast<float>(kLrnK));
      x = out;
    }
    if (c.pool) {
      const std::string out = c.name + "_pool";
      onnx::NodeProto* pool = g.node("MaxPool", {x}, out, out);
      set_ints(pool, "kernel_shape", {kPoolKernel, kPoolKernel});
      set_ints(pool, "strides", {kPoolStride, kPoolStride});
      x = out;
    }
    channels = c.filters;
  }
  const LayerShape& last_conv = shapes.layers[spec.convs.size() - 1];
  std::int64_t features = static_cast<std::int64_t>(last_conv.channels) * last_conv.height * last_conv.width;
  set_int(g.node("Flatten", {x}, "flatten", "flatten"), "axis", 1);
  x = "flatten";

  std::vector<std::pair<std::string, std::int64_t>> fcs;
  for (const FcLayerSpec& f : spec.hidden_fc) fcs.emplace_back(f.name, f.units);
  fcs.emplace_back(spec.classifier_name, spec.classes);
  for (std::size_t i = 0; i < fcs.size(); ++i) {
    const auto& [name, units] = fcs[i];
    const bool classifier = i + 1 == fcs.size();
    const LayerWeights& w = layer_weights(layers, index++, name, {units, features});
    g.initializer(name + ".weight", w.weight_shape, w.weight.data(), w.weight.size());
    g.initializer(name + ".bias", {units}, w.bias.data(), w.bias.size());
    const std::string out = classifier ? kOnnxOutputName : name;
    set_int(g.node("Gemm", {x, name + ".weight", name + ".bias"}, out, name), "transB", 1);
    x = classifier ? out : activation(g, spec.activation, out, name);  // dropout is identity at inference
    features = units;
  }
  if (index != layers.size()) throw ExportError("the weights name more layers than the spec " + spec.name + " has");
  tensor_value(graph->add_output(), kOnnxOutputName, {spec.classes});

  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw ExportError("cannot serialise the ONNX model of " + spec.name);
  check_onnx_model(bytes, spec.name + ".onnx");
  return bytes;
}

void check_onnx_model(const std::string& bytes, const std::string& what) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) throw ExportError(what + ": not an ONNX model (the protobuf does not parse)");
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw ExportError(what + ": the ONNX checker refuses it: " + e.what());
  }
}

}  // namespace alexnet
