#include "compare_command.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "option_table.h"
#include "gui_app.h"
#include "analysis/findings_engine.h"
#include "run/findings_file.h"
#include "run/run_comparison.h"

namespace alexnet::cli {

namespace {

const CommandDoc& compare_doc() {
  static const CommandDoc doc{
      "usage: alexnet-lab compare RUN_DIR RUN_DIR... [options]\n"
      "  the test results of every run and variant side by side, the settings that differ\n"
      "  between the runs and each run's warnings and problems\n",
      {{"",
        {{"variants", "LIST", "only these variants (default: every variant of any of the runs)"},
         {"png", "OUT",
          "also draw their loss curves overlaid in OUT/compare-loss.png: colour = variant, line style = run"},
         {"pdf", "OUT", "the same as a PDF file"},
         {"svg", "OUT", "the same as an SVG file"},
         {"json", "", "one JSON object instead of the table"}}}}};
  return doc;
}

}  // namespace

int run_compare(const std::vector<std::string>& args) {
  const ParsedArgs parsed(args, option_spec(compare_doc()), "compare");
  if (answered_help(parsed, compare_doc())) return 0;
  int formats = 0;
  std::string format, out;
  for (const char* f : {"png", "pdf", "svg"}) {
    if (parsed.has(f)) {
      ++formats;
      format = f;
      out = parsed.text(f, "");
    }
  }
  if (formats > 1) throw UsageError("compare: choose one of --png, --pdf and --svg");
  if (parsed.positional().size() < 2) {
    throw UsageError("compare needs at least two run folders\n" + command_help(compare_doc()));
  }
  Comparison comparison;
  try {
    comparison = compare_runs(parsed.positional(), split_list(parsed.text("variants", "")));
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("compare: ") + e.what());
  }
  int curves = -1;
  if (!format.empty()) curves = export_comparison_pictures(comparison, out, format);
  // Each run's warnings and problems, recomputed from its records and probes as `diagnose` does.
  read_compared_probes(comparison);
  std::vector<std::vector<Finding>> findings;
  for (const ComparedRun& r : comparison.runs) {
    std::vector<Finding> serious;
    for (const Finding& f : diagnose_run(r.run)) {
      if (f.severity != Severity::Info) serious.push_back(f);
    }
    findings.push_back(serious);
  }
  if (parsed.flag("json")) {
    nlohmann::json j = comparison_json(comparison);
    j["findings"] = nlohmann::json::object();
    for (std::size_t i = 0; i < comparison.runs.size(); ++i) {
      nlohmann::json list = nlohmann::json::array();
      for (const Finding& f : findings[i]) list.push_back(finding_to_json(f));
      j["findings"][comparison.runs[i].name] = list;
    }
    if (curves >= 0) j["picture"] = {{"file", out + "/compare-loss." + format}, {"curves", curves}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << comparison_table(comparison);
  if (comparison.differences.empty()) {
    std::cout << "\nthe runs have the same settings\n";
  } else {
    std::cout << "\nwhat differs:\n";
    for (const std::string& d : comparison.differences) std::cout << "  " << d << "\n";
  }
  std::cout << "\nfindings (warnings and problems; `alexnet-lab diagnose RUN` for all):\n";
  for (std::size_t i = 0; i < comparison.runs.size(); ++i) {
    if (findings[i].empty()) std::cout << "  " << comparison.runs[i].name << ": no problems found\n";
    for (const Finding& f : findings[i])
      std::cout << "  " << comparison.runs[i].name << ": " << describe_finding(f) << "\n";
  }
  if (comparison.different_data) {
    std::cout << "note: the runs trained on different data sets, so their accuracies are not comparable\n";
  }
  if (curves >= 0) {
    std::cout << "loss curves: " << out << "/compare-loss." << format << " (" << curves << " curves)\n";
  }
  return 0;
}

}  // namespace alexnet::cli
