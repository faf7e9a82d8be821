#!/usr/bin/env python3
"""Writes N distinct, signed GitHub deliveries for bench/e2e.sh.

Usage: e2e_payloads.py N SECRET OUT [REPOS] [FIRST]

OUT holds one record per delivery: a header line "<event> <signature> <length>\\n"
followed by exactly <length> bytes of JSON body. The mix, per block of 20 deliveries:
10 pushes to the default branch (3 commits each, a manifest or the plan touched every
20th push), 1 push to a feature branch, 2 pull requests opened and the same 2 closed
as merged, 2 reviews, an issue opened and closed, and one more issue opened. Blocks
go to REPOS repositories in turn (default 1: bench-org/bench-repo; the others are
bench-org/bench-repo-<r>), so REPOS=1 is the monorepo where every event hits one row.
FIRST (default 0) numbers the deliveries from there: files made with ranges that do not
overlap name different commits, pull requests, reviews and issues.
"""
import hashlib
import hmac
import json
import sys

def repository(r):
    name = "bench-repo" if r == 0 else f"bench-repo-{r}"
    return {
        "id": 700001 + r, "node_id": f"R_bench{r}", "name": name, "full_name": f"bench-org/{name}",
        "private": False, "owner": {"login": "bench-org", "id": 700000, "type": "Organization"},
        "html_url": f"https://github.com/bench-org/{name}", "default_branch": "main",
        "description": "Repository the end-to-end benchmark pushes to",
    }


USERS = [{"login": f"bench-dev-{i}", "id": 900000 + i, "type": "User"} for i in range(5)]


def iso(minute):
    return f"2026-11-{1 + minute // 1440 % 28:02d}T{minute // 60 % 24:02d}:{minute % 60:02d}:00Z"


def sha(*parts):
    return hashlib.sha1(":".join(str(p) for p in parts).encode()).hexdigest()


def user(i):
    return USERS[i % len(USERS)]


def push(i, block, ref, repo):
    who = user(i)
    files = [f"src/module{i % 50}/file{i}.py"]
    if ref == "refs/heads/main" and block % 2 == 0 and i % 20 == 0:
        files.append("PLAN.md" if block % 4 == 0 else "package.json")
    commits = []
    for c in range(3):
        cid = sha("commit", i, c)
        author = {"name": who["login"], "email": f"{who['login']}@bench.example", "username": who["login"]}
        commits.append({
            "id": cid, "tree_id": sha("tree", i, c), "distinct": True,
            "message": f"Change {i}.{c}: adjust the module and its tests",
            "timestamp": iso(i), "url": f"{repo['html_url']}/commit/{cid}",
            "author": author, "committer": author,
            "added": [], "removed": [], "modified": files if c == 2 else [f"tests/test_{i}_{c}.py"],
        })
    return {
        "ref": ref, "before": sha("before", i), "after": commits[-1]["id"],
        "created": False, "deleted": False, "forced": False, "base_ref": None,
        "compare": f"{repo['html_url']}/compare/{i}",
        "commits": commits, "head_commit": commits[-1],
        "repository": dict(repo, pushed_at=1_790_000_000 + i),
        "pusher": {"name": who["login"], "email": f"{who['login']}@bench.example"}, "sender": who,
    }


def pull_request(i, number, merged, repo):
    who = user(number)
    created = iso(number * 7)
    pr = {
        "id": 800000 + number, "number": number, "state": "closed" if merged else "open",
        "title": f"Improve module {number % 50}", "body": "Refactors the module and adds tests.",
        "user": who, "draft": False, "merged": merged,
        "head": {"ref": f"feature/{number}", "sha": sha("head", number)}, "base": {"ref": "main", "sha": sha("base", number)},
        "additions": 10 + number % 90, "deletions": number % 30, "changed_files": 1 + number % 9, "commits": 1 + number % 4,
        "created_at": created, "updated_at": iso(number * 7 + (90 if merged else 0)),
        "closed_at": iso(number * 7 + 90) if merged else None, "merged_at": iso(number * 7 + 90) if merged else None,
    }
    return {"action": "closed" if merged else "opened", "number": number, "pull_request": pr, "repository": repo, "sender": who}


def review(i, number, repo):
    reviewer = user(number + 1)
    return {
        "action": "submitted",
        "review": {"id": 950000 + i, "user": reviewer, "state": "approved", "body": "Looks good.",
                   "submitted_at": iso(number * 7 + 30)},
        "pull_request": {"id": 800000 + number, "number": number, "created_at": iso(number * 7), "user": user(number)},
        "repository": repo, "sender": reviewer,
    }


def issue(i, number, closed, repo):
    who = user(number)
    body = {
        "id": 600000 + number, "number": number, "title": f"Crash in module {number % 50}", "state": "closed" if closed else "open",
        "user": who, "assignee": user(number + 2), "created_at": iso(number * 5),
        "updated_at": iso(number * 5 + (240 if closed else 0)), "closed_at": iso(number * 5 + 240) if closed else None,
        "body": "Stack trace attached.",
    }
    return {"action": "closed" if closed else "opened", "issue": body, "repository": repo, "sender": who}


def delivery(i, repos):
    block, k = divmod(i, 20)
    repo = repository(block % repos)
    if k < 10:
        return "push", push(i, block, "refs/heads/main", repo)
    if k == 10:
        return "push", push(i, block, f"refs/heads/feature/{block}", repo)
    if k < 15:
        return "pull_request", pull_request(i, block * 2 + (k - 11) % 2 + 1, k >= 13, repo)
    if k < 17:
        return "pull_request_review", review(i, block * 2 + (k - 15) + 1, repo)
    if k < 19:
        return "issues", issue(i, block * 2 + 1, k == 18, repo)
    return "issues", issue(i, block * 2 + 2, False, repo)


def main():
    n, secret, out = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
    repos = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    with open(out, "wb") as f:
        for i in range(first, first + n):
            event, payload = delivery(i, repos)
            body = json.dumps(payload, separators=(",", ":")).encode()
            sig = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
            f.write(f"{event} {sig} {len(body)}\n".encode())
            f.write(body)


if __name__ == "__main__":
    main()
