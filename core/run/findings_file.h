// findings.jsonl: one finding a line, appended as findings arise, so a killed
// run keeps what was found. A finding is known by (kind, variant, layer,
// first_iteration); a later line with the same key updates it, so readers keep
// the last line of each key.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "train/training_events.h"

namespace alexnet {

// {"kind", "variant", "layer", "first_iteration", "last_iteration", "severity",
//  "evidence", "suggestion", "settings": [{NAME: VALUE}...]}: the schema of
// findings.jsonl and of `diagnose --json`.
nlohmann::json finding_to_json(const Finding& finding);

// findings.jsonl's text (from anyone: bounded, damaged lines become warnings
// naming `path` and the line), one finding per key, in the order they arose.
std::vector<Finding> parse_findings(const std::string& text, const std::string& path,
                                    std::vector<std::string>* warnings);

// "[problem] original fc7 (iterations 200-2,400): evidence. Try: ..." for terminals.
std::string describe_finding(const Finding& finding);

}  // namespace alexnet
