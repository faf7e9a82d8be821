#!/usr/bin/env python3
"""Drives bench/matching.sh: issues in, pull requests at a fixed rate, board messages out.

  matching_load.py issues BASE TOKEN COUNT
      creates COUNT open issues in workspace "bench" (8 at a time)
  matching_load.py prs BASE TOKEN SECRET COUNT RATE
      posts COUNT signed pull_request "opened" deliveries at RATE per second for the
      tracked bench repository while an SSE client reads the board; every other PR
      names an issue ("Fixes BENCH-n": the board message's latency is measured from the
      202), the rest describe an issue's problem in other words (semantic + LLM layers).
      Prints the webhook-202 → board-message latencies (p50, p99, max) and how many
      messages arrived.
  matching_load.py fake-llm PORT DELAY_MS
      an OpenAI-compatible chat-completions endpoint answering {"confidence":90,...}
"""
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

WORDS = ("login checkout payment search avatar upload export import cache session token report invoice "
         "email webhook queue retry timeout crash slow memory leak dashboard filter sort pagination "
         "mobile layout dark mode notification permission audit billing refund coupon").split()
PROBLEMS = ["fails when", "is slow for", "crashes on", "shows the wrong", "times out during", "drops data on",
            "loses state after", "double counts", "ignores", "breaks"]


def title(n):
    r = random.Random(n)
    return f"{r.choice(WORDS).capitalize()} {r.choice(PROBLEMS)} {r.choice(WORDS)} {r.choice(WORDS)} ({n})"


def connect(base):
    u = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def create_issues(base, token, count):
    def one(n):
        c = connect(base)
        body = json.dumps({"title": title(n), "description": f"Reported by customer {n}: {title(n * 7)}"})
        c.request("POST", "/api/v1/workspaces/bench/issues", body,
                  {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        if r.status != 201:
            raise SystemExit(f"issue {n}: {r.status}")
        c.close()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(1, count + 1)))


def pull_request(n, issues):
    explicit = n % 2 == 0
    target = 1 + (n * 7919) % issues
    pr_title = f"Fix {title(target).split(' (')[0].lower()}" if not explicit else f"Handle case {n}"
    body = f"Fixes BENCH-{target}" if explicit else f"This changes how we handle {title(target * 7)}"
    pr = {"id": 5_000_000 + n, "number": n, "title": pr_title, "body": body, "state": "open", "merged": False,
          "draft": False, "html_url": f"https://github.test/bench-org/bench-repo/pull/{n}",
          "user": {"login": "bench-dev-0", "id": 900000},
          "head": {"ref": f"change-{n}", "sha": "a" * 40}, "base": {"ref": "main", "sha": "b" * 40},
          "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z"}
    return explicit, json.dumps({"action": "opened", "number": n, "pull_request": pr,
                                 "repository": {"id": 700001, "full_name": "bench-org/bench-repo"}}).encode()


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def drive_prs(base, token, secret, count, rate, issues, warmup):
    acked, received, committed = {}, {}, {}
    ready = threading.Event()

    def board():
        c = connect(base)
        c.request("GET", f"/api/v1/workspaces/bench/board/events?token={token}", headers={"Accept": "text/event-stream"})
        r = c.getresponse()
        ready.set()
        data = None
        while True:
            line = r.fp.readline()
            if not line:
                return
            line = line.decode().rstrip("\n")
            if line.startswith("data:"):
                data = line[5:].strip()
            elif line == "" and data:
                m = json.loads(data)
                n = m.get("pr_number")
                if n is not None and n not in received:
                    received[n] = time.time()
                    if m.get("at"):
                        committed[n] = iso_seconds(m["at"])
                data = None

    threading.Thread(target=board, daemon=True).start()
    ready.wait(10)
    time.sleep(0.5)

    def send(n):
        explicit, body = pull_request(n, issues)
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        c = connect(base)
        c.request("POST", "/webhooks/github", body, {"Content-Type": "application/json", "X-GitHub-Event": "pull_request",
                                                     "X-GitHub-Delivery": str(uuid.uuid4()), "X-Hub-Signature-256": sig})
        r = c.getresponse()
        r.read()
        c.close()
        if r.status == 202 and explicit:
            acked[n] = time.time()

    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        for n in range(1, warmup + count + 1):
            delay = start + (n - 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if n == warmup + 1 and os.environ.get("METRICS_AT_WARM_END"):
                # The meters as the measured PRs begin, for the layers' figures without the warm-up.
                c = connect(base)
                c.request("GET", "/metrics")
                with open(os.environ["METRICS_AT_WARM_END"], "wb") as f:
                    f.write(c.getresponse().read())
                c.close()
            pool.submit(send, n)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(n not in received for n in acked):
        time.sleep(0.1)
    if warmup:
        cold = [(received[n] - acked[n]) * 1000 for n in acked if n in received and n <= warmup]
        print(f"warm-up: the first {warmup} prs at {rate}/s on a cold process (JIT, first index load), "
              f"webhook 202 -> board message (ms): p50 {pct(cold, 50):.1f}   p99 {pct(cold, 99):.1f}")
        cold_by_second = {}
        for n in acked:
            if n in received and n <= warmup:
                cold_by_second.setdefault(int((n - 1) / rate), []).append((received[n] - acked[n]) * 1000)
        print("  p99 per second of sending (ms): " + " ".join(f"{pct(v, 99):.0f}" for _, v in sorted(cold_by_second.items())))
        for d in (acked, received, committed):
            for n in [n for n in d if n <= warmup]:
                del d[n]
    latencies = [(received[n] - acked[n]) * 1000 for n in acked if n in received]
    print(f"prs sent: {count} at {rate}/s{' right after the warm-up' if warmup else ''}   explicit acked: {len(acked)}   "
          f"board messages for them: {len(latencies)}")
    print(f"webhook 202 -> board message (ms): p50 {pct(latencies, 50):.1f}   p99 {pct(latencies, 99):.1f}   "
          f"max {max(latencies) if latencies else float('nan'):.1f}")
    # When the slow ones were sent: a cluster at the start is warm-up, spread out is load.
    by_second = {}
    for n in acked:
        if n in received:
            by_second.setdefault(int((n - warmup - 1) / rate), []).append((received[n] - acked[n]) * 1000)
    print("  p99 per second of sending (ms): " + " ".join(f"{pct(v, 99):.0f}" for _, v in sorted(by_second.items())))
    # Where the time goes: the board message's "at" is when the board transaction began.
    both = [n for n in acked if n in received and n in committed]
    to_board = [(committed[n] - acked[n]) * 1000 for n in both]
    to_client = [(received[n] - committed[n]) * 1000 for n in both]
    print(f"  202 -> board transaction begins (both queue hops, PR processing) (ms): p50 {pct(to_board, 50):.1f}   "
          f"p99 {pct(to_board, 99):.1f}")
    print(f"  board transaction begins -> SSE receipt (board work, commit, bus, SSE) (ms): p50 {pct(to_client, 50):.1f}   "
          f"p99 {pct(to_client, 99):.1f}")


def iso_seconds(at):
    return datetime.datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()


class FakeLlm(http.server.BaseHTTPRequestHandler):
    delay = 0.0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(FakeLlm.delay)
        answer = json.dumps({"confidence": 90, "reason": "the pull request addresses the issue"})
        body = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "issues":
        create_issues(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "prs":
        drive_prs(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]),
                  int(sys.argv[8]) if len(sys.argv) > 8 else 0)
    elif cmd == "fake-llm":
        FakeLlm.delay = int(sys.argv[3]) / 1000
        http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), FakeLlm).serve_forever()
