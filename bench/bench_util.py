#!/usr/bin/env python3
"""Small helpers for the bench/*.sh scripts (python3 stdlib only).

  plan-input LIVE_JSON INPUTS_TSV          -> stdout: name<TAB>base<TAB>pathspecs
  prefix-map INPUTS_TSV                    -> stdout: prefix<TAB>space-separated services
  uniform-input SHA INPUTS_TSV             -> like plan-input, with the same base for all
  deploy-set WHARF_JSON                    -> stdout: sorted names with action "deploy"
                                              (exit 1 with a message if the JSON is not a plan)
  loop-set LOOP_OUTPUT                     -> stdout: sorted names of "DEPLOY name" lines
  compare LABEL_A FILE_A LABEL_B FILE_B    -> prints MISMATCH details, exit 1 if sets differ
  hf-stats HYPERFINE_JSON                  -> stdout: "min mean median cpu" (seconds; cpu =
                                              (user + system) / wall, 2.0 = two cores busy)
"""

import json
import sys


def read_inputs(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            name, _, specs = line.partition("\t")
            rows.append((name, specs))
    return rows


def literal_prefix(spec):
    """Directory/file prefix that a positive pathspec can match (for the awk baseline)."""
    if spec.startswith(":(glob)"):
        spec = spec[len(":(glob)"):]
        parts = []
        for comp in spec.split("/"):
            if any(c in comp for c in "*?["):
                break
            parts.append(comp)
        return "/".join(parts)
    return spec


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "plan-input":
        with open(argv[2]) as f:
            live = json.load(f)
        for name, specs in read_inputs(argv[3]):
            print("%s\t%s\t%s" % (name, live.get(name, ""), specs))
    elif cmd == "uniform-input":
        for name, specs in read_inputs(argv[3]):
            print("%s\t%s\t%s" % (name, argv[2], specs))
    elif cmd == "prefix-map":
        m = {}
        for name, specs in read_inputs(argv[2]):
            for s in specs.split():
                if s.startswith(":(exclude") or s.startswith(":!") or s.startswith(":^"):
                    continue
                p = literal_prefix(s)
                lst = m.setdefault(p, [])
                if name not in lst:
                    lst.append(name)
        for p in sorted(m):
            print("%s\t%s" % (p, " ".join(m[p])))
    elif cmd == "deploy-set":
        try:
            with open(argv[2]) as f:
                doc = json.load(f)
            svcs = doc["services"]
            names = sorted(s["name"] for s in svcs if s["action"] == "deploy")
            bad = [s for s in svcs if s["action"] not in ("deploy", "skip")]
        except (OSError, ValueError, KeyError, TypeError) as e:
            print("not a wharf plan JSON (%s: %s)" % (type(e).__name__, e), file=sys.stderr)
            return 1
        if bad:
            print("unexpected action(s): %s" % bad[:3], file=sys.stderr)
            return 1
        for n in names:
            print(n)
    elif cmd == "loop-set":
        with open(argv[2]) as f:
            names = sorted(l.split()[1] for l in f if l.startswith("DEPLOY "))
        for n in names:
            print(n)
    elif cmd == "compare":
        la, fa, lb, fb = argv[2:6]
        a = set(open(fa).read().split())
        b = set(open(fb).read().split())
        if a == b:
            return 0
        print("!!!!!!!! MISMATCH between %s (%d) and %s (%d) !!!!!!!!" % (la, len(a), lb, len(b)))
        if a - b:
            print("  only in %s: %s" % (la, " ".join(sorted(a - b))))
        if b - a:
            print("  only in %s: %s" % (lb, " ".join(sorted(b - a))))
        return 1
    elif cmd == "hf-stats":
        with open(argv[2]) as f:
            r = json.load(f)["results"][0]
        cpu = (r["user"] + r["system"]) / r["mean"] if r["mean"] > 0 else 0.0
        print("%.6f %.6f %.6f %.2f" % (r["min"], r["mean"], r["median"], cpu))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
