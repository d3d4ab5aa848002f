#!/usr/bin/env python3
"""Generate a large, deterministic synthetic pnpm monorepo for wharf benchmarks.

    python3 bench/gen_monorepo.py OUTDIR [--services 500] [--packages 200]
        [--files 70000] [--commits 300] [--seed 1] [--since-back 50]

The repository is written with `git fast-import` (one process, fed from this
script), then checked out.  Everything is derived from --seed: file contents,
layout, history, author/committer names and dates, so the same arguments give
the same HEAD SHA.  Python stdlib only.

Besides the repository, OUTDIR/.wharf-bench/ holds (ignored via .git/info/exclude):
  live.json   service name -> full SHA of the commit that is "live" for it
  since.txt   one SHA about --since-back commits before HEAD
  inputs.tsv  name<TAB>git pathspecs of the service's inputs (space separated);
              `git diff --quiet BASE HEAD -- <pathspecs>` is the reference answer
  meta.json   parameters and counts of this generation

Path semantics used for the reference pathspecs (and expected from wharf):
  * a literal path matches that file or everything below that directory;
  * a glob path/exclude uses git's `:(glob)` rules: `*` does not cross `/`,
    `**/` matches zero or more directories;
  * [workspace].exclude applies to every service, a service's exclude to it.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zlib

AUTHOR = b"Wharf Bench <bench@wharf.invalid>"
EPOCH0 = 1700000000  # date of the first commit (UTC)

WORKSPACE_INPUTS = ["pnpm-lock.yaml", "package.json", "pnpm-workspace.yaml",
                    "infra/docker/service.Dockerfile"]
WORKSPACE_EXCLUDE = ["**/*.md"]
NPMRC = "infra/docker/.npmrc"

WORDS = (
    "account admin alert api appointment archive audit auth batch billing cache "
    "calendar care claim client clinic config consent core cron dashboard data "
    "device diagnosis document encounter event export feed file form gateway "
    "graph handler health history identity import insurance invoice job lab "
    "ledger locale mail media message metric model notify order patient payment "
    "permission pharmacy plan policy portal profile provider queue record referral "
    "report request resource role route rule schedule schema search session "
    "setting shift signal storage stream task template tenant token upload user "
    "util vital webhook worker"
).split()

# (extension, kind, weight) of the "variable" files of a service / package.
SERVICE_MIX = [(".ts", "code", 60), (".test.ts", "code", 15), (".md", "md", 4),
               (".json", "json", 6), (".sql", "code", 5), (".css", "code", 5),
               (".yaml", "code", 5)]
PACKAGE_MIX = [(".ts", "code", 68), (".test.ts", "code", 16), (".md", "md", 6),
               (".json", "json", 5), (".d.ts", "code", 5)]
DOCS_MIX = [(".md", "md", 85), (".png.txt", "code", 5), (".yaml", "code", 10)]
TOOLS_MIX = [(".ts", "code", 40), (".py", "code", 30), (".sh", "code", 20), (".md", "md", 10)]


def cap(w):
    return w[:1].upper() + w[1:]


class Area:
    """A group of files (one service, one package, docs, ...) with O(1) random pick."""

    def __init__(self, name, root, kind):
        self.name, self.root, self.kind = name, root, kind
        self.paths = []
        self.idx = {}
        self.dirs = []

    def add(self, p):
        self.idx[p] = len(self.paths)
        self.paths.append(p)

    def remove(self, p):
        i = self.idx.pop(p)
        last = self.paths.pop()
        if i < len(self.paths):
            self.paths[i] = last
            self.idx[last] = i


class Gen:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.files = {}  # path -> [mode, kind, size, rev, key, area]
        self.areas = []
        self.seed_bytes = b"%d" % args.seed
        self.code_pool = self.make_code_pool(2 << 20)
        self.md_pool = self.make_md_pool(1 << 20)
        self.stats = {"renames": 0, "deletes": 0, "dir_deletes": 0, "chmods": 0,
                      "symlinks": 0, "lockfile_commits": 0, "package_commits": 0,
                      "service_commits": 0, "other_commits": 0, "transitive_lockfile_commits": 0}
        self.pool_bumps = {}  # transitive package index -> times it was updated

    # ---------------------------------------------------------------- content
    def make_code_pool(self, size):
        r = random.Random(self.a.seed * 7919 + 1)
        words = WORDS
        tpl = [
            "export const {a}{B} = await {c}.{d}({e}Id, {n});",
            "import {{ {A}{B} }} from '../{c}/{d}';",
            "  if (!{a}) throw new Error('{a} {b} is missing');",
            "  return this.{a}Service.find{B}({c}, {{ limit: {n} }});",
            "export function {a}{B}({c}: {C}{D}): Promise<{A}> {{",
            "}}",
            "  const {a}: {A}{B} = {{ {c}: {n}, {d}: '{e}' }};",
            "// TODO({e}): handle {a} {b} when {c} is empty",
            "",
            "  {a}.{b}.push(...{c}.filter((x) => x.{d} > {n}));",
            "  await this.queue.publish('{a}.{b}', {{ id: {c}.id }});",
            "SELECT {a}_id, {b}_at FROM {c}_{d} WHERE {e} = ${n};",
            ".{a}-{b} {{ margin: {n}px; color: #{h}; }}",
            "  {a}_{b}: {n}",
        ]
        out, total = [], 0
        while total < size:
            w = [r.choice(words) for _ in range(5)]
            line = r.choice(tpl).format(a=w[0], b=w[1], c=w[2], d=w[3], e=w[4],
                                        A=cap(w[0]), B=cap(w[1]), C=cap(w[2]),
                                        D=cap(w[3]), n=r.randrange(1000),
                                        h="%06x" % r.randrange(1 << 24))
            out.append(line)
            total += len(line) + 1
        return ("\n".join(out) + "\n").encode()

    def make_md_pool(self, size):
        r = random.Random(self.a.seed * 7919 + 2)
        out, total = [], 0
        while total < size:
            k = r.random()
            if k < 0.1:
                line = "## " + " ".join(cap(r.choice(WORDS)) for _ in range(3))
            elif k < 0.25:
                line = "- `" + r.choice(WORDS) + "`: " + " ".join(r.choice(WORDS) for _ in range(8))
            else:
                line = cap(" ".join(r.choice(WORDS) for _ in range(r.randrange(8, 20)))) + "."
            out.append(line)
            total += len(line) + 1
        return ("\n".join(out) + "\n").encode()

    def slice_pool(self, pool, key, rev, size):
        h = zlib.crc32(b"%s|%d|%s" % (key.encode(), rev, self.seed_bytes))
        size = min(size, len(pool) - 1)
        off = h % (len(pool) - size)
        nl = pool.find(b"\n", off)
        off = nl + 1 if 0 <= nl < off + 200 else off
        chunk = pool[off:off + size]
        if not chunk.endswith(b"\n"):
            chunk += b"\n"
        return chunk

    def content(self, rec):
        mode, kind, size, rev, key, area = rec
        if kind == "link":
            return key.encode()
        if kind == "md":
            head = b"# %s (rev %d)\n\n" % (key.encode(), rev)
            return head + self.slice_pool(self.md_pool, key, rev, max(size - len(head), 10))
        if kind == "code":
            head = b"// %s (rev %d)\n" % (key.encode(), rev)
            return head + self.slice_pool(self.code_pool, key, rev, max(size - len(head), 10))
        if kind == "json":
            body = self.slice_pool(self.code_pool, key, rev, max(size - 60, 10))
            lines = body.decode().splitlines()
            return (json.dumps({"file": key, "rev": rev, "lines": lines}, indent=2) + "\n").encode()
        if kind == "pkgjson":
            return self.package_json(area, rev)
        if kind == "dockerfile":
            return self.dockerfile(area, rev)
        if kind == "lock":
            return self.lockfile(rev)
        if kind == "static":
            return self.static[key](rev)
        raise ValueError(kind)

    def package_json(self, area, rev):
        if area is None or area.kind == "root":
            d = {"name": "acme-platform", "private": True, "version": "0.%d.0" % rev,
                 "packageManager": "pnpm@9.12.0",
                 "scripts": {"build": "pnpm -r build", "test": "pnpm -r test", "lint": "eslint ."},
                 "devDependencies": {"typescript": "^5.4.%d" % (rev % 6), "eslint": "^8.57.0",
                                     "prettier": "^3.2.5"}}
        else:
            deps = {"@acme/" + p: "workspace:*" for p in self.deps_of.get(area.name, [])}
            for name, version in self.external_deps(area, rev).items():
                deps[name] = "^" + version
            d = {"name": "@acme/" + area.name, "version": "1.%d.0" % rev, "private": True,
                 "main": "dist/index.js",
                 "scripts": {"build": "tsc -p tsconfig.json", "test": "vitest run",
                             "start": "node dist/index.js"},
                 "dependencies": dict(sorted(deps.items()))}
        return (json.dumps(d, indent=2) + "\n").encode()

    def dockerfile(self, area, rev):
        return ("# syntax=docker/dockerfile:1 (rev %d)\n"
                "ARG BASE=acme/service-base:%d\n"
                "FROM ${BASE}\n"
                "WORKDIR /app/services/%s\n"
                "COPY dist ./dist\n"
                "ENV SERVICE_NAME=%s PORT=%d\n"
                "EXPOSE %d\n"
                "CMD [\"node\", \"dist/index.js\"]\n"
                % (rev, rev, area.name, area.name, 3000 + rev, 3000 + rev)).encode()

    def external_deps(self, area, rev):
        """An area's npm dependencies: name -> version, the patch level being its
        package.json's revision (a new package.json bumps all of them)."""
        r = random.Random(zlib.crc32(area.name.encode()) + self.a.seed)
        deps = {}
        for _ in range(r.randrange(2, 7)):
            deps[r.choice(NPM_NAMES)] = "%d.%d.%d" % (r.randrange(1, 9), r.randrange(30), rev)
        return deps

    def pool_version(self, i):
        return "%d.%d.%d" % (1 + i % 7, (i * 7) % 20, i % 5 + self.pool_bumps.get(i, 0))

    def pool_deps(self, i):
        """Transitive dependencies of pool entry i: entries with a lower index (a DAG)."""
        r = random.Random(i * 7919 + self.a.seed)
        return sorted(set(r.randrange(i) for _ in range(r.randrange(0, 5)))) if i else []

    def lockfile(self, rev):
        """A pnpm v9 lockfile of the workspace as its package.json files are now:
        each importer's npm dependencies resolved, each of those depending on a
        few entries of a pool of transitive packages, ~5 MB in all."""
        def integrity(key):
            return base64.b64encode(hashlib.sha512(key.encode()).digest()).decode()

        def quoted(name):
            return "'%s'" % name if name.startswith("@") else name

        root_rev = self.files["package.json"][3]
        out = ["lockfileVersion: '9.0'", "", "settings:", "  autoInstallPeers: true",
               "  excludeLinksFromLockfile: false", "", "importers:", "", "  .:", "    devDependencies:",
               "      typescript:", "        specifier: ^5.4.%d" % (root_rev % 6),
               "        version: 5.4.%d" % (root_rev % 6), ""]
        direct = {"typescript@5.4.%d" % (root_rev % 6): []}  # name@version -> pool entries it depends on
        for name in self.workspace_names:
            area = self.svc_area.get(name) or self.pkg_area.get(name)
            rec = self.files.get(area.root + "/package.json")
            if rec is None:
                continue
            out.append("  %s:" % self.workspace_dir[name])
            out.append("    dependencies:")
            entries = [("@acme/" + d, "workspace:*", "link:../../packages/" + d) for d in self.deps_of.get(name, [])]
            for dep, version in self.external_deps(area, rec[3]).items():
                entries.append((dep, "^" + version, version))
                r = random.Random(zlib.crc32(dep.encode()) + self.a.seed)
                direct["%s@%s" % (dep, version)] = sorted(set(r.randrange(LOCK_POOL) for _ in range(r.randrange(2, 8))))
            for dep, spec, version in sorted(entries):
                out += ["      %s:" % quoted(dep), "        specifier: '%s'" % spec, "        version: %s" % version]
            out.append("")
        pool = {}
        for i in range(LOCK_POOL):
            pool["%s@%s" % (LOCK_POOL_NAMES[i], self.pool_version(i))] = i
        out += ["packages:", ""]
        keys = sorted(set(direct) | set(pool))
        for key in keys:
            out += ["  '%s':" % key, "    resolution: {integrity: sha512-%s}" % integrity(key),
                    "    engines: {node: '>=18'}", ""]
        out += ["snapshots:", ""]
        for key in keys:
            deps = direct[key] if key in direct else self.pool_deps(pool[key])
            if not deps:
                out += ["  '%s': {}" % key, ""]
                continue
            out += ["  '%s':" % key, "    dependencies:"]
            for j in deps:
                out.append("      %s: %s" % (quoted(LOCK_POOL_NAMES[j]), self.pool_version(j)))
            out.append("")
        return ("\n".join(out) + "\n").encode()

    # ---------------------------------------------------------------- layout
    def new_rec(self, path, mode, kind, size, area, key=None):
        rec = [mode, kind, size, 1, key if key is not None else path, area]
        self.files[path] = rec
        if area is not None:
            area.add(path)
        return rec

    def rand_size(self):
        r = self.rng.random()
        if r < 0.0006:  # a few large files: 64 KiB .. 1 MiB
            return self.rng.randrange(64 << 10, 1 << 20)
        return int(200 * (8192 / 200) ** self.rng.random())

    def make_dirs(self, area, n_files, top):
        """Directories 2..5 deep below area.root: top/w1[/w2[/w3[/w4]]]."""
        ndirs = max(2, n_files // 7)
        seen = set()
        dirs = []
        while len(dirs) < ndirs:
            depth = self.rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
            parts = [self.rng.choice(top)] + [self.rng.choice(WORDS) for _ in range(depth)]
            d = area.root + "/" + "/".join(parts)
            if d not in seen:
                seen.add(d)
                dirs.append(d)
        area.dirs = dirs

    def new_name(self, d, ext):
        for _ in range(50):
            base = self.rng.choice(WORDS) + cap(self.rng.choice(WORDS))
            p = d + "/" + base + ext
            if p not in self.files:
                return p
        i = 0
        while True:
            p = "%s/%s%d%s" % (d, self.rng.choice(WORDS), i, ext)
            if p not in self.files:
                return p
            i += 1

    def pick_mix(self, mix):
        tot = sum(m[2] for m in mix)
        x = self.rng.randrange(tot)
        for ext, kind, w in mix:
            if x < w:
                return ext, kind
            x -= w
        return mix[-1][:2]

    def add_variable_file(self, area, mix, d=None):
        ext, kind = self.pick_mix(mix)
        d = d or self.rng.choice(area.dirs)
        p = self.new_name(d, ext)
        return p, self.new_rec(p, 0o100644, kind, self.rand_size(), area)

    def build_config(self):
        a, rng = self.a, self.rng
        self.pkg_names = ["pkg-%03d" % i for i in range(1, a.packages + 1)]
        self.svc_names = ["svc-%03d" % i for i in range(1, a.services + 1)]
        self.deps_of = {}
        for i, p in enumerate(self.pkg_names):
            k = min(i, rng.choice((0, 1, 1, 2, 2, 3)))
            self.deps_of[p] = sorted(rng.sample(self.pkg_names[:i], k)) if k else []
        for s in self.svc_names:
            k = min(len(self.pkg_names), rng.randrange(1, 5))
            self.deps_of[s] = sorted(rng.sample(self.pkg_names, k))
        self.workspace_dir = {p: "packages/" + p for p in self.pkg_names}
        self.workspace_dir.update({s: "services/" + s for s in self.svc_names})
        self.workspace_names = self.pkg_names + self.svc_names
        # Services with a glob path instead of their directory, and users of .npmrc.
        self.glob_svcs = set(self.svc_names[11::40])
        self.npmrc_svcs = set(self.svc_names[3::7])
        self.svc_paths = {}
        for s in self.svc_names:
            root = "services/" + s
            if s in self.glob_svcs:
                paths = [root + "/src/**/*.ts", root + "/package.json", root + "/Dockerfile"]
            else:
                paths = [root]
            if s in self.npmrc_svcs:
                paths.append(NPMRC)
            self.svc_paths[s] = paths

    def toml(self):
        q = lambda xs: "[" + ", ".join(json.dumps(x) for x in xs) + "]"
        out = ["# Generated by bench/gen_monorepo.py (seed %d)." % self.a.seed, "",
               "[workspace]", "inputs = " + q(WORKSPACE_INPUTS),
               "exclude = " + q(WORKSPACE_EXCLUDE), ""]
        for p in self.pkg_names:
            out.append("[package.%s]" % p)
            out.append("paths = " + q(["packages/" + p]))
            if self.deps_of[p]:
                out.append("deps = " + q(self.deps_of[p]))
            out.append("")
        for s in self.svc_names:
            out.append("[service.%s]" % s)
            out.append("paths = " + q(self.svc_paths[s]))
            out.append("deps = " + q(self.deps_of[s]))
            out.append("exclude = " + q(["services/%s/**/*.test.ts" % s]))
            out.append("")
        return "\n".join(out)

    def build_tree(self):
        a, rng = self.a, self.rng
        self.build_config()
        self.static = {
            "wharf.toml": lambda rev: self.toml().encode(),
            "pnpm-workspace.yaml": lambda rev: (
                "packages:\n  - 'packages/*'\n  - 'services/*'\n  - 'tools/*'\n# rev %d\n" % rev).encode(),
            NPMRC: lambda rev: (
                "auto-install-peers=true\nstrict-peer-dependencies=false\n"
                "@acme:registry=https://npm.acme.invalid/\n# rev %d\n" % rev).encode(),
            "infra/docker/service.Dockerfile": lambda rev: (
                "# shared build stage (rev %d)\nFROM node:20-slim AS deps\nRUN corepack enable\n"
                "WORKDIR /app\nCOPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc ./\n"
                "RUN pnpm fetch --prod\nCOPY . .\nRUN pnpm install --offline --frozen-lockfile\n"
                "ARG SERVICE\nRUN pnpm --filter @acme/${SERVICE} build\n" % rev).encode(),
            ".gitignore": lambda rev: b"node_modules/\ndist/\n.env\n*.log\n",
        }
        root = Area("(root)", "", "root")
        self.root_area = root
        self.areas.append(root)
        self.new_rec("wharf.toml", 0o100644, "static", 0, root)
        self.new_rec("pnpm-workspace.yaml", 0o100644, "static", 0, root)
        self.new_rec(NPMRC, 0o100644, "static", 0, root)
        self.new_rec("infra/docker/service.Dockerfile", 0o100644, "static", 0, root)
        self.new_rec(".gitignore", 0o100644, "static", 0, root)
        self.new_rec("pnpm-lock.yaml", 0o100644, "lock", 0, root)
        self.new_rec("package.json", 0o100644, "pkgjson", 0, root)
        self.new_rec("README.md", 0o100644, "md", 3000, root)
        self.new_rec("tsconfig.base.json", 0o100644, "json", 900, root)

        self.svc_area, self.pkg_area = {}, {}
        fixed_svc, fixed_pkg = 6, 4
        budget = a.files - len(self.files) - fixed_svc * a.services - fixed_pkg * a.packages
        if budget < 0:
            sys.exit("--files too small for that many services/packages")
        shares = {"svc": 0.77, "pkg": 0.18}
        n_svc_var = int(budget * shares["svc"]) if a.services else 0
        n_pkg_var = int(budget * shares["pkg"]) if a.packages else 0
        n_other = budget - n_svc_var - n_pkg_var

        def split(total, names):
            w = [rng.uniform(0.4, 1.6) for _ in names]
            sw = sum(w)
            counts = [int(total * x / sw) for x in w]
            for i in range(total - sum(counts)):
                counts[i % len(counts)] += 1
            return counts

        for s, n in zip(self.svc_names, split(n_svc_var, self.svc_names) if a.services else []):
            ar = Area(s, "services/" + s, "service")
            self.areas.append(ar)
            self.svc_area[s] = ar
            self.make_dirs(ar, n, ("src", "src", "src", "src", "test", "migrations"))
            self.new_rec(ar.root + "/package.json", 0o100644, "pkgjson", 0, ar)
            self.new_rec(ar.root + "/Dockerfile", 0o100644, "dockerfile", 0, ar)
            self.new_rec(ar.root + "/README.md", 0o100644, "md", self.rand_size(), ar)
            self.new_rec(ar.root + "/tsconfig.json", 0o100644, "json", 400, ar)
            self.new_rec(ar.root + "/src/index.ts", 0o100644, "code", self.rand_size(), ar)
            self.new_rec(ar.root + "/scripts/start.sh", 0o100755 if rng.random() < 0.5 else 0o100644,
                         "code", 300, ar)
            for _ in range(n):
                self.add_variable_file(ar, SERVICE_MIX)
        for p, n in zip(self.pkg_names, split(n_pkg_var, self.pkg_names) if a.packages else []):
            ar = Area(p, "packages/" + p, "package")
            self.areas.append(ar)
            self.pkg_area[p] = ar
            self.make_dirs(ar, n, ("src", "src", "src", "test"))
            self.new_rec(ar.root + "/package.json", 0o100644, "pkgjson", 0, ar)
            self.new_rec(ar.root + "/README.md", 0o100644, "md", self.rand_size(), ar)
            self.new_rec(ar.root + "/tsconfig.json", 0o100644, "json", 400, ar)
            self.new_rec(ar.root + "/src/index.ts", 0o100644, "code", self.rand_size(), ar)
            for _ in range(n):
                self.add_variable_file(ar, PACKAGE_MIX)
        self.other_areas = []
        for name, mix, frac in (("docs", DOCS_MIX, 0.5), ("tools", TOOLS_MIX, 0.35),
                                ("infra/terraform", [(".tf", "code", 1)], 0.15)):
            ar = Area(name, name, "other")
            ar.mix = mix
            self.areas.append(ar)
            self.other_areas.append(ar)
            n = int(n_other * frac) if name != "infra/terraform" else n_other - sum(
                len(x.paths) for x in self.other_areas[:-1])
            self.make_dirs(ar, n, WORDS)
            for _ in range(n):
                self.add_variable_file(ar, mix)

    # ---------------------------------------------------------------- output
    def emit_file(self, out, path):
        rec = self.files[path]
        data = self.content(rec)
        out.write(b"M %o inline %s\ndata %d\n" % (rec[0], path.encode(), len(data)))
        out.write(data)
        out.write(b"\n")

    def begin_commit(self, out, mark, t, msg):
        m = msg.encode()
        out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
        out.write(b"author %s %d +0000\ncommitter %s %d +0000\n" % (AUTHOR, t, AUTHOR, t))
        out.write(b"data %d\n%s\n" % (len(m), m))

    # ---------------------------------------------------------------- history ops
    def modify(self, out, path):
        if path in WORKSPACE_INPUTS:
            self.ws_commits.append(self.cur)
        rec = self.files[path]
        rec[3] += 1
        if rec[1] in ("code", "md", "json") and self.rng.random() < 0.3:
            rec[2] = max(200, min(int(rec[2] * self.rng.uniform(0.8, 1.25)), 8192 if rec[2] <= 8192 else rec[2]))
        self.emit_file(out, path)

    def delete(self, out, path):
        rec = self.files.pop(path)
        if rec[5] is not None:
            rec[5].remove(path)
        out.write(b"D %s\n" % path.encode())
        self.stats["deletes"] += 1

    def rename(self, out, old, new_area, new_dir):
        ext = "." + old.rsplit("/", 1)[1].split(".", 1)[1]
        new = self.new_name(new_dir, ext)
        rec = self.files.pop(old)
        rec[5].remove(old)
        rec[5] = new_area
        self.files[new] = rec
        new_area.add(new)
        out.write(b"R %s %s\n" % (old.encode(), new.encode()))
        self.stats["renames"] += 1
        return new

    def files_in(self, area, pred):
        return [p for p in area.paths if pred(p)]

    def pick_some(self, lst, lo, hi):
        if not lst:
            return []
        k = min(len(lst), self.rng.randint(lo, hi))
        return self.rng.sample(lst, k)

    def service_commit(self, out, ar, sub):
        rng = self.rng
        is_test = lambda p: p.endswith(".test.ts")
        is_md = lambda p: p.endswith(".md")
        msg = "%s: " % ar.name
        if sub == "tests":
            picks = self.pick_some(self.files_in(ar, is_test), 1, 5)
            msg += "tests only"
        elif sub == "docs":
            picks = self.pick_some(self.files_in(ar, is_md), 1, 3)
            msg += "docs only"
        elif sub == "nonts" :
            picks = self.pick_some(self.files_in(ar, lambda p: "/src/" in p and not p.endswith(".ts")), 1, 3)
            msg += "assets / sql / json"
        elif sub == "config":
            picks = [p for p in (ar.root + "/package.json", ar.root + "/Dockerfile") if p in self.files]
            picks = picks[:rng.randint(1, 2)]
            msg += "bump dependencies"
        else:
            picks = self.pick_some(ar.paths, 1, 10)
            msg += "change %s" % rng.choice(WORDS)
        if not picks:
            picks = self.pick_some(ar.paths, 1, 3)
        for p in sorted(picks):
            self.modify(out, p)
        if sub == "normal" and ar.dirs:
            if rng.random() < 0.15:
                for _ in range(rng.randint(1, 3)):
                    p, _r = self.add_variable_file(ar, SERVICE_MIX if ar.kind == "service" else PACKAGE_MIX)
                    self.emit_file(out, p)
            if rng.random() < 0.06:
                cand = [p for p in ar.paths if p not in picks and "/src/" in p and p != ar.root + "/src/index.ts"]
                if cand:
                    self.delete(out, rng.choice(cand))
        return msg

    def run_history(self, out):
        a, rng = self.a, self.rng
        n = a.commits
        t = EPOCH0
        self.begin_commit(out, 1, t, "Initial import of the platform monorepo")
        for p in sorted(self.files):
            self.emit_file(out, p)
        # Special operations at seeded positions (commit index 1..n-1).
        specials = ["rename", "rename", "rename", "xrename", "delete", "delete", "delete",
                    "dirdelete", "chmod", "symlink", "relink", "npmrc", "dockerfile",
                    "workspace", "globnonts", "globnonts", "globindex"]
        positions = list(range(2, n)) if n > 2 else []
        rng.shuffle(positions)
        special_at = {}
        for i, sp in enumerate(specials[:len(positions)]):
            special_at[positions[i]] = sp
        symlink_path = None
        svc_list = [self.svc_area[s] for s in self.svc_names]
        pkg_list = [self.pkg_area[p] for p in self.pkg_names]
        glob_list = [self.svc_area[s] for s in sorted(self.glob_svcs)]
        self.ws_commits = []
        for i in range(1, n):
            self.cur = i
            t += rng.randrange(300, 7200)
            sp = special_at.get(i)
            buf = _Buf()
            if sp in ("symlink", "relink") and svc_list:
                if symlink_path is None:
                    ar = rng.choice(svc_list)
                    symlink_path = ar.root + "/config/npmrc"
                    self.new_rec(symlink_path, 0o120000, "link", 0, ar, key="../../../" + NPMRC)
                    msg = "%s: link shared npmrc" % ar.name
                    self.stats["symlinks"] += 1
                else:
                    rec = self.files[symlink_path]
                    rec[4] = "../../../infra/docker/service.Dockerfile"
                    msg = "%s: point config link at Dockerfile" % rec[5].name
                    self.stats["symlinks"] += 1
                self.emit_file(buf, symlink_path)
            elif sp == "rename" and svc_list:
                ar = rng.choice(svc_list)
                cand = self.files_in(ar, lambda p: "/src/" in p and p.endswith(".ts") and not p.endswith("index.ts"))
                if cand:
                    old = rng.choice(cand)
                    self.rename(buf, old, ar, rng.choice(ar.dirs))
                    msg = "%s: move %s" % (ar.name, old.rsplit("/", 1)[1])
                else:
                    msg = self.service_commit(buf, ar, "normal")
            elif sp == "xrename" and len(svc_list) > 1:
                ar, br = rng.sample(svc_list, 2)
                cand = self.files_in(ar, lambda p: "/src/" in p and p.endswith(".ts") and not p.endswith("index.ts"))
                old = rng.choice(cand)
                self.rename(buf, old, br, rng.choice(br.dirs))
                msg = "move %s from %s to %s" % (old.rsplit("/", 1)[1], ar.name, br.name)
            elif sp == "delete" and svc_list:
                ar = rng.choice(svc_list)
                cand = self.files_in(ar, lambda p: "/src/" in p and not p.endswith("index.ts"))
                self.delete(buf, rng.choice(cand))
                msg = "%s: remove dead code" % ar.name
            elif sp == "dirdelete" and svc_list:
                ar = rng.choice(svc_list)
                # the directory with the most files below it, other than src itself
                counts = {}
                for p in ar.paths:
                    parts = p[len(ar.root) + 1:].split("/")
                    if len(parts) >= 3:
                        d = ar.root + "/" + "/".join(parts[:2])
                        counts[d] = counts.get(d, 0) + 1
                d = max(sorted(counts), key=lambda k: counts[k])
                for p in [p for p in ar.paths if p.startswith(d + "/")]:
                    self.files.pop(p)
                    ar.remove(p)
                ar.dirs = [x for x in ar.dirs if not (x == d or x.startswith(d + "/"))] or ar.dirs
                buf.write(b"D %s\n" % d.encode())
                self.stats["dir_deletes"] += 1
                msg = "%s: drop %s" % (ar.name, d[len(ar.root) + 1:])
            elif sp == "chmod" and svc_list:
                cand = [ar for ar in svc_list if self.files.get(ar.root + "/scripts/start.sh", [0])[0] == 0o100644]
                ar = rng.choice(cand)
                p = ar.root + "/scripts/start.sh"
                self.files[p][0] = 0o100755
                self.emit_file(buf, p)
                self.stats["chmods"] += 1
                msg = "%s: make start.sh executable" % ar.name
            elif sp == "npmrc":
                self.modify(buf, NPMRC)
                msg = "infra: registry settings"
            elif sp == "dockerfile":
                self.modify(buf, "infra/docker/service.Dockerfile")
                msg = "infra: shared Dockerfile uses pnpm fetch"
            elif sp == "workspace":
                self.modify(buf, "pnpm-workspace.yaml")
                msg = "workspace: add tools/*"
            elif sp in ("globnonts", "globindex") and glob_list:
                ar = rng.choice(glob_list)
                if sp == "globindex":
                    self.modify(buf, ar.root + "/src/index.ts")
                    msg = "%s: entry point" % ar.name
                else:
                    msg = self.service_commit(buf, ar, "nonts")
            else:
                x = rng.random()
                if x < 1 / 40:
                    # A dependency update: one area's npm dependencies (its
                    # package.json and the lockfile), or, one time in four, a
                    # transitive package that many areas reach (the lockfile only).
                    if rng.random() < 0.25:
                        j = rng.randrange(LOCK_POOL)
                        self.pool_bumps[j] = self.pool_bumps.get(j, 0) + 1
                        msg = "deps: update transitive %s to %s" % (LOCK_POOL_NAMES[j], self.pool_version(j))
                        self.stats["transitive_lockfile_commits"] += 1
                    else:
                        ar = rng.choice(svc_list + pkg_list)
                        self.modify(buf, ar.root + "/package.json")
                        msg = "deps: bump npm dependencies of %s" % ar.name
                    self.modify(buf, "pnpm-lock.yaml")
                    self.stats["lockfile_commits"] += 1
                elif x < 1 / 40 + 0.12 and pkg_list:
                    ar = rng.choice(pkg_list)
                    y = rng.random()
                    sub = "docs" if y < 0.15 else "tests" if y < 0.3 else "normal"
                    msg = self.service_commit(buf, ar, sub)
                    self.stats["package_commits"] += 1
                elif x < 1 / 40 + 0.16:
                    ar = rng.choice(self.other_areas)
                    for p in sorted(self.pick_some(ar.paths, 1, 6)):
                        self.modify(buf, p)
                    msg = "%s: update" % ar.name
                    self.stats["other_commits"] += 1
                else:
                    ar = rng.choice(svc_list)
                    y = rng.random()
                    sub = ("tests" if y < 0.15 else "docs" if y < 0.25 else
                           "config" if y < 0.33 else "nonts" if y < 0.38 else "normal")
                    msg = self.service_commit(buf, ar, sub)
                    self.stats["service_commits"] += 1
            self.begin_commit(out, i + 1, t, msg)
            out.write(buf.getvalue())
        out.write(b"done\n")


class _Buf:
    def __init__(self):
        self.parts = []

    def write(self, b):
        self.parts.append(b)

    def getvalue(self):
        return b"".join(self.parts)


NPM_NAMES = ["express", "fastify", "zod", "pino", "ioredis", "pg", "kysely", "dayjs",
             "lodash", "uuid", "jsonwebtoken", "axios", "undici", "@aws-sdk/client-s3",
             "@nestjs/core", "@nestjs/common", "rxjs", "class-validator", "bullmq", "nanoid"]
# Transitive packages of the lockfile: names made of two words and a role.
LOCK_POOL = 12000
LOCK_POOL_NAMES = ["%s%s-%s-%s" % ("@types/" if i % 9 == 0 else "", WORDS[i % len(WORDS)],
                                   WORDS[(i // len(WORDS)) % len(WORDS)],
                                   ("core", "utils", "parser", "plugin", "cli")[i % 5])
                   + ("-%d" % (i // len(WORDS) ** 2) if i >= len(WORDS) ** 2 else "")
                   for i in range(LOCK_POOL)]


def service_pathspecs(g, s):
    """Git pathspecs for the inputs of service s (reference for the bench loop)."""
    seen, order, stack = set(), [], list(reversed(g.deps_of[s]))
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        order.append(p)
        stack.extend(reversed(g.deps_of[p]))
    specs = []
    for path in g.svc_paths[s]:
        specs.append(":(glob)" + path if any(c in path for c in "*?[") else path)
    specs += ["packages/" + p for p in sorted(order)]
    specs += WORKSPACE_INPUTS
    specs += [":(exclude,glob)" + e for e in WORKSPACE_EXCLUDE]
    specs.append(":(exclude,glob)services/%s/**/*.test.ts" % s)
    return specs, len(order)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--services", type=int, default=500)
    ap.add_argument("--packages", type=int, default=200)
    ap.add_argument("--files", type=int, default=70000)
    ap.add_argument("--commits", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--since-back", type=int, default=50,
                    help="since.txt gets the commit this many commits before HEAD")
    ap.add_argument("--no-checkout", action="store_true",
                    help="leave the work tree empty (plan benchmarks only need objects)")
    ap.add_argument("--force", action="store_true", help="remove OUTDIR first if it exists")
    a = ap.parse_args()
    if a.services < 1 or a.packages < 1 or a.commits < 2:
        sys.exit("need --services >= 1, --packages >= 1, --commits >= 2")
    t0 = time.time()
    out_dir = os.path.abspath(a.outdir)
    if os.path.exists(out_dir):
        if a.force:
            shutil.rmtree(out_dir)
        elif os.listdir(out_dir):
            sys.exit("%s exists and is not empty (use --force)" % out_dir)
    os.makedirs(out_dir, exist_ok=True)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               LC_ALL="C", TZ="UTC")
    git = lambda *args, **kw: subprocess.run(["git", "-C", out_dir] + list(args), env=env,
                                             check=True, **kw)
    git("init", "-q", "-b", "main")
    git("config", "gc.auto", "0")
    bench_dir = os.path.join(out_dir, ".wharf-bench")
    os.makedirs(bench_dir)
    marks = os.path.join(bench_dir, "marks")
    with open(os.path.join(out_dir, ".git", "info", "exclude"), "a") as f:
        f.write("/.wharf-bench/\n")

    g = Gen(a)
    g.build_tree()
    t_tree = time.time()
    proc = subprocess.Popen(["git", "-C", out_dir, "fast-import", "--quiet", "--done",
                             "--export-marks=" + marks], stdin=subprocess.PIPE, env=env)
    out = proc.stdin
    g.run_history(out)
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    t_import = time.time()

    shas = {}
    with open(marks) as f:
        for line in f:
            m, sha = line.split()
            shas[int(m[1:])] = sha
    os.unlink(marks)
    commits = [shas[i] for i in range(1, a.commits + 1)]
    head = commits[-1]
    if not a.no_checkout:
        git("-c", "checkout.workers=0", "reset", "-q", "--hard", "main")
    t_co = time.time()

    # Bench side files (a separate RNG so they do not disturb the history).
    r = random.Random(a.seed * 1000003 + 17)
    live = {s: commits[r.randrange(len(commits))] for s in g.svc_names}
    with open(os.path.join(bench_dir, "live.json"), "w") as f:
        json.dump(live, f, indent=1, sort_keys=True)
        f.write("\n")
    # About --since-back commits before HEAD; prefer (within +-10) a base after the last
    # workspace-input change, so that the --since answer is not simply "every service".
    last = len(commits) - 1
    want = max(0, last - a.since_back)
    ok = [c for c in range(max(0, want - 10), min(last, want + 10) + 1)
          if not any(w > c for w in g.ws_commits)]
    since_idx = min(ok, key=lambda c: (abs(c - want), c)) if ok else want
    since = commits[since_idx]
    with open(os.path.join(bench_dir, "since.txt"), "w") as f:
        f.write(since + "\n")
    closure = []
    with open(os.path.join(bench_dir, "inputs.tsv"), "w") as f:
        for s in g.svc_names:
            specs, nclos = service_pathspecs(g, s)
            closure.append(nclos)
            f.write("%s\t%s\n" % (s, " ".join(specs)))
    meta = {"seed": a.seed, "services": a.services, "packages": a.packages,
            "commits": a.commits, "files_at_head": len(g.files), "head": head,
            "since": since, "since_back": last - since_idx,
            "workspace_input_commits": sorted(set(g.ws_commits)),
            "glob_services": sorted(g.glob_svcs), "npmrc_services": len(g.npmrc_svcs),
            "package_closure_per_service": {"min": min(closure), "max": max(closure),
                                            "mean": round(sum(closure) / len(closure), 1)},
            "ops": g.stats,
            "seconds": {"layout": round(t_tree - t0, 2), "fast_import": round(t_import - t_tree, 2),
                        "checkout": round(t_co - t_import, 2), "total": round(time.time() - t0, 2)}}
    with open(os.path.join(bench_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print("generated %s: %d files at HEAD, %d commits, HEAD %s (%.1f s)"
          % (out_dir, len(g.files), a.commits, head, time.time() - t0))


if __name__ == "__main__":
    main()
