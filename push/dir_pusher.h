// The `dir` pusher: copies an artifact into a directory tree (a publish area
// that `aws s3 sync`, rsync or an artifact store picks up), at a path made
// from a template. Readers of the tree see the old artifact or the new one,
// never a part: everything is written beside the target, fsynced, and
// renamed into place.
#pragma once

#include <memory>
#include <string>

#include "push/pusher.h"

namespace wharf::push {

struct DirTarget {
  // A template (push/template.h). Relative paths are relative to the
  // pusher's `base_dir`. A zip goes to this path, or into it (as
  // <path>/<zip file name>) when the path ends in '/'; an image (an OCI image
  // layout directory) becomes the directory at this path (or
  // <path>/<layout directory name>).
  std::string path;
};

// - A zip is copied (never hard-linked: the target is read by other tools,
//   and a link would share the cache's bytes with them) while its SHA-256 is
//   checked against the artifact's digest, and renamed over the target.
// - An image layout is copied as a tree (each blobs/sha256/<hex> file checked
//   against its name) into a temporary sibling directory, which then replaces
//   the target as a whole (RENAME_EXCHANGE, then the old tree is removed).
// - Already there (nothing copied): the target zip has the artifact's size
//   and SHA-256; the target layout's index.json names the artifact's
//   manifest digest and its manifest blob exists. When that layout is tagged
//   differently, only its index.json is replaced (the tag moves).
// bytes_sent = bytes copied; requests = 0. Errors name the service and the
// target path: ErrorKind::config for a bad template or an image where a
// file is (and the reverse), ErrorKind::corrupt when the artifact's bytes do
// not match its digest, ErrorKind::io otherwise (and when cancelled).
std::unique_ptr<Pusher> make_dir_pusher(DirTarget target, std::string base_dir);

}  // namespace wharf::push
