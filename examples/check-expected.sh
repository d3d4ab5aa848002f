#!/usr/bin/env bash
# check-expected.sh -- independent reference implementation of "wharf plan"
# for the sample repo, used to derive examples/expected-*.txt and to let an
# end-to-end test cross-check wharf's output.
#
# usage: check-expected.sh [-v] REPO --live FILE     (per-service live SHAs, JSON)
#        check-expected.sh [-v] REPO --since REV     (every service against REV)
#
# Prints one line per service in REPO's HEAD wharf.toml, sorted by name:
#     NAME deploy|skip
# With -v, the reason for each decision (and orphans in the live file) goes
# to stderr.
#
# Rules (the wharf contract):
#   changed(service) = git diff --name-only --no-renames LIVE HEAD
#   input set        = service paths + paths of its packages (transitively
#                      through deps, each minus that package's own exclude)
#                      + workspace inputs,
#                      minus service exclude and workspace exclude
#   deploy           = service missing from the live file, or any changed file
#                      is in its input set
#   lockfile         = a changed pnpm-lock.yaml that is a workspace input counts
#                      for a service only if the resolved packages (name,
#                      version, integrity) reachable from its importers differ,
#                      or the lockfile's settings do (unless [workspace]
#                      lockfile = "whole"). Its importers: the root "." and
#                      each importer whose package.json is among its own or
#                      its packages' paths; with none but the root, any change
#                      counts, and so it does when a lockfile does not parse or
#                      names a package it does not list. Parsed with PyYAML
#                      (python3-yaml).
#   path entry       = file, directory (everything below), or glob: `*`/`?`
#                      within one segment, `**` across segments (a/**/b also
#                      matches a/b); a glob matching a directory covers
#                      everything below it.
# Needs only git, python3 and python3-yaml (python3 >= 3.11 for tomllib; a small fallback parser
# handles the subset of TOML used by wharf.toml otherwise).
set -euo pipefail

usage() { echo "usage: $0 [-v] REPO (--live FILE | --since REV)" >&2; exit 2; }
verbose=0
if [[ ${1:-} == -v ]]; then verbose=1; shift; fi
[[ $# -eq 3 ]] || usage
repo=$1 mode=$2 arg=$3
case $mode in --live|--since) ;; *) usage ;; esac
if [[ $mode == --live ]]; then arg=$(cd -- "$(dirname -- "$arg")" && pwd)/$(basename -- "$arg"); fi

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
cd -- "$repo"
exec python3 - "$mode" "$arg" "$verbose" <<'PY'
import json, posixpath, re, subprocess, sys
from functools import lru_cache

mode, arg, verbose = sys.argv[1], sys.argv[2], sys.argv[3] == "1"

def log(msg):
    if verbose:
        print(msg, file=sys.stderr)

def git(*args):
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout

def die(msg):
    print(f"check-expected: {msg}", file=sys.stderr)
    sys.exit(1)

# ---- wharf.toml at HEAD --------------------------------------------------------
text = git("show", "HEAD:wharf.toml")
try:
    import tomllib
    cfg = tomllib.loads(text)
except ImportError:
    # Minimal parser for the subset wharf.toml uses: [a] / [a.b] tables,
    # key = "string" and key = ["string", ...] (arrays may span lines).
    def strip_comment(line):
        inq = False
        for i, ch in enumerate(line):
            if ch == '"' and (i == 0 or line[i - 1] != "\\"):
                inq = not inq
            elif ch == "#" and not inq:
                return line[:i]
        return line
    cfg, table, buf = {}, None, ""
    for raw in text.splitlines():
        line = (buf + " " + strip_comment(raw)).strip()
        if not line:
            continue
        if "=" in line and line.split("=", 1)[1].strip().startswith("[") and not line.endswith("]"):
            buf = line
            continue
        buf = ""
        m = re.fullmatch(r"\[([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?\]", line)
        if m:
            table = cfg.setdefault(m[1], {})
            if m[2]:
                table = table.setdefault(m[2], {})
            continue
        k, v = (x.strip() for x in line.split("=", 1))
        strs = re.findall(r'"((?:[^"\\]|\\.)*)"', v)
        table[k] = strs if v.startswith("[") else (strs[0] if strs else v)

