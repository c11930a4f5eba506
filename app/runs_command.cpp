#include "runs_command.h"

#include <iostream>

#include "option_table.h"
#include "run/run_removal.h"

namespace alexnet::cli {

namespace {

const CommandDoc& delete_doc() {
  static const CommandDoc doc{
      "usage: alexnet-lab delete RUN_DIR...\n"
      "Moves each run folder to the desktop trash (restorable from a file manager).\n"
      "A run that is a symbolic link: only the link is removed, never what it leads to.\n"
      "A folder without config.json is not a run and is left untouched.\n",
      {}};
  return doc;
}

const CommandDoc& rename_doc() {
  static const CommandDoc doc{
      "usage: alexnet-lab rename RUN_DIR NEW_NAME\n"
      "Renames the run folder within its parent folder (NEW_NAME: a plain name).\n",
      {}};
  return doc;
}

}  // namespace

int run_delete(const std::vector<std::string>& args) {
  const ParsedArgs a(args, option_spec(delete_doc()), "delete");
  if (answered_help(a, delete_doc())) return 0;
  if (a.positional().empty()) throw UsageError(std::string("delete: which run?\n") + command_help(delete_doc()));
  for (const std::string& run : a.positional()) {
    const std::string where = move_run_to_trash(run);  // a refusal stops here, naming the folder
    if (where.empty()) std::cout << run << ": a link; the link was removed, what it leads to was left\n";
    else std::cout << run << ": moved to the trash (" << where << ")\n";
  }
  return 0;
}

int run_rename(const std::vector<std::string>& args) {
  const ParsedArgs a(args, option_spec(rename_doc()), "rename");
  if (answered_help(a, rename_doc())) return 0;
  if (a.positional().size() != 2)
    throw UsageError(std::string("rename: RUN_DIR and NEW_NAME\n") + command_help(rename_doc()));
  std::cout << rename_run(a.positional()[0], a.positional()[1]) << "\n";
  return 0;
}

}  // namespace alexnet::cli
