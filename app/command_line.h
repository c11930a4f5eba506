// A small option parser shared by the sub-commands: `--name value`,
// `--name=value` and flags, refusing what a command does not know.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "errors.h"

#include "run/weights_choice.h"

namespace alexnet::cli {

// Bad usage: main() prints the message and exits with code 2.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ErrorKind::Usage, message) {}
};

struct OptionSpec {
  std::set<std::string> with_value;  // e.g. "input-size"
  std::set<std::string> flags;       // e.g. "json"
};

// "a,b,,c" -> {"a", "b", "c"}: the comma lists of --variants and --lr-scale.
std::vector<std::string> split_list(const std::string& text, char separator = ',');

class ParsedArgs {
 public:
  ParsedArgs(const std::vector<std::string>& args, const OptionSpec& spec, const std::string& command);

  const std::vector<std::string>& positional() const { return positional_; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  bool flag(const std::string& name) const { return has(name); }
  std::vector<std::string> option_names() const;                                 // those given, flags included
  std::string text(const std::string& name, const std::string& fallback) const;  // the last one given
  std::vector<std::string> all(const std::string& name) const;                   // each one given, in order
  int integer(const std::string& name, int fallback, int min, int max) const;
  double number(const std::string& name, double fallback, double min, double max) const;

 private:
  std::string command_;
  std::vector<std::string> positional_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> every_value_;
};

// --weights last|best (default last); a UsageError names a wrong value.
Weights weights_option(const ParsedArgs& parsed, const std::string& command);

}  // namespace alexnet::cli
