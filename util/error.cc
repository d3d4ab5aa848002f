#include "util/error.h"

namespace wharf {

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage:
    case ErrorKind::config:
      return 2;
    case ErrorKind::repository:
    case ErrorKind::not_found:
    case ErrorKind::io:
    case ErrorKind::corrupt:
      return 3;
  }
  return 3;
}

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage:
      return "usage";
    case ErrorKind::config:
      return "config";
    case ErrorKind::repository:
      return "repository";
    case ErrorKind::not_found:
      return "not-found";
    case ErrorKind::io:
      return "io";
    case ErrorKind::corrupt:
      return "corrupt";
  }
  return "unknown";
}

}  // namespace wharf
