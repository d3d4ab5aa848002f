#!/usr/bin/env python3
"""Deterministic file trees for bench/pack_bench.sh: what a service bundle looks like.

  gen_pack_tree.py OUTDIR --files N --megabytes M [--seed S]

By bytes about 70% source-like text (JS/TS/JSON/SQL/Markdown built from a
vocabulary, so it compresses like code, ~4-6x), 15% semi-structured binary
(compressible ~2x), 10% random bytes (incompressible: images, fonts), 5% in
.png/.gz names (already compressed). File sizes are log-normal around the
mean, in nested directories, a few executables and symlinks.
"""
import argparse
import os
import random

WORDS = ("const let var function return import export from default async await if else for while "
         "switch case break continue new this class extends super null undefined true false try catch "
         "throw typeof instanceof request response handler user account order payment invoice item "
         "status error message config options value result data index length push map filter reduce "
         "then promise resolve reject logger debug info warn select insert update delete where join "
         "table column primary key foreign references create alter drop id name email created_at").split()
PUNCT = ["(", ")", "{", "}", ";", ",", ".", " = ", " => ", " + ", "\n", "\n  ", "\n    ", ": ", "[", "]"]


def text_bytes(rng, size):
    out = []
    n = 0
    while n < size:
        chunk = " ".join(rng.choices(WORDS, k=48)) + rng.choice(PUNCT) + str(rng.randrange(10000)) + \
            "".join(rng.choices(PUNCT, k=6))
        out.append(chunk)
        n += len(chunk)
    return "".join(out).encode()[:size]


def semi_binary(rng, size):
    # Records of small integers and repeated tags: compresses about 2x.
    base = bytes(rng.randrange(256) for _ in range(4096))
    out = bytearray()
    while len(out) < size:
        start = rng.randrange(len(base) - 64)
        out += base[start:start + 64] + rng.randrange(1 << 32).to_bytes(4, "little") * 4
    return bytes(out[:size])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, required=True)
    ap.add_argument("--megabytes", type=float, required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    mean = args.megabytes * 1e6 / args.files
    sizes = [rng.lognormvariate(0, 1.2) for _ in range(args.files)]
    scale = mean * args.files / sum(sizes)
    dirs = ["src", "src/routes", "src/models", "src/lib", "node_modules/a/lib", "node_modules/b/dist",
            "node_modules/c", "migrations", "assets", "assets/img", "docs", "bin", "config", "locales"]
    os.makedirs(args.out, exist_ok=True)
    for i, s in enumerate(sizes):
        size = max(1, int(s * scale))
        kind = rng.random()
        d = os.path.join(args.out, rng.choice(dirs), f"m{i % 37}")
        os.makedirs(d, exist_ok=True)
        if kind < 0.70:
            name, data = f"f{i}.{rng.choice(['js', 'ts', 'json', 'sql', 'md'])}", text_bytes(rng, size)
        elif kind < 0.85:
            name, data = f"f{i}.bin", semi_binary(rng, size)
        elif kind < 0.95:
            name, data = f"f{i}.dat", rng.randbytes(size)
        else:
            name, data = f"f{i}.{rng.choice(['png', 'gz'])}", rng.randbytes(size)
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        if i % 97 == 0:
            os.chmod(path, 0o755)
        if i % 211 == 0:
            link = os.path.join(d, f"link{i}")
            if not os.path.lexists(link):
                os.symlink(name, link)


if __name__ == "__main__":
    main()
