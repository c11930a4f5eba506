#include "command_line.h"

#include <sstream>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace alexnet::cli {

ParsedArgs::ParsedArgs(const std::vector<std::string>& args, const OptionSpec& spec, const std::string& command)
    : command_(command) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (a.size() > 1 && a[0] == '-' && a != "-") {
        throw UsageError(command_ + ": unknown option " + a + " (try --help)");
      }
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::string value;
    bool inline_value = false;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (spec.flags.count(name)) {
      if (inline_value) throw UsageError(command_ + ": --" + name + " takes no value");
      values_[name] = "";
    } else if (spec.with_value.count(name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) throw UsageError(command_ + ": --" + name + " needs a value");
        value = args[++i];
      }
      values_[name] = value;
      every_value_[name].push_back(value);
    } else {
      throw UsageError(command_ + ": unknown option --" + name + " (try --help)");
    }
  }
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
  const auto it = every_value_.find(name);
  return it == every_value_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> split_list(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream s(text);
  std::string part;
  while (std::getline(s, part, separator)) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

std::vector<std::string> ParsedArgs::option_names() const {
  std::vector<std::string> names;
  for (const auto& entry : values_) names.push_back(entry.first);
  return names;
}

std::string ParsedArgs::text(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

int ParsedArgs::integer(const std::string& name, int fallback, int min, int max) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || errno != 0) {
    throw UsageError(command_ + ": --" + name + " expects a whole number, got \"" + it->second + "\"");
  }
  if (v < min || v > max) {
    throw UsageError(command_ + ": --" + name + " must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + ", got " + it->second);
  }
  return static_cast<int>(v);
}

double ParsedArgs::number(const std::string& name, double fallback, double min, double max) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (it->second.empty() || *end != '\0' || errno != 0 || !std::isfinite(v)) {
    throw UsageError(command_ + ": --" + name + " expects a number, got \"" + it->second + "\"");
  }
  if (v < min || v > max) {
    throw UsageError(command_ + ": --" + name + " must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + ", got " + it->second);
  }
  return v;
}

Weights weights_option(const ParsedArgs& parsed, const std::string& command) {
  const std::string name = parsed.text("weights", "last");
  try {
    return weights_from_name(name);
  } catch (const std::invalid_argument&) {
    throw UsageError(command + ": --weights is last (the end of training) or best (by validation accuracy), not \"" +
                     name + "\"");
  }
}

}  // namespace alexnet::cli
