#include "sweep/sweep_space.h"

#include <cmath>
#include <random>
#include <stdexcept>

#include "spec/setting_override.h"

namespace alexnet {

namespace {

std::pair<std::string, std::string> split_name(const std::string& text, const char* what) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument(std::string(what) + " \"" + text +
                                "\" is not NAME=" + (std::string(what) == "--grid" ? "V1,V2,..." : "loguniform(A,B)"));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) parts.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

bool whole(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789-") == std::string::npos;
}

double bound(const std::string& text, const std::string& whole_text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !std::isfinite(v))
    throw std::invalid_argument("--space \"" + whole_text + "\": " + text + " is not a number");
  return v;
}

nlohmann::json draw(const SweepDimension& d, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  switch (d.kind) {
    case SweepDimension::Kind::Values:
      return d.values[std::size_t(rng() % d.values.size())];
    case SweepDimension::Kind::Uniform: {
      if (d.integer) return std::int64_t(d.low) + std::int64_t(rng() % std::uint64_t(d.high - d.low + 1));
      return d.low + unit(rng) * (d.high - d.low);
    }
    case SweepDimension::Kind::LogUniform: {
      const double v = std::exp(std::log(d.low) + unit(rng) * (std::log(d.high) - std::log(d.low)));
      if (d.integer) return std::int64_t(std::llround(v));
      // Three significant digits: a rate people can read and type again.
      char text[32];
      std::snprintf(text, sizeof text, "%.3g", v);
      return std::strtod(text, nullptr);
    }
  }
  return nullptr;
}

}  // namespace

SweepDimension parse_grid(const std::string& text) {
  const auto [name, list] = split_name(text, "--grid");
  SweepDimension d;
  d.name = name;
  for (const std::string& v : split_commas(list)) d.values.push_back(setting_value_from_text(v));
  if (d.values.empty()) throw std::invalid_argument("--grid \"" + text + "\" gives " + name + " no value");
  return d;
}

SweepDimension parse_range(const std::string& text) {
  const auto [name, spec] = split_name(text, "--space");
  SweepDimension d;
  d.name = name;
  const std::size_t open = spec.find('(');
  if (open == std::string::npos || spec.back() != ')')
    throw std::invalid_argument("--space \"" + text +
                                "\": expected loguniform(A,B), uniform(A,B) or choice(V1,V2,...)");
  const std::string kind = spec.substr(0, open);
  const std::vector<std::string> args = split_commas(spec.substr(open + 1, spec.size() - open - 2));
  if (kind == "choice") {
    d.kind = SweepDimension::Kind::Values;
    for (const std::string& v : args) d.values.push_back(setting_value_from_text(v));
    if (d.values.empty()) throw std::invalid_argument("--space \"" + text + "\": choice() of nothing");
    return d;
  }
  if (kind != "uniform" && kind != "loguniform")
    throw std::invalid_argument("--space \"" + text + "\": unknown distribution " + kind +
                                " (loguniform, uniform or choice)");
  if (args.size() != 2) throw std::invalid_argument("--space \"" + text + "\": " + kind + " takes two bounds (A,B)");
  d.kind = kind == "uniform" ? SweepDimension::Kind::Uniform : SweepDimension::Kind::LogUniform;
  d.low = bound(args[0], text);
  d.high = bound(args[1], text);
  d.integer = whole(args[0]) && whole(args[1]);
  if (!(d.low < d.high))
    throw std::invalid_argument("--space \"" + text + "\": the range is empty or inverted (" + args[0] +
                                " is not below " + args[1] + ")");
  if (d.kind == SweepDimension::Kind::LogUniform && d.low <= 0)
    throw std::invalid_argument("--space \"" + text + "\": loguniform needs positive bounds");
  return d;
}

std::vector<nlohmann::json> expand(const SweepSpace& space) {
  std::vector<nlohmann::json> combos = {nlohmann::json::object()};
  for (const SweepDimension& d : space.grid) {
    std::vector<nlohmann::json> next;
    for (const nlohmann::json& c : combos) {
      for (const nlohmann::json& v : d.values) {
        nlohmann::json t = c;
        t[d.name] = v;
        next.push_back(t);
      }
    }
    combos = std::move(next);
  }
  if (space.random.empty() || space.samples <= 0) return combos;
  std::mt19937_64 rng(space.seed ^ 0x5eedf00dULL);
  std::vector<nlohmann::json> trials;
  for (const nlohmann::json& c : combos) {
    for (int s = 0; s < space.samples; ++s) {
      nlohmann::json t = c;
      for (const SweepDimension& d : space.random) t[d.name] = draw(d, rng);
      trials.push_back(t);
    }
  }
  return trials;
}

