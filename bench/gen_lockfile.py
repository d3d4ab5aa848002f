#!/usr/bin/env python3
"""Deterministic pnpm-lock.yaml (v9) for bench/lockfile_bench.sh and the tests.

    python3 bench/gen_lockfile.py BEFORE AFTER [--megabytes 5] [--importers 500] [--seed 1]

Writes BEFORE, a lockfile of about --megabytes MB in the layout pnpm 9 writes
(settings, overrides, importers with workspace links, packages with
resolutions, snapshots with dependency edges and peer suffixes), and AFTER,
the same workspace after one dependency that a single importer uses was
bumped by a patch version (its packages and snapshots keys, integrity and the
importer's entry change; everything else is byte-identical, as pnpm would
write it).
"""
import argparse
import base64
import hashlib
import random

SYLLABLES = ["ab", "ac", "al", "an", "ar", "ba", "be", "bo", "ca", "ce", "co", "da", "de", "di", "el", "en",
             "fa", "fi", "ga", "go", "ha", "in", "is", "ja", "ka", "la", "le", "li", "lo", "ma", "me", "mi",
             "mo", "na", "ne", "no", "or", "pa", "pe", "po", "ra", "re", "ri", "ro", "sa", "se", "si", "so",
             "ta", "te", "ti", "to", "un", "va", "ve", "vi", "wa", "xe", "yo", "za", "ze", "zo"]
SCOPES = ["@babel", "@types", "@aws-sdk", "@smithy", "@radix-ui", "@emotion", "@jest", "@octokit"]


def integrity(key):
    return "sha512-" + base64.b64encode(hashlib.sha512(key.encode()).digest()).decode()


def quote(key):
    # pnpm quotes keys that start with '@' (and a few others); a plain key otherwise.
    return f"'{key}'" if key[0] in "@'" else key


