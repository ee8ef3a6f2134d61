"""bench/ledger/measure.py: times the four statements through GraphQL (see bench/ledger/run).

Standard library only. Waits for the server, signs in as the tenant's admin, warms each
statement up (3 requests), then sends it `--rounds` times one after the other and records the
wall time of each answer; a GraphQL error stops the run. Writes the markdown table to
bench/results/<UTC date>-<git short sha>-ledger.md and prints it.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import time
import urllib.request

QUERIES = {
    "trialBalance": '{ trialBalance(asOf: "2026-12-31") { lines { account { code } debit { amount } credit { amount } } totalDebit { amount } totalCredit { amount } } }',
    "profitAndLoss": '{ profitAndLoss(from: "2026-01-01", to: "2026-12-31") { income { account { code } amount { amount } } expenses { account { code } amount { amount } } netProfit { amount } } }',
    "balanceSheet": '{ balanceSheet(asOf: "2026-06-30") { totalAssets { amount } totalLiabilities { amount } totalEquity { amount } currentYearProfit { amount } earlierYearsProfit { amount } } }',
    "generalLedger (one month of one account)": 'query($a: ID!) { generalLedger(accountId: $a, from: "2026-03-01", to: "2026-03-31") { openingBalance { amount } lines { number balance { amount } } closingBalance { amount } } }',
}


def post(url, query, variables=None, token=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=120) as resp:
        answer = json.loads(resp.read())
    if answer.get("errors"):
        raise SystemExit("GraphQL error: %s" % json.dumps(answer["errors"]))
    return answer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--seed-seconds", default="?")
    p.add_argument("--repo", required=True)
    p.add_argument("--db", required=True)
    a = p.parse_args()
    for _ in range(300):
        try:
            urllib.request.urlopen(a.url.replace("/graphql", "/health"), timeout=1)
            break
        except Exception:
            time.sleep(0.2)
    login = post(a.url, 'mutation($p: String!) { login(input: { tenant: "books", email: "admin@books.test", password: $p }) { accessToken } }', {"p": a.password})
    token = login["data"]["login"]["accessToken"]
    accounts = post(a.url, '{ accounts(first: 100, filter: { isGroup: false }) { nodes { id code } } }', token=token)
    bank = next(n["id"] for n in accounts["data"]["accounts"]["nodes"] if n["code"] == "1010")
    lines = subprocess.run(["psql", a.db, "-XAt", "-c", "SELECT count(*) FROM journal_line"], capture_output=True, text=True, check=True).stdout.strip()
    rows = []
    for name, query in QUERIES.items():
        variables = {"a": bank} if "$a" in query else {}
        for _ in range(3):
            post(a.url, query, variables, token)
        times = []
        for _ in range(a.rounds):
            t = time.perf_counter()
            answer = post(a.url, query, variables, token)
            times.append((time.perf_counter() - t) * 1000)
        statements = answer.get("extensions", {}).get("sqlStatements", "–")
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        rows.append("| %s | %.1f | %.1f | %.1f | %s |" % (name, statistics.median(times), p95, times[-1], statements))
    sha = subprocess.run(["git", "-C", a.repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", a.repo, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc)
    table = "\n".join([
        "# Ledger statements on %s journal lines (%s%s)" % (f"{int(lines):,}", sha, ", with uncommitted changes" if dirty else ""),
        "",
        "%s UTC, `bench/ledger/run --rounds %d`; seed %s s. One request at a time, wall time per answer in ms, after 3 warm-up requests; SQL = `extensions.sqlStatements`." % (now.strftime("%Y-%m-%d %H:%M"), a.rounds, a.seed_seconds),
        "",
        "| statement | p50 ms | p95 ms | max ms | SQL |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ])
    out = os.path.join(a.repo, "bench", "results", "%s-%s-ledger.md" % (now.strftime("%Y-%m-%d"), sha))
    with open(out, "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
