#include "spec/setting_override.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "spec/variant_spec.h"

namespace alexnet {

namespace {

// VARIANT.FIELD or VARIANT.LAYER.FIELD of one of the experiment's variants.
void apply_spec_field(ExperimentConfig& c, const std::string& name, const nlohmann::json& value) {
  const std::size_t dot = name.find('.');
  const std::string variant = name.substr(0, dot), rest = name.substr(dot + 1);
  const auto v =
      std::find_if(c.variants.begin(), c.variants.end(), [&](const VariantSpec& s) { return s.name == variant; });
  if (v == c.variants.end()) throw std::invalid_argument("the experiment has no variant " + variant);
  const std::size_t second = rest.find('.');
  if (second == std::string::npos) {
    if (rest == "activation") v->activation = activation_from_name(value.get<std::string>());
    else if (rest == "dropout") v->dropout = value.get<double>();
    else throw std::invalid_argument(variant + " has no field " + rest + " (activation, dropout, or LAYER.FIELD)");
    return;
  }
  const std::string layer = rest.substr(0, second), field = rest.substr(second + 1);
  for (ConvBlockSpec& conv : v->convs) {
    if (conv.name != layer) continue;
    if (field == "filters") conv.filters = value.get<int>();
    else if (field == "kernel") conv.kernel = value.get<int>();
    else if (field == "stride") conv.stride = value.get<int>();
    else if (field == "padding") conv.padding = value.get<int>();
    else if (field == "lrn") conv.lrn = value.get<bool>();
    else if (field == "pool") conv.pool = value.get<bool>();
    else throw std::invalid_argument(layer + " is a convolution: filters, kernel, stride, padding, lrn or pool");
    return;
  }
  for (FcLayerSpec& fc : v->hidden_fc) {
    if (fc.name != layer) continue;
    if (field == "units") fc.units = value.get<int>();
    else throw std::invalid_argument(layer + " is a fully connected layer: its field is units");
    return;
  }
  std::string layers;
  for (const ConvBlockSpec& conv : v->convs) layers += (layers.empty() ? "" : ", ") + conv.name;
  for (const FcLayerSpec& fc : v->hidden_fc) layers += ", " + fc.name;
  throw std::invalid_argument(variant + " has no layer " + layer + " (it has " + layers + ")");
}

}  // namespace

const std::vector<std::string>& setting_names() {
  static const std::vector<std::string> names = {
      "lr",      "init", "optimizer",       "schedule",   "momentum",   "weight-decay", "batch", "iterations",
      "augment", "flip", "label-smoothing", "input-size", "early-stop", "validation",   "seed"};
  return names;
}

void apply_setting(ExperimentConfig& c, const std::string& name, const nlohmann::json& value) {
  try {
    if (name == "lr") c.learning_rate = value.get<double>();
    else if (name == "init") c.init = init_scheme_from_name(value.get<std::string>());
    else if (name == "optimizer") c.optimizer = optimizer_from_name(value.get<std::string>());
    else if (name == "schedule") c.schedule = schedule_from_name(value.get<std::string>());
    else if (name == "momentum") c.momentum = value.get<double>();
    else if (name == "weight-decay") c.weight_decay = value.get<double>();
    else if (name == "batch") c.batch_size = value.get<int>();
    else if (name == "iterations") c.iterations = value.get<std::int64_t>();
    else if (name == "augment") c.augment = value.get<bool>();
    else if (name == "flip") c.flip = value.get<bool>();
    else if (name == "label-smoothing") c.label_smoothing = value.get<double>();
    else if (name == "input-size") c.input_size = value.get<int>();
    else if (name == "early-stop") c.early_stop = value.get<std::int64_t>();
    else if (name == "validation") c.validation = value.get<double>();
    else if (name == "seed") c.seed = value.get<std::uint64_t>();
    else if (name.find('.') != std::string::npos) apply_spec_field(c, name, value);
    else {
      std::string known;
      for (const std::string& n : setting_names()) known += (known.empty() ? "" : ", ") + n;
      throw std::invalid_argument("unknown setting (known: " + known +
                                  ", and VARIANT.activation, VARIANT.dropout, VARIANT.LAYER.FIELD)");
    }
    // The changed variants must still build, each at the experiment's input size.
    if (name == "input-size" || name.find('.') != std::string::npos) {
      for (VariantSpec& v : c.variants) {
        v.input_size = c.input_size;
        validate(v);
      }
    }
    c.validate();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument("the setting " + name + " has a value of the wrong type: " + value.dump());
  } catch (const std::exception& e) {
    throw std::invalid_argument("cannot set " + name + " = " + value.dump() + ": " + e.what());
  }
}

nlohmann::json setting_value_from_text(const std::string& text) {
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_discarded() && (parsed.is_number() || parsed.is_boolean())) return parsed;
  return text;
}

}  // namespace alexnet
