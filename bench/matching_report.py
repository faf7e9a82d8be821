"""Reads /metrics scraped before the PRs, as the measured ones begin, and after, and prints
bench/matching.sh's report: the matching layers' p50/p99 from their buckets, or the
database connections taken from each pool with their mean wait, for the first PRs and
after them apart.

usage: matching_report.py layers|waits BEFORE WARM AFTER WARMUP_PRS
"""
import re
import sys


def samples(path, name):
    """(metric name, labels, value) of every line of the scrape at path whose name matches the pattern name."""
    try:
        lines = open(path).readlines()
    except FileNotFoundError:
        return
    for line in lines:
        m = re.match(r'(%s)\{(.*)\} ([0-9.eE+-]+)$' % name, line.strip())
        if m:
            yield m.group(1), dict(re.findall(r'(\w+)="([^"]*)"', m.group(2))), float(m.group(3))


def layer_buckets(path):
    v = {}
    for _, labels, value in samples(path, r'hookyard_matching_layer_seconds_bucket'):
        v.setdefault(labels["layer"], {})[float(labels["le"])] = value
    return v


def pool_waits(path):
    v = {}
    for metric, labels, value in samples(path, r'vertx_pool_queue_time_seconds_(?:sum|count)'):
        if labels.get("pool_type") == "sql":
            v.setdefault(labels["pool_name"], {})[metric.rsplit("_", 1)[1]] = value
    return v


def quantile(d, q):
    bounds = sorted(d)
    for b in bounds:
        if d[b] >= q * d[bounds[-1]]:
            return b * 1000
    return float("nan")


def main(kind, before_path, warm_path, after_path, warmup):
    read = layer_buckets if kind == "layers" else pool_waits
    before, warm, after = read(before_path), read(warm_path), read(after_path)
    parts = [("the first %s PRs" % warmup, before, warm), ("after them", warm, after)] if warm else [("all PRs", before, after)]
    if kind == "layers":
        for layer in ("explicit", "embed", "semantic", "llm"):
            cells = []
            for title, x, y in parts:
                a = y.get(layer, {})
                d = {b: a[b] - x.get(layer, {}).get(b, 0) for b in a}
                n = d[max(d)] if d else 0
                cells.append("%s: p50 %7.2f  p99 %7.2f  (%d)" % (title, quantile(d, 0.5), quantile(d, 0.99), n) if n else "%s: none" % title)
            print("  %-9s %s" % (layer, "   ".join(cells)))
    else:
        for name in sorted(after):
            cells = []
            for title, x, y in parts:
                count = y[name].get("count", 0) - x.get(name, {}).get("count", 0)
                total = y[name].get("sum", 0) - x.get(name, {}).get("sum", 0)
                cells.append("%s: %d, mean wait %.2f ms" % (title, count, total / count * 1000) if count else "%s: none" % title)
            print("database connections taken, pool %s   %s" % (name, "   ".join(cells)))


if __name__ == "__main__":
    main(*sys.argv[1:6])
