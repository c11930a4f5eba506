#include "spec/spec_json.h"

#include "io/json_text.h"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace alexnet {

using nlohmann::json;

namespace {

void refuse_unknown_keys(const json& object, const std::set<std::string>& known, const std::string& where) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (!known.count(it.key())) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      throw SpecError("unknown key \"" + it.key() + "\"" + where + " (known keys: " + list + ")");
    }
  }
}

const json& require_object(const json& j, const std::string& what) {
  if (!j.is_object()) throw SpecError(what + " must be a JSON object");
  return j;
}

int get_int(const json& object, const std::string& key, const std::string& path, int fallback, bool required = false) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) throw SpecError("missing key \"" + path + key + "\"");
    return fallback;
  }
  if (!it->is_number_integer()) throw SpecError("\"" + path + key + "\" must be an integer");
  const auto v = it->get<std::int64_t>();
  if (v < -1000000000LL || v > 1000000000LL) throw SpecError("\"" + path + key + "\" is out of range");
  return static_cast<int>(v);
}

bool get_bool(const json& object, const std::string& key, const std::string& path, bool fallback) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_boolean()) throw SpecError("\"" + path + key + "\" must be true or false");
  return it->get<bool>();
}

std::string get_string(const json& object, const std::string& key, const std::string& path,
                       const std::string& fallback) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_string()) throw SpecError("\"" + path + key + "\" must be a string");
  return it->get<std::string>();
}

VariantSpec parse(const json& j) {
  require_object(j, "a spec");
  refuse_unknown_keys(j,
                      {"name", "description", "input_size", "input_channels", "classes", "activation", "dropout",
                       "conv", "fc", "classifier_name"},
                      "");
  VariantSpec spec;
  spec.name = get_string(j, "name", "", "");
  spec.description = get_string(j, "description", "", "");
  spec.input_size = get_int(j, "input_size", "", 64);
  spec.input_channels = get_int(j, "input_channels", "", 3);
  spec.classes = get_int(j, "classes", "", 10);
  spec.activation = activation_from_name(get_string(j, "activation", "", "relu"));
  if (auto it = j.find("dropout"); it != j.end()) {
    if (!it->is_number()) throw SpecError("\"dropout\" must be a number");
    spec.dropout = it->get<double>();
  }
  auto conv = j.find("conv");
  if (conv == j.end()) throw SpecError("missing key \"conv\" (a list of conv blocks)");
  if (!conv->is_array()) throw SpecError("\"conv\" must be a list of conv blocks");
  for (std::size_t i = 0; i < conv->size(); ++i) {
    const std::string path = "conv[" + std::to_string(i) + "].";
    const json& c = require_object((*conv)[i], "\"conv[" + std::to_string(i) + "]\"");
    refuse_unknown_keys(c, {"name", "filters", "kernel", "stride", "padding", "lrn", "pool"},
                        " in conv[" + std::to_string(i) + "]");
    ConvBlockSpec block;
    block.name = get_string(c, "name", path, "conv" + std::to_string(i + 1));
    block.filters = get_int(c, "filters", path, 0, true);
    block.kernel = get_int(c, "kernel", path, 0, true);
    block.stride = get_int(c, "stride", path, 1);
    block.padding = get_int(c, "padding", path, 0);
    block.lrn = get_bool(c, "lrn", path, false);
    block.pool = get_bool(c, "pool", path, false);
    spec.convs.push_back(block);
  }
  const int first_fc_number = static_cast<int>(spec.convs.size()) + 1;
  if (auto fc = j.find("fc"); fc != j.end()) {
    if (!fc->is_array()) throw SpecError("\"fc\" must be a list of hidden FC layers");
    for (std::size_t i = 0; i < fc->size(); ++i) {
      const std::string path = "fc[" + std::to_string(i) + "].";
      FcLayerSpec layer;
      layer.name = "fc" + std::to_string(first_fc_number + static_cast<int>(i));
      const json& f = (*fc)[i];
      if (f.is_number_integer()) {
        layer.units = get_int(json{{"units", f}}, "units", path, 0, true);
      } else {
        require_object(f, "\"fc[" + std::to_string(i) + "]\"");
        refuse_unknown_keys(f, {"name", "units"}, " in fc[" + std::to_string(i) + "]");
        layer.name = get_string(f, "name", path, layer.name);
        layer.units = get_int(f, "units", path, 0, true);
      }
      spec.hidden_fc.push_back(layer);
    }
  }
  spec.classifier_name = get_string(j, "classifier_name", "",
                                    "fc" + std::to_string(first_fc_number + static_cast<int>(spec.hidden_fc.size())));
  return spec;
}

}  // namespace

VariantSpec spec_from_json(const json& j, const std::string& origin) {
  try {
    VariantSpec spec = parse(j);
    validate(spec);
    return spec;
  } catch (const SpecError& e) {
    throw SpecError(origin + ": " + e.what());
  } catch (const json::exception& e) {
    throw SpecError(origin + ": " + e.what());
  }
}

VariantSpec spec_from_json_text(const std::string& text, const std::string& origin) {
  json j;
  try {
    j = parse_bounded_json(text);
  } catch (const json::exception& e) {  // parse errors, and numbers too large for a double
    throw SpecError(origin + ": not valid JSON: " + e.what());
  }
  return spec_from_json(j, origin);
}

VariantSpec spec_from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SpecError(path + ": cannot open the spec file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SpecError(path + ": cannot read the spec file");
  return spec_from_json_text(text.str(), path);
}

json spec_to_json(const VariantSpec& spec) {
  json conv = json::array();
  for (const ConvBlockSpec& c : spec.convs) {
    conv.push_back({{"name", c.name},
                    {"filters", c.filters},
                    {"kernel", c.kernel},
                    {"stride", c.stride},
                    {"padding", c.padding},
                    {"lrn", c.lrn},
                    {"pool", c.pool}});
  }
  json fc = json::array();
  for (const FcLayerSpec& f : spec.hidden_fc) fc.push_back({{"name", f.name}, {"units", f.units}});
  json j = {{"name", spec.name},
            {"input_size", spec.input_size},
            {"input_channels", spec.input_channels},
            {"classes", spec.classes},
            {"activation", activation_name(spec.activation)},
            {"dropout", spec.dropout},
            {"conv", conv},
            {"fc", fc},
            {"classifier_name", spec.classifier_name}};
  if (!spec.description.empty()) j["description"] = spec.description;
  return j;
}

}  // namespace alexnet
