// The wharf executable: everything lives in the libraries; see cli/run.h.
#include "cli/run.h"

int main(int argc, char** argv) { return wharf::cli::run(argc, argv); }
