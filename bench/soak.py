#!/usr/bin/env python3
"""Drives bench/soak.sh: deliveries at a fixed rate for a while, the process watched as they go.

Usage: soak.py BASE SECRET TOKEN PID DATA_DIR GC_LOG DURATION_S RATE WARMUP_S REPORT_S

Posts signed deliveries at RATE per second (open loop: a request is due at its time
whether or not the ones before it were answered) in bench/e2e_payloads.py's mix —
per 20: 11 pushes, 4 pull requests, 2 reviews, 3 issue events — where every pull
request names one of 50 board issues (BEN-1 … BEN-50) in its title and body. Every
REPORT_S seconds it prints the process's resident memory, the heap in use after the
latest garbage collection (from the JVM's GC log), the size of the data directory,
the jobs not yet finished and the p50/p99 time to a 2xx answer over that window. At
the end: every answer by status and the slope of the resident memory after WARMUP_S
(least squares over the reports), in MiB per hour.
"""
import hashlib
import hmac
import http.client
import json
import os
import queue
import re
import sys
import threading
import time
import urllib.parse
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_payloads  # noqa: E402

ISSUES = 50
SENDERS = 16
GC_PAUSE = re.compile(r"Pause.* (\d+)([KMG])->(\d+)([KMG])\((\d+)([KMG])\)")
UNITS = {"K": 1 / 1024, "M": 1, "G": 1024}


def delivery(i):
    event, payload = e2e_payloads.delivery(i, 1)
    if event == "pull_request":
        pr = payload["pull_request"]
        issue = 1 + pr["number"] % ISSUES
        pr["title"] = f"BEN-{issue}: {pr['title']}"
        pr["body"] = f"Fixes BEN-{issue}. {pr['body']}"
    return event, json.dumps(payload, separators=(",", ":")).encode()


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


class Sender:
    def __init__(self, base, secret):
        self.url = urllib.parse.urlparse(base)
        self.secret = secret.encode()
        self.due = queue.Queue()
        self.lock = threading.Lock()
        self.statuses = {}
        self.window = []
        self.errors = 0
        self.local = threading.local()

    def connection(self):
        c = getattr(self.local, "c", None)
        if c is None:
            c = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30)
            self.local.c = c
        return c

    def post(self, i):
        event, body = delivery(i)
        headers = {"Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": str(uuid.uuid4()),
                   "X-Hub-Signature-256": "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()}
        started = time.monotonic()
        try:
            c = self.connection()
            c.request("POST", "/webhooks/github", body, headers)
            r = c.getresponse()
            r.read()
            status = r.status
            if r.getheader("Connection", "").lower() == "close":
                c.close()
                self.local.c = None
        except (OSError, http.client.HTTPException):
            status = "error"
            self.local.c = None
        took = (time.monotonic() - started) * 1000
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if isinstance(status, int) and 200 <= status < 300:
                self.window.append(took)

    def work(self):
        while True:
            i = self.due.get()
            if i is None:
                return
            self.post(i)

    def take_window(self):
        with self.lock:
            w, self.window = self.window, []
        return w


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def heap_after_gc_mib(gc_log):
    """The heap in use after the latest collection pause, and how many pauses so far."""
    last, pauses = None, 0
    try:
        with open(gc_log) as f:
            for line in f:
                m = GC_PAUSE.search(line)
                if m:
                    last = int(m.group(3)) * UNITS[m.group(4)]
                    pauses += 1
    except FileNotFoundError:
        pass
    return last, pauses


def dir_mib(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total / (1 << 20)


def queue_depth(base, token):
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        c.request("GET", "/api/v1/jobs/stats", headers={"Authorization": f"Bearer {token}"})
        stats = json.loads(c.getresponse().read())
        return sum(q.get(k, 0) for q in stats.values() for k in ("queued", "running", "failed"))
    except (OSError, ValueError, http.client.HTTPException):
        return -1
    finally:
        c.close()


def slope_per_hour(samples):
    if len(samples) < 2:
        return float("nan")
    n = len(samples)
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    return sum((t - mt) * (v - mv) for t, v in samples) / var * 3600 if var else float("nan")


def main():
    base, secret, token, pid, data_dir, gc_log = sys.argv[1:7]
    duration, rate, warmup, every = (float(a) for a in sys.argv[7:11])
    sender = Sender(base, secret)
    workers = [threading.Thread(target=sender.work, daemon=True) for _ in range(SENDERS)]
    for w in workers:
        w.start()

    print(f"{'t s':>6} {'sent':>7} {'rss MiB':>8} {'heap after GC MiB':>18} {'GC pauses':>10} {'data dir MiB':>13} "
          f"{'queue depth':>12} {'ack p50 ms':>11} {'ack p99 ms':>11}", flush=True)
    samples = []
    start = time.monotonic()
    next_report = start + every
    i = 0
    while True:
        now = time.monotonic()
        if now >= next_report:
            t = next_report - start
            rss = rss_mib(pid)
            heap, pauses = heap_after_gc_mib(gc_log)
            window = sender.take_window()
            samples.append((t, rss))
            print(f"{t:6.0f} {i:7d} {rss:8.0f} {heap if heap is not None else float('nan'):18.0f} {pauses:10d} "
                  f"{dir_mib(data_dir):13.0f} {queue_depth(base, token):12d} {pct(window, 50):11.1f} {pct(window, 99):11.1f}",
                  flush=True)
            next_report += every
            if t >= duration - 1e-6:
                break
            continue
        due = start + i / rate
        if due <= now:
            sender.due.put(i)
            i += 1
            continue
        time.sleep(min(due, next_report) - now)
    for _ in workers:
        sender.due.put(None)
    for w in workers:
        w.join(60)

    after = [(t, v) for t, v in samples if t > warmup]
    statuses = " ".join(f"{k}: {v}" for k, v in sorted(sender.statuses.items(), key=lambda kv: str(kv[0])))
    print(f"sent {i} deliveries in {duration:.0f} s at {rate:g}/s; answers {statuses}")
    if after:
        values = [v for _, v in after]
        print(f"rss after the {warmup:.0f} s warm-up: {min(values):.0f}-{max(values):.0f} MiB over {len(after)} reports, "
              f"slope {slope_per_hour(after):+.1f} MiB/h")
    else:
        print("rss slope: no report after the warm-up (make DURATION longer than WARMUP)")
    ok = all(isinstance(k, int) and 200 <= k < 300 for k in sender.statuses)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