ExperimentConfig trial_config(const ExperimentConfig& base, const nlohmann::json& settings) {
  ExperimentConfig c = base;
  for (const auto& [name, value] : settings.items()) apply_setting(c, name, value);
  return c;
}

void validate_space(const SweepSpace& space, const ExperimentConfig& base, std::size_t max_trials) {
  if (space.grid.empty() && space.random.empty())
    throw std::invalid_argument("the sweep has no space: give --grid NAME=V1,V2,... or --random N --space NAME=...");
  if (!space.random.empty() && space.samples <= 0)
    throw std::invalid_argument("--space draws at random: say how many trials with --random N");
  if (space.random.empty() && space.samples > 0)
    throw std::invalid_argument("--random N draws from --space NAME=...: give at least one");
  std::vector<std::string> seen;
  for (const auto* list : {&space.grid, &space.random}) {
    for (const SweepDimension& d : *list) {
      for (const std::string& s : seen)
        if (s == d.name) throw std::invalid_argument("the sweep names " + d.name + " twice");
      seen.push_back(d.name);
      std::vector<nlohmann::json> probes = d.values;
      if (d.kind != SweepDimension::Kind::Values) {
        probes = {d.integer ? nlohmann::json(std::int64_t(d.low)) : nlohmann::json(d.low),
                  d.integer ? nlohmann::json(std::int64_t(d.high)) : nlohmann::json(d.high)};
      }
      for (const nlohmann::json& v : probes) {
        ExperimentConfig c = base;
        apply_setting(c, d.name, v);  // throws naming the setting and the value
      }
    }
  }
  double count = 1;
  for (const SweepDimension& d : space.grid) count *= double(d.values.size());
  if (!space.random.empty()) count *= space.samples;
  if (count > double(max_trials))
    throw std::invalid_argument("the sweep would run " + std::to_string(std::int64_t(count)) + " trials; at most " +
                                std::to_string(max_trials));
}

namespace {

nlohmann::json dimension_to_json(const SweepDimension& d) {
  nlohmann::json j = {{"name", d.name}};
  switch (d.kind) {
    case SweepDimension::Kind::Values:
      j["values"] = d.values;
      break;
    case SweepDimension::Kind::Uniform:
    case SweepDimension::Kind::LogUniform:
      j["distribution"] = d.kind == SweepDimension::Kind::Uniform ? "uniform" : "loguniform";
      j["low"] = d.low;
      j["high"] = d.high;
      j["integer"] = d.integer;
      break;
  }
  return j;
}

SweepDimension dimension_from_json(const nlohmann::json& j) {
  SweepDimension d;
  d.name = j.at("name").get<std::string>();
  if (j.contains("values")) {
    for (const auto& v : j.at("values")) d.values.push_back(v);
    if (d.values.empty()) throw std::invalid_argument("sweep.json: " + d.name + " has no values");
    return d;
  }
  const std::string kind = j.at("distribution").get<std::string>();
  if (kind != "uniform" && kind != "loguniform")
    throw std::invalid_argument("sweep.json: unknown distribution " + kind);
  d.kind = kind == "uniform" ? SweepDimension::Kind::Uniform : SweepDimension::Kind::LogUniform;
  d.low = j.at("low").get<double>();
  d.high = j.at("high").get<double>();
  d.integer = j.value("integer", false);
  if (!(d.low < d.high) || (d.kind == SweepDimension::Kind::LogUniform && d.low <= 0))
    throw std::invalid_argument("sweep.json: the range of " + d.name + " is empty, inverted or not positive");
  return d;
}

}  // namespace

nlohmann::json space_to_json(const SweepSpace& space) {
  nlohmann::json grid = nlohmann::json::array(), random = nlohmann::json::array();
  for (const SweepDimension& d : space.grid) grid.push_back(dimension_to_json(d));
  for (const SweepDimension& d : space.random) random.push_back(dimension_to_json(d));
  return {{"grid", grid}, {"random", random}, {"samples", space.samples}, {"seed", space.seed}};
}

SweepSpace space_from_json(const nlohmann::json& j) {
  SweepSpace s;
  for (const auto& d : j.at("grid")) s.grid.push_back(dimension_from_json(d));
  for (const auto& d : j.at("random")) s.random.push_back(dimension_from_json(d));
  s.samples = j.at("samples").get<int>();
  s.seed = j.at("seed").get<std::uint64_t>();
  return s;
}

std::string describe_settings(const nlohmann::json& settings) {
  std::string text;
  for (const auto& [name, value] : settings.items()) {
    if (!text.empty()) text += ", ";
    text += name + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

}  // namespace alexnet
