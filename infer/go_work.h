// A Go workspace: go.work's `use` directories are packages; a module's
// dependencies inside the workspace are its `require`s of another used
// module's path (go.work resolves those locally) and its `replace X => ../dir`
// directives that point at a used directory.
//
// Not read: go.work's own `replace` directives, `toolchain`/`godebug`, and
// modules outside go.work (a repository without go.work has no Go packages).
#pragma once

#include <string>
#include <vector>

#include "fs/source_tree.h"
#include "infer/warnings.h"

namespace wharf::infer {

struct GoModule {
  std::string dir;          // repository-relative ("" for the root)
  std::string module_path;  // from its go.mod ("" when it has none)
  std::vector<std::string> dep_dirs;  // directories of other used modules it depends on, sorted
  int use_line = 0;                   // go.work line of its `use`
};

struct GoWorkspace {
  bool present = false;  // go.work exists
  std::vector<GoModule> modules;  // sorted by directory
};

GoWorkspace read_go_work(const fs::SourceTree& tree, const std::vector<std::string>& files, Warnings& warnings);

}  // namespace wharf::infer
