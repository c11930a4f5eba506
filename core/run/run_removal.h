// Deleting and renaming a run folder, which may have come from someone else:
// each acts on that folder alone. A run that is a symbolic link is a link:
// deleting it removes the link, renaming it renames the link, and nothing is
// ever done to what it leads to.
#pragma once

#include <string>

namespace alexnet {

// Moves the run to the user's trash ($XDG_DATA_HOME/Trash, the freedesktop.org
// layout file managers use, with its .trashinfo), so a mistaken delete can be
// undone. Returns where it went, or "" when `run_dir` was a link and only the
// link was removed. Throws StoreError naming the folder when it is not a run
// (no config.json), is being trained now, or cannot be moved; nothing is
// deleted then.
std::string move_run_to_trash(const std::string& run_dir);

// Renames the run within its parent folder. `new_name` must be a plain name
// (no '/', not "." or ".."), and nothing of that name may exist. Returns the
// new path. Throws StoreError.
std::string rename_run(const std::string& run_dir, const std::string& new_name);

}  // namespace alexnet
