# Baseline for `wharf plan --since`: which services does a list of changed paths touch?
#   git diff --name-only --no-renames BASE HEAD | awk -f prefix_match.awk PREFIX_MAP -
# PREFIX_MAP lines: path-prefix<TAB>space-separated services (bench_util.py prefix-map).
# A changed path hits every service listed under the path itself or one of its parent
# directories. Plain prefix matching: excludes are ignored and a glob path is cut to the
# directories before its first wildcard, so the result over-approximates the exact set.
BEGIN { FS = "\t" }
NR == FNR { svcs[$1] = $2; next }
{
  p = $0
  while (1) {
    if (p in svcs) {
      n = split(svcs[p], list, " ")
      for (i = 1; i <= n; i++) hit[list[i]] = 1
    }
    if (!match(p, /\/[^\/]*$/)) break
    p = substr(p, 1, RSTART - 1)
  }
}
END { for (s in hit) print s }