allowed_top = {"workspace", "package", "service"}
allowed = {
    "workspace": {"inputs", "exclude", "lockfile"},
    "package": {"paths", "deps", "exclude"},
    "service": {"paths", "deps", "exclude", "env", "build"},
}
for k in cfg:
    if k not in allowed_top:
        die(f"wharf.toml: unknown table [{k}]")
for k in cfg.get("workspace", {}):
    if k not in allowed["workspace"]:
        die(f"wharf.toml: unknown key workspace.{k}")
for kind in ("package", "service"):
    for name, body in cfg.get(kind, {}).items():
        for k in body:
            if k not in allowed[kind]:
                die(f"wharf.toml: unknown key {kind}.{name}.{k}")

ws = cfg.get("workspace", {})
packages = cfg.get("package", {})
services = cfg.get("service", {})

# ---- path matching ------------------------------------------------------------
def seg_regex(seg):
    out = []
    for ch in seg:
        out.append("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch))
    return re.compile("".join(out) + r"\Z")

@lru_cache(maxsize=None)
def compile_pattern(pattern):
    return tuple("**" if s == "**" else seg_regex(s)
                 for s in pattern.strip("/").split("/") if s not in ("", "."))

def matches(pattern, path):
    pat = compile_pattern(pattern)
    segs = path.split("/")

    @lru_cache(maxsize=None)
    def m(i, j):
        if i == len(pat):          # pattern consumed: exact match, or a dir prefix
            return True
        if pat[i] == "**":
            return m(i + 1, j) or (j < len(segs) and m(i, j + 1))
        return j < len(segs) and pat[i].match(segs[j]) is not None and m(i + 1, j + 1)
    return m(0, 0)

def any_match(patterns, path):
    return next((p for p in patterns if matches(p, path)), None)

# ---- input sets -------------------------------------------------------------------
def package_closure(deps, seen=None, stack=()):
    seen = [] if seen is None else seen
    for d in deps:
        if d not in packages:
            die(f"wharf.toml: unknown package {d!r} in deps")
        if d in stack:
            die(f"wharf.toml: dependency cycle through {d!r}")
        if d not in seen:
            seen.append(d)
            package_closure(packages[d].get("deps", []), seen, stack + (d,))
    return seen

def why_input(name, path):
    """Return a reason string if path is in service `name`'s input set, else None."""
    svc = services[name]
    hit = None
    if (p := any_match(svc.get("paths", []), path)):
        hit = f"path {p!r}"
    else:
        for pkg in package_closure(svc.get("deps", [])):
            body = packages[pkg]
            p = any_match(body.get("paths", []), path)
            if p and not any_match(body.get("exclude", []), path):
                hit = f"package {pkg} path {p!r}"
                break
    if hit is None and (p := any_match(ws.get("inputs", []), path)):
        hit = f"workspace input {p!r}"
    if hit is None:
        return None
    if any_match(svc.get("exclude", []), path) or any_match(ws.get("exclude", []), path):
        return None
    return hit

# ---- lockfiles ----------------------------------------------------------------------
LOCKFILE_AWARE = ws.get("lockfile", "auto") != "whole"

@lru_cache(maxsize=None)
def read_lock(sha, path):
    import yaml
    try:
        return yaml.safe_load(git("show", f"{sha}:{path}"))
    except subprocess.CalledProcessError:
        return None  # absent at that commit

def strip_peers(version):
    return version.split("(", 1)[0]

def lock_closure(doc, dirs):
    """{(name, version, integrity)} reachable from the importers `dirs`."""
    v9 = str(doc.get("lockfileVersion", "")).startswith("9")
    packages = doc.get("packages") or {}
    edges = (doc.get("snapshots") or {}) if v9 else packages
    importers = doc.get("importers") or {}
    out, todo, seen_dirs = set(), [], set(dirs)
    stack = list(dirs)
    while stack:
        d = stack.pop()
        body = importers.get(d) or {}
        for group in ("dependencies", "devDependencies", "optionalDependencies"):
            for name, dep in (body.get(group) or {}).items():
                version = str(dep["version"])
                if version.startswith("link:"):
                    target = posixpath.normpath(posixpath.join(d, version[5:]))
                    if target not in seen_dirs:
                        seen_dirs.add(target)
                        stack.append(target)
                else:
                    todo.append((name, version))
    visited = set()
    while todo:
        name, version = todo.pop()
        key = f"{name}@{version}" if v9 else f"/{name}@{version}"
        if key in visited:
            continue
        visited.add(key)
        meta_key = f"{name}@{strip_peers(version)}" if v9 else key
        if meta_key not in packages or (v9 and key not in edges):
            return None  # a package the lockfile does not list: pnpm never writes that
        meta = packages.get(meta_key) or {}
        integrity = (meta.get("resolution") or {}).get("integrity", "")
        out.add((name, strip_peers(version), integrity))
        snap = edges.get(key) or {}
        for group in ("dependencies", "optionalDependencies"):
            for dep, dep_version in (snap.get(group) or {}).items():
                if not str(dep_version).startswith("link:"):
                    todo.append((dep, str(dep_version)))
    return out

def lockfile_reaches(name, base, head, path):
    """Whether the change of lockfile `path` between base and head reaches service `name`."""
    old, new = read_lock(base, path), read_lock(head, path)
    if not isinstance(old, dict) or not isinstance(new, dict):
        return True
    settings = lambda d: {k: v for k, v in d.items() if k not in ("importers", "packages", "snapshots")}
    if settings(old) != settings(new):
        return True
    lock_dir = posixpath.dirname(path)
    dirs, own = ["."], False
    for d in sorted(set(old.get("importers") or {}) | set(new.get("importers") or {})):
        if d == ".":
            continue
        hit = why_input(name, posixpath.join(lock_dir, d, "package.json"))
        if hit and not hit.startswith("workspace input"):
            dirs.append(d)
            own = True
    if not own:
        return True
    before, after = lock_closure(old, dirs), lock_closure(new, dirs)
    if before is None or after is None:
        return True  # unreadable: changed for everyone
    return before != after

# ---- live SHAs --------------------------------------------------------------------
def resolve(rev):
    try:
        return git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except subprocess.CalledProcessError:
        die(f"cannot resolve {rev!r} to a commit")

if mode == "--live":
    with open(arg) as f:
        live = json.load(f)
    if not isinstance(live, dict):
        die("live file must be a JSON object service -> sha")
    for orphan in sorted(set(live) - set(services)):
        log(f"# orphan: {orphan} is live at {live[orphan]} but is not a service in wharf.toml")
else:
    live = {name: arg for name in services}

head = resolve("HEAD")
diff_cache = {}
for name in sorted(services):
    if name not in live:
        print(f"{name} deploy")
        log(f"# {name}: not live yet")
        continue
    sha = resolve(live[name])
    if sha not in diff_cache:
        diff_cache[sha] = [p for p in git("diff", "--name-only", "--no-renames", sha, head).splitlines() if p]
    reasons = [(p, r) for p in diff_cache[sha] if (r := why_input(name, p))]
    reasons = [(p, r) for p, r in reasons
               if not (LOCKFILE_AWARE and posixpath.basename(p) == "pnpm-lock.yaml" and r.startswith("workspace input"))
               or lockfile_reaches(name, sha, head, p)]
    print(f"{name} {'deploy' if reasons else 'skip'}")
    if reasons:
        log(f"# {name}: deploy ({live[name]}..HEAD)")
        for p, r in reasons:
            log(f"#     {p}  <- {r}")
    else:
        log(f"# {name}: skip ({live[name]}..HEAD, {len(diff_cache[sha])} changed file(s), none an input)")
PY
