// Every option of `alexnet-lab train`, defined once: the names the parser
// accepts, the --help text and the man page's TRAIN OPTIONS section are all
// made from this table, and the defaults it shows come from ExperimentConfig
// and DistSettings themselves, so none of them can drift from the program.
#pragma once

#include <set>
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
};

struct OptionGroup {
  std::string heading;  // empty for the main group
  std::vector<OptionDoc> options;
};

const std::vector<OptionGroup>& train_option_groups();
// The names the parser accepts (values and flags), --resume and --help included.
OptionSpec train_option_spec();
std::set<std::string> train_process_options();  // the names with `process` set
std::string train_usage();                      // what `train --help` prints
std::string train_options_man();                // roff .TP entries for the man page (`train --help-man`)

}  // namespace alexnet::cli