class Model:
    def __init__(self, rng, megabytes, importer_count):
        self.rng = rng
        self.packages = {}  # name@version -> {"deps": [name@version...], "peer": bool, "extra": [...]}
        self.names = []
        self.react = ["18.2.0", "18.3.1"]
        for v in self.react:
            self.packages[f"react@{v}"] = {"deps": [], "peer": False, "extra": ["engines: {node: '>=0.10.0'}"]}
        target = megabytes * 1_000_000
        count = int(target / 362)  # ~362 bytes per package across packages/snapshots/importers
        seen = set()
        while len(self.names) < count:
            name = "-".join(rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.2:
                name = f"{rng.choice(SCOPES)}/{name}"
            if name in seen or name == "react":
                continue
            seen.add(name)
            self.names.append(name)
        keys = []
        for name in self.names:
            versions = rng.choice([1, 1, 1, 1, 2])
            for _ in range(versions):
                v = f"{rng.randint(0, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
                keys.append(f"{name}@{v}")
        keys = sorted(set(keys))
        # Layers, as real dependency graphs have: frameworks on top, small
        # utilities at the bottom that many packages share. A dependency goes
        # to a lower layer, favouring its popular packages, so a package
        # reaches tens to hundreds of others, not the whole graph.
        layers = 6
        layer_of = {k: min(layers - 1, int(rng.expovariate(0.6))) for k in keys}
        by_layer = [[k for k in keys if layer_of[k] == i] for i in range(layers)]
        for key in keys:
            extra = []
            if rng.random() < 0.6:
                extra.append("engines: {node: '>=" + str(rng.choice([6, 8, 12, 14, 16, 18])) + "'}")
            if rng.random() < 0.1:
                extra.append("hasBin: true")
            if rng.random() < 0.03:
                extra.append("deprecated: This package is no longer maintained")
            deps = []
            for _ in range(rng.choice([0, 0, 1, 2, 3, 4, 5])):
                lower = layer_of[key] + 1 + int(rng.expovariate(1.5))
                if lower >= layers or not by_layer[lower]:
                    continue
                pool = by_layer[lower]
                deps.append(pool[min(len(pool) - 1, int(rng.paretovariate(1.2)) - 1)])
            deps = list({split(d)[0]: d for d in deps}.values())
            peer = rng.random() < 0.05
            self.packages[key] = {"deps": deps, "peer": peer, "extra": extra}
        self.keys = keys
        self.importers = {}
        dirs = ["."] + [f"packages/lib-{i:03}" for i in range(importer_count // 5)] + \
               [f"apps/svc-{i:03}" for i in range(importer_count - 1 - importer_count // 5)]
        libs = [d for d in dirs if d.startswith("packages/")]
        for d in dirs:
            deps = {}
            for key in rng.sample(keys, rng.randint(4, 14)):
                name = split(key)[0]
                deps[name] = key
            if rng.random() < 0.5:
                deps["react"] = f"react@{rng.choice(self.react)}"
            links = {}
            if d != ".":
                for lib in rng.sample(libs, rng.randint(0, 3)):
                    if lib != d:
                        links["@acme/" + lib.split("/")[1]] = lib
            dev = {}
            for key in rng.sample(keys, rng.randint(0, 4)):
                dev[split(key)[0]] = key
            self.importers[d] = {"deps": deps, "dev": dev, "links": links}

    def peers_of(self, key, react):
        return f"(react@{react})" if self.packages[key]["peer"] else ""


def split(key):
    at = key.index("@", 1)
    return key[:at], key[at + 1:]


def relative(src, dst):
    a = [] if src == "." else src.split("/")
    b = dst.split("/")
    while a and b and a[0] == b[0]:
        a.pop(0)
        b.pop(0)
    return "/".join([".."] * len(a) + b)


def render(model):
    out = []
    w = out.append
    w("lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\n")
    w("overrides:\n  semver: ^7.5.4\n\n")
    w("importers:\n\n")
    snapshots = {}  # snapshot key -> deps (resolved snapshot refs)

    def want(key, react):
        """The snapshot key of `key` in a context where react is `react`, created on first use."""
        peers = model.peers_of(key, react)
        skey = key + peers
        if skey not in snapshots:
            snapshots[skey] = None
            deps = []
            for d in model.packages[key]["deps"]:
                sub = want(d, react)
                name, version = split(sub)
                deps.append((name, version))
            if model.packages[key]["peer"]:
                deps.append(("react", react))
            snapshots[skey] = sorted(deps)
        return skey

    for d in sorted(model.importers, key=lambda x: (x != ".", x)):
        imp = model.importers[d]
        react = imp["deps"].get("react", "react@18.2.0").split("@")[1]
        w(f"  {d}:\n")
        sections = [("dependencies", {**imp["deps"], **{n: None for n in imp["links"]}}), ("devDependencies", imp["dev"])]
        for section, deps in sections:
            if not deps:
                continue
            w(f"    {section}:\n")
            for name in sorted(deps):
                if deps[name] is None:
                    w(f"      {quote(name)}:\n        specifier: workspace:*\n"
                      f"        version: link:{relative(d, imp['links'][name])}\n")
                else:
                    skey = want(deps[name], react)
                    version = split(skey)[1]
                    w(f"      {quote(name)}:\n        specifier: ^{split(deps[name])[1]}\n        version: {version}\n")
        w("\n")
    for key in model.keys:  # every package is in the lockfile, even if no importer reaches it
        want(key, "18.2.0")
    w("packages:\n\n")
    for key in sorted(model.packages):
        pkg = model.packages[key]
        w(f"  {quote(key)}:\n    resolution: {{integrity: {integrity(key)}}}\n")
        for line in pkg["extra"]:
            w(f"    {line}\n")
        if pkg["peer"]:
            w("    peerDependencies:\n      react: ^17.0.0 || ^18.0.0\n")
        w("\n")
    w("snapshots:\n\n")
    for skey in sorted(snapshots):
        deps = snapshots[skey]
        if not deps:
            w(f"  {quote(skey)}: {{}}\n\n")
            continue
        w(f"  {quote(skey)}:\n    dependencies:\n")
        for name, version in deps:
            w(f"      {quote(name)}: {version}\n")
        w("\n")
    return "".join(out)


def bump(model, rng):
    """Bump one dependency that exactly one importer uses directly and no package depends on."""
    used = {}
    for d, imp in model.importers.items():
        for key in list(imp["deps"].values()) + list(imp["dev"].values()):
            used.setdefault(key, set()).add(d)
    depended = {d for pkg in model.packages.values() for d in pkg["deps"]}
    # An app's own dependency: no other importer links to an app.
    candidates = sorted(k for k, ds in used.items() if len(ds) == 1 and k not in depended and
                        not k.startswith("react@") and next(iter(ds)).startswith("apps/"))
    key = rng.choice(candidates)
    name, version = split(key)
    major, minor, patch = map(int, version.split("."))
    new = f"{name}@{major}.{minor}.{patch + 1}"
    while new in model.packages:
        patch += 1
        new = f"{name}@{major}.{minor}.{patch + 1}"
    model.packages[new] = model.packages.pop(key)
    model.keys = sorted(new if k == key else k for k in model.keys)
    (importer,) = used[key]
    for section in ("deps", "dev"):
        for n, k in model.importers[importer][section].items():
            if k == key:
                model.importers[importer][section][n] = new
    return importer, key, new


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--megabytes", type=float, default=5)
    parser.add_argument("--importers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    model = Model(rng, args.megabytes, args.importers)
    before = render(model)
    importer, old, new = bump(model, rng)
    after = render(model)
    with open(args.before, "w") as f:
        f.write(before)
    with open(args.after, "w") as f:
        f.write(after)
    print(f"{len(before)} bytes, {len(model.importers)} importers, {len(model.packages)} packages; "
          f"bumped {old} -> {new} in {importer}")


if __name__ == "__main__":
    main()
