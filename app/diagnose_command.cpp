#include "diagnose_command.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "analysis/findings_engine.h"
#include "option_table.h"
#include "errors.h"
#include "run/findings_file.h"
#include "run/run_reader.h"

namespace alexnet::cli {

namespace {

const CommandDoc& diagnose_doc() {
  static const CommandDoc doc{
      "usage: alexnet-lab diagnose RUN_DIR... [options]\n"
      "  what went wrong in each run, where, since when and what to try: the findings\n"
      "  recomputed from what the run folder holds (finished, stopped, killed or made\n"
      "  before findings existed). Exit status 0 whatever is found; 1 when a run cannot be read.\n",
      {{"",
        {{"variants", "LIST", "only these variants (default: all)"},
         {"json", "", "one object: {\"runs\": [{\"run\", \"findings\": [...]}]}"}}}}};
  return doc;
}

// One line for a run without warnings or problems, so a healthy run is not met with silence.
std::string healthy_line(const RunContents& run, const std::vector<std::string>& variants) {
  std::string text = "no problems found";
  std::string figures;
  for (const VariantResult& r : run.results) {
    if (!variants.empty() && std::find(variants.begin(), variants.end(), r.variant) == variants.end()) continue;
    char one[160];
    if (std::isfinite(r.validation_accuracy)) {
      std::snprintf(one, sizeof one, "%s %.2f %% test, %.2f %% validation", r.variant.c_str(), 100 * r.test_accuracy,
                    100 * r.validation_accuracy);
    } else {
      std::snprintf(one, sizeof one, "%s %.2f %% test", r.variant.c_str(), 100 * r.test_accuracy);
    }
    figures += (figures.empty() ? "" : "; ") + std::string(one);
  }
  if (!figures.empty()) text += " (" + figures + ")";
  if (run.results.empty()) text += " in what the run holds so far (it has no results yet)";
  return text;
}

}  // namespace

int run_diagnose(const std::vector<std::string>& args) {
  const ParsedArgs parsed(args, option_spec(diagnose_doc()), "diagnose");
  if (answered_help(parsed, diagnose_doc())) return 0;
  if (parsed.positional().empty())
    throw UsageError(std::string("diagnose: which run?\n") + command_help(diagnose_doc()));
  const std::vector<std::string> variants = split_list(parsed.text("variants", ""));
  const bool json = parsed.flag("json");
  nlohmann::json out = {{"runs", nlohmann::json::array()}};
  int unreadable = 0;
  for (const std::string& dir : parsed.positional()) {
    RunContents run;
    try {
      run = read_run(dir);
    } catch (const Error& e) {
      std::cerr << "alexnet-lab: diagnose: " << e.what() << "\n";
      ++unreadable;
      continue;
    }
    for (const std::string& v : variants) {
      const bool known = std::any_of(run.config.variants.begin(), run.config.variants.end(),
                                     [&](const VariantSpec& s) { return s.name == v; });
      if (!known) throw UsageError("diagnose: " + dir + " has no variant \"" + v + "\"");
    }
    std::vector<Finding> findings;
    for (const Finding& f : diagnose_run(run)) {
      // Findings about the run itself (no variant) stay whatever the variants asked for.
      if (!variants.empty() && !f.variant.empty() &&
          std::find(variants.begin(), variants.end(), f.variant) == variants.end()) {
        continue;
      }
      findings.push_back(f);
    }
    const bool troubled =
        std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity != Severity::Info; });
    if (json) {
      nlohmann::json list = nlohmann::json::array();
      for (const Finding& f : findings) list.push_back(finding_to_json(f));
      out["runs"].push_back({{"run", dir}, {"findings", list}, {"warnings", run.warnings}});
      continue;
    }
    std::cout << dir << ":\n";
    for (const std::string& w : run.warnings) std::cout << "  note: " << w << "\n";
    // Problems first, then warnings, then what is only worth knowing.
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding& a, const Finding& b) { return int(a.severity) > int(b.severity); });
    for (const Finding& f : findings) std::cout << "  " << describe_finding(f) << "\n";
    if (!troubled) std::cout << "  " << healthy_line(run, variants) << "\n";
  }
  if (json) std::cout << out.dump(2) << "\n";
  return unreadable > 0 ? 1 : 0;
}

}  // namespace alexnet::cli
