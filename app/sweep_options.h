// Every option of `alexnet-lab sweep` beyond train's, defined once: the names
// its parser accepts, `sweep --help` and the man page's SWEEP OPTIONS are made
// from this table (option_table.h).
#pragma once

#include <string>
#include <vector>

#include "option_table.h"

namespace alexnet::cli {

const std::vector<OptionGroup>& sweep_option_groups();
// train's options and the sweep's own.
OptionSpec sweep_option_spec();
// A sweep's own option (taken out of the arguments that describe the base
// experiment); --early-stop is train's unless its value is asha.
bool is_sweep_option(const std::string& name);
std::string sweep_usage();        // what `sweep --help` prints
std::string sweep_options_man();  // roff .TP entries for the man page (`sweep --help-man`)

}  // namespace alexnet::cli
