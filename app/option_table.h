// A command's options defined once, as a table: the names its parser accepts,
// its --help text and its man page entries (`COMMAND --help-man`, at build
// time) are all made from it, so none of them can drift from the others.
#pragma once

#include <string>
#include <vector>

#include "command_line.h"

namespace alexnet::cli {

struct OptionDoc {
  std::string name;   // without the leading --
  std::string value;  // the placeholder of its value ("N", "LIST"); empty for a flag
  std::string help;   // one sentence or a few, defaults included
  // How this process takes part, not what the experiment is: allowed beside
  // --resume, and all a rank other than 0 may be given to take rank 0's settings.
  bool process = false;
  // Accepted but not shown: what the program passes to itself (a sweep's trial processes).
  bool hidden = false;
};

struct OptionGroup {
  std::string heading;  // empty for the main group
  std::vector<OptionDoc> options;
};

// A command with its options: what `COMMAND --help` prints is `synopsis`
// (usage lines and what it does) followed by the options.
struct CommandDoc {
  std::string synopsis;
  std::vector<OptionGroup> groups;
};

// The names the parser accepts (values and flags), --help and --help-man included.
OptionSpec option_spec(const std::vector<OptionGroup>& groups);
// The shown options as --help lists them: "  --name VALUE   help", wrapped at 100 columns.
std::string options_help(const std::vector<OptionGroup>& groups);
// The shown options as roff .TP entries for the man page (`COMMAND --help-man`).
std::string options_man(const std::vector<OptionGroup>& groups);
OptionSpec option_spec(const CommandDoc& command);
std::string command_help(const CommandDoc& command);  // what --help prints
// Answers --help (the synopsis and options) or --help-man (the options in
// roff) on stdout; false when neither was asked.
bool answered_help(const ParsedArgs& parsed, const CommandDoc& command);
// The entry named `name`, or nullptr.
const OptionDoc* find_option(const std::vector<OptionGroup>& groups, const std::string& name);

}  // namespace alexnet::cli
