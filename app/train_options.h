// Every option of `alexnet-lab train`, defined once: the names the parser
// accepts, the --help text and the man page's TRAIN OPTIONS section are all
// made from this table, and the defaults it shows come from ExperimentConfig
// and DistSettings themselves, so none of them can drift from the program.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "option_table.h"

namespace alexnet::cli {

const std::vector<OptionGroup>& train_option_groups();
// The names the parser accepts (values and flags), --resume and --help included.
OptionSpec train_option_spec();
std::set<std::string> train_process_options();  // the names with `process` set
std::string train_usage();                      // what `train --help` prints
std::string train_options_man();                // roff .TP entries for the man page (`train --help-man`)

}  // namespace alexnet::cli
