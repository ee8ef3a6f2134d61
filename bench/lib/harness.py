#!/usr/bin/env python3
"""bench/lib/harness.py: the measuring half of bench/run (Python 3, standard library only).

bench/run builds, starts the PostgreSQL cluster and seeds it, then runs this with its settings
in BENCH_* environment variables. This script:

  * resets what earlier runs wrote (opportunities created by W3, their audit entries,
    sessions), then checks through our server's GraphQL API that the seed reads back;
  * for each round, for each workload, for each server in turn: starts the server alone
    (ours = `erp serve` in production mode, PostGraphile v4, PostGraphile v5, bench/floor),
    waits until it answers, signs in (ours), sends the workload's document once and fails on
    any error, warms it up with wrk, then measures a wrk run (or a pgbench run for the
    `pgbench` floor) and stops the server;
  * per run records req/s, p50/p99, server CPU (utime+stime of the process tree from /proc,
    exited children included), PostgreSQL CPU (every postgres process plus the postmaster's
    cutime+cstime, which holds exited backends), RSS (VmHWM/VmRSS) and SQL statements
    (pg_stat_statements, reset before each run);
  * W5 (ours only): 100 tenants with (a) enough pool slots, (b) 30 slots of one connection,
    (c) the first request to each tenant after a fresh start, (d) pgbench -C on one tenant
    database, sampling pg_stat_activity every 100 ms;
  * writes the medians over rounds as one markdown table to bench/results/<date>-<sha>.md and
    prints it; raw reports and server logs stay in bench/.work/runs/<timestamp>/.

Any non-200 answer or body with "errors" fails the run: the remaining runs still go on (so
the table is complete), then every failure is printed with a sample body and the exit code
is 1.
"""

import datetime
import json
import os
import random
import re
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

E = os.environ
BENCH = Path(E["BENCH_DIR"])
WORK = Path(E["BENCH_WORK"])
REPO = Path(E["BENCH_REPO"])
ROUNDS = int(E["BENCH_ROUNDS"])
DURATION = int(E["BENCH_DURATION"])
WARMUP = int(E["BENCH_WARMUP"])
ONLY = [w.strip().upper() for w in E["BENCH_ONLY"].split(",") if w.strip()]
SERVERS = [s.strip() for s in E["BENCH_SERVERS"].split(",") if s.strip()]
PG_URL = E["BENCH_PG_URL_BASE"]
PREFIX = E["BENCH_DB_PREFIX"]
TENANT = E["BENCH_TENANT"]
TENANT_DB = f"{PREFIX}_t_{TENANT}"
W5_TENANTS = [f"bench5-{i:03d}" for i in range(int(E["BENCH_W5_TENANTS"]))]


def tenant_db(slug):
    """The database of a tenant: <prefix>_t_<slug>, hyphens as underscores."""
    return f"{PREFIX}_t_{slug.replace('-', '_')}"

PASSWORD = E["BENCH_ADMIN_PASSWORD"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
STAMP = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
RUNDIR = WORK / "runs" / STAMP
LOGS = RUNDIR / "logs"
LOGS.mkdir(parents=True, exist_ok=True)

KNOWN_SERVERS = ["ours", "v4", "v5", "floor", "pgbench"]
for s in SERVERS:
    if s not in KNOWN_SERVERS:
        sys.exit(f"bench: unknown server {s} (known: {', '.join(KNOWN_SERVERS)})")
for w in ONLY:
    if w not in ("W1", "W2", "W3", "W5"):
        sys.exit(f"bench: unknown workload {w} (known: W1, W2, W3, W5)")

# Workloads measured with wrk: (name, script, connections, servers that run it).
WRK_WORKLOADS = [
    ("W1", "w1.lua", 16, ["ours", "v4", "v5", "floor", "pgbench"]),
    ("W1c1", "w1.lua", 1, ["ours", "v4", "v5", "floor", "pgbench"]),
    ("W2", "w2.lua", 8, ["ours", "v4", "v5"]),
    ("W3", "w3.lua", 8, ["ours", "v4", "v5"]),
]

failures = []  # (workload, server, message)
W1_SQL = {}  # server -> the statements it ran once per W1 request (round 1), to compare floors


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


# --- PostgreSQL ------------------------------------------------------------------------------

def psql(db, sql, check=True):
    """Runs sql in db through psql; returns its unaligned, tuples-only output."""
    r = subprocess.run(["psql", f"{PG_URL}/{db}", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                        "-c", sql], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"psql {db}: {r.stderr.strip()}")
    return r.stdout.strip()


class PgSession:
    """One psql session kept open for the whole run (database `postgres`): the statistics
    queries never need a new connection, so they work even while a server under test holds
    every connection PostgreSQL allows."""

    END = "__BENCH_END__"

    def __init__(self):
        self.proc = subprocess.Popen(["psql", f"{PG_URL}/postgres", "-X", "-q", "-At"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)

    def query(self, sql):
        self.proc.stdin.write(sql.strip().rstrip(";") + ";\n\\echo " + self.END + "\n")
        self.proc.stdin.flush()
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if line == "":
                raise RuntimeError("the statistics psql session ended: " + "\n".join(lines))
            if line.rstrip("\n") == self.END:
                break
            lines.append(line.rstrip("\n"))
        out = "\n".join(lines)
        if "ERROR:" in out or "FATAL:" in out:
            raise RuntimeError(f"psql: {out}")
        return out.strip()


STATS = None  # the PgSession, opened by main()

# Statements of the harness itself run in database `postgres` and are left out of the counts.
NOT_OURS = "dbid <> (SELECT oid FROM pg_database WHERE datname = 'postgres')"


def stmt_reset():
    STATS.query("SELECT pg_stat_statements_reset()")


def stmt_calls():
    return int(STATS.query(f"SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE {NOT_OURS}"))


def stmt_top(path, limit=25):
    out = STATS.query("SELECT calls || E'\\t' || round(total_exec_time::numeric, 1) || E'\\t' || "
               "regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements "
               f"WHERE {NOT_OURS} ORDER BY calls DESC LIMIT {limit}")
    path.write_text("calls\ttotal_ms\tquery\n" + out + "\n")


def per_request_statements(requests):
    """The statements of the tenant database run at least once per two requests in the last run
    (whitespace collapsed): what a request costs in SQL, not the occasional cache refresh."""
    out = STATS.query("SELECT regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements "
                      f"WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '{TENANT_DB}') "
                      f"AND calls >= {max(1, requests // 2)}")
    return sorted(q for q in out.splitlines() if q and "bench.ids" not in q)


def postmaster_pid():
    return int((Path(E["BENCH_PGDATA"]) / "postmaster.pid").read_text().split()[0])


# --- /proc -----------------------------------------------------------------------------------

def stat_of(pid):
    """(ppid, utime, stime, cutime, cstime) in ticks, or None when gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    f = raw[raw.rindex(")") + 2:].split()
    return int(f[1]), int(f[11]), int(f[12]), int(f[13]), int(f[14])


def all_stats():
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            s = stat_of(int(d))
            if s:
                out[int(d)] = s
    return out


def tree(root, stats):
    pids, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        for pid, s in stats.items():
            if s[0] == p and pid not in pids:
                pids.add(pid)
                frontier.append(pid)
    return pids


def tree_cpu_ms(root):
    """CPU of root and its descendants, plus what root's exited children used (ms)."""
    stats = all_stats()
    if root not in stats:
        return 0.0
    ticks = sum(stats[p][1] + stats[p][2] for p in tree(root, stats) if p in stats)
    ticks += stats[root][3] + stats[root][4]
    return ticks * 1000.0 / CLK_TCK


def pg_cpu_ms():
    """All postgres processes' utime+stime plus the postmaster's cutime+cstime (ms)."""
    pm = postmaster_pid()
    stats = all_stats()
    ticks = sum(s[1] + s[2] for pid, s in stats.items() if pid == pm or s[0] == pm)
    ticks += stats[pm][3] + stats[pm][4]
    return ticks * 1000.0 / CLK_TCK


def client_cpu_ms():
    """CPU of the load generators: this script (W5c sends its requests itself) and its
    finished children (wrk, pgbench), ms."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime) * 1000.0


PG_LOG = Path(E["BENCH_PGDATA"]) / "log"


def pg_log_size():
    try:
        return PG_LOG.stat().st_size
    except OSError:
        return 0


def pg_refusals_since(offset):
    """Connection attempts PostgreSQL refused (max_connections) since the log had offset bytes."""
    try:
        with open(PG_LOG, "rb") as f:
            f.seek(offset)
            return f.read().count(b"too many clients already")
    except OSError:
        return 0


def tree_rss_kb(root):
    """(VmHWM, VmRSS) summed over the process tree, kB."""
    hwm = rss = 0
    for pid in tree(root, all_stats()):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
        except OSError:
            pass
    return hwm, rss


def foreign_load(seconds=0.5):
    """Cores used by processes other than PostgreSQL and this script over `seconds` (no server
    under test runs at that moment), and the busiest of them."""
    pm = postmaster_pid()
    before = all_stats()
    time.sleep(seconds)
    after = all_stats()
    used = []
    for pid, st in after.items():
        if pid in (pm, os.getpid()) or st[0] in (pm, os.getpid()):
            continue
        b = before.get(pid, (0, 0, 0, 0, 0))
        ms = (st[1] + st[2] - b[1] - b[2]) * 1000.0 / CLK_TCK
        if ms > 0:
            try:
                name = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:
                name = str(pid)
            used.append((ms, name))
    used.sort(reverse=True)
    return sum(ms for ms, _ in used) / (seconds * 1000), ", ".join(n for _, n in used[:3])


def wait_quiet():
    """Waits (at most --quiet-wait seconds) until other processes leave the cores alone."""
    limit = int(E.get("BENCH_QUIET_WAIT", "0"))
    if limit <= 0:
        return
    deadline = time.time() + limit
    load, names = foreign_load()
    if load <= 0.15:
        return
    log(f"  waiting up to {limit} s for other processes to finish ({load:.2f} cores: {names})")
    while time.time() < deadline:
        load, names = foreign_load(1.0)
        if load <= 0.15:
            return
    log(f"  still busy ({load:.2f} cores: {names}); measuring anyway")


# --- HTTP ------------------------------------------------------------------------------------

def post_json(url, payload, token=None, timeout=60):
    data = json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def gql(url, query, variables=None, token=None, what="request"):
    """Posts a GraphQL request; returns data, raises Failure on any error."""
    payload = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    status, body = post_json(url, payload, token)
    if status != 200 or '"errors"' in body:
        raise Failure(f"{what}: HTTP {status}: {body[:1500]}")
    return json.loads(body)["data"]


def http_ok(url, method="GET", body=None):
    try:
        req = urllib.request.Request(url, data=body, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=2) as r:
            return r.status == 200
    except (OSError, urllib.error.URLError):
        return False


# --- servers ---------------------------------------------------------------------------------

def env_pairs(text):
    return dict(kv.split("=", 1) for kv in shlex.split(text))


class Server:
    """One server under test, started alone, stopped after its run."""
    starts = 0

    def __init__(self, name, extra_env=None):
        self.name = name
        self.extra_env = extra_env or {}
        self.proc = None
        self.token = None
        port = {"ours": E["BENCH_PORT_OURS"], "v4": E["BENCH_PORT_V4"], "v5": E["BENCH_PORT_V5"],
                "floor": E["BENCH_PORT_FLOOR"]}[name]
        self.base = f"http://127.0.0.1:{port}"
        self.url = self.base + "/graphql"
        self.port = port

    def command(self):
        tenant_url = f"{PG_URL}/{TENANT_DB}"
        env = dict(os.environ)
        for k in list(env):
            if k.startswith(("ERP_", "BENCH_")) or k in ("DATABASE_URL", "RUST_LOG"):
                del env[k]
        if self.name == "ours":
            cwd = WORK / "ours-cwd"  # empty: no .env is read from the repository
            cwd.mkdir(exist_ok=True)
            env.update({
                "DATABASE_URL": E["BENCH_CONTROL_URL"], "ERP_DB_PREFIX": PREFIX,
                "ERP_ENV": "production", "ERP_JWT_PRIVATE_KEY_FILE": E["BENCH_JWT_KEY"],
                "ERP_ACCESS_TOKEN_TTL_SECS": "86400", "ERP_BIND": f"127.0.0.1:{self.port}",
                "ERP_DATA_DIR": str(WORK / "ours-data"),
            })
            env.update(env_pairs(E.get("BENCH_OURS_ENV", "")))
            env.update(self.extra_env)
            return [E["BENCH_ERP"], "serve"], env, cwd
        if self.name == "v4":
            env.update({"NODE_ENV": "production"})
            cli = WORK / "pgl4/node_modules/postgraphile/cli.js"
            return (["node", str(cli), "-c", tenant_url, "-s", "public", "-n", "127.0.0.1",
                     "-p", self.port, "--disable-query-log", "--disable-graphiql"], env, WORK / "pgl4")
        if self.name == "v5":
            env.update({"NODE_ENV": "production", "DATABASE_URL": tenant_url, "PORT": self.port})
            node = WORK / "pgl5/node_modules/node/bin/node"
            return [str(node), "server.mjs"], env, WORK / "pgl5"
        if self.name == "floor":
            env.update({"DATABASE_URL": tenant_url, "BIND": f"127.0.0.1:{self.port}"})
            return [E["BENCH_FLOOR"]], env, WORK
        raise ValueError(self.name)

    def ready(self):
        if self.name == "ours":
            return http_ok(self.base + "/ready")
        if self.name == "floor":
            return http_ok(self.base + "/health")
        return http_ok(self.url, "POST", b'{"query":"{__typename}"}')

    def start(self):
        wait_quiet()
        Server.starts += 1
        if self.ready():
            raise Failure(f"port {self.port} already answers: stop whatever listens there first")
        cmd, env, cwd = self.command()
        self.logfile = LOGS / f"{Server.starts:03d}-{self.name}.log"
        out = open(self.logfile, "w")
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        t0 = time.time()
        while not self.ready():
            if self.proc.poll() is not None:
                raise Failure(f"{self.name} exited at start (code {self.proc.returncode}): "
                              f"{self.logfile.read_text()[-1500:]}")
            if time.time() - t0 > 120:
                raise Failure(f"{self.name} not ready after 120 s; log {self.logfile}")
            time.sleep(0.1)
        self.start_secs = time.time() - t0
        return self

    def login(self, tenant=TENANT):
        return login(self.url, tenant)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


LOGIN = ("mutation Login($input: LoginInput!) { login(input: $input) { accessToken "
         "user { id } } }")


def login(url, tenant):
    data = gql(url, LOGIN, {"input": {"tenant": tenant, "email": f"admin@{tenant}.test",
                                      "password": PASSWORD}}, what=f"login to {tenant}")
    return data["login"]["accessToken"]


# --- fixtures --------------------------------------------------------------------------------

def reset_database():
    """Removes what earlier runs created, so every run starts from the seeded data set."""
    out = psql(TENANT_DB, """
        WITH gone AS (DELETE FROM opportunity o WHERE NOT EXISTS
                        (SELECT 1 FROM bench.ids i WHERE i.id = o.id) RETURNING 1)
        SELECT count(*) FROM gone;
        DELETE FROM audit_entry WHERE at > (SELECT seeded_at FROM bench.seed_info);
        DELETE FROM refresh_token WHERE created_at > (SELECT seeded_at FROM bench.seed_info);
        DELETE FROM outbox WHERE at > (SELECT seeded_at FROM bench.seed_info);
        DELETE FROM job;
    """)
    for table in ("opportunity", "audit_entry", "refresh_token", "outbox", "job"):
        psql(TENANT_DB, f"VACUUM ANALYZE {table}")
    log(f"reset: removed {out.splitlines()[0] if out else 0} opportunities created by earlier runs")


def write_fixtures():
    f = {}
    f["ids"] = RUNDIR / "opportunity-ids.txt"
    f["ids"].write_text(psql(TENANT_DB, "SELECT id FROM bench.ids ORDER BY n") + "\n")
    f["customers"] = RUNDIR / "customer-ids.txt"
    f["customers"].write_text(psql(TENANT_DB, "SELECT id FROM customer ORDER BY id") + "\n")
    f["stage"] = psql(TENANT_DB, "SELECT id FROM pipeline_stage ORDER BY position, id LIMIT 1")
    f["admin"] = psql(TENANT_DB, "SELECT id FROM user_account WHERE email = 'admin@bench.test'")
    f["counts"] = psql(TENANT_DB, "SELECT (SELECT count(*) FROM customer) || ' customers, ' || "
                       "(SELECT count(*) FROM opportunity) || ' opportunities, ' || "
                       "(SELECT count(*) FROM activity) || ' activities, ' || "
                       "(SELECT count(*) FROM user_account) || ' users'")
    return f


VERIFY = """query Verify($id: ID!) {
  opportunity(id: $id) {
    id title amount { amount currency } status expectedCloseDate version isActive
    customer { id name currency }
    stage { id name probability }
    owner { id displayName email }
    activities(first: 5) { totalCount nodes { id kind subject done dueAt
      assignee { displayName } owner { displayName } } }
  }
  opportunities(first: 3) { totalCount nodes { id title } }
  customers(first: 3) { totalCount nodes { id name } }
}"""


def verify_seed(fx):
    """Reads seeded rows back through our server; any error or missing field fails."""
    ids = fx["ids"].read_text().split()
    with Server("ours") as s:
        token = s.login()
        for n in (1, 777, 54321, 100000):
            d = gql(s.url, VERIFY, {"id": ids[n - 1]}, token, what=f"verify seed (opportunity n={n})")
            o = d["opportunity"]
            problems = [k for k in ("customer", "stage", "amount") if not o or not o.get(k)]
            if o and n % 50 and not o.get("owner"):
                problems.append("owner")
            if o and not o["activities"]["nodes"]:
                problems.append("activities")
            if d["opportunities"]["totalCount"] < 100000 or d["customers"]["totalCount"] < 10000:
                problems.append("totals")
            if problems:
                raise Failure(f"verify seed: missing {problems} in {json.dumps(d)[:1500]}")
        sample = d
    (RUNDIR / "verify.json").write_text(json.dumps(sample, indent=1))
    log(f"seed reads back through GraphQL (opportunity with amount, customer, stage, owner, "
        f"activities): {sample['opportunities']['totalCount']} opportunities, "
        f"{sample['customers']['totalCount']} customers")


# --- measuring -------------------------------------------------------------------------------

def wrk(url, script, conns, seconds, env, report):
    threads = 1 if conns == 1 else 2
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--timeout", "30s", "--latency",
           "-s", str(BENCH / "wrk" / script), url]
    full_env = dict(os.environ, BENCH_WRK_DIR=str(BENCH / "wrk"), BENCH_REPORT=str(report), **env)
    r = subprocess.run(cmd, env=full_env, capture_output=True, text=True)
    report.with_suffix(".txt").write_text(r.stdout + r.stderr)
    if r.returncode != 0 or not report.exists():
        raise Failure(f"wrk failed ({r.returncode}): {r.stderr[-800:]}")
    return json.loads(report.read_text())


def check_wrk(rep, what):
    e = rep["socket_errors"]
    bad = []
    if rep["non200"]:
        bad.append(f"{rep['non200']} non-200 responses")
    if rep["graphql_errors"]:
        bad.append(f"{rep['graphql_errors']} bodies with \"errors\"")
    for k in ("connect", "read", "write", "timeout"):
        if e[k]:
            bad.append(f"{e[k]} socket {k} errors")
    if rep["requests"] == 0:
        bad.append("no request completed")
    if bad:
        raise Failure(f"{what}: {', '.join(bad)}; sample body: {rep['sample'][:1500]}")


class Meter:
    """CPU (server tree, PostgreSQL), statements and RSS around one measured run."""

    def __init__(self, server_pid):
        self.pid = server_pid

    def __enter__(self):
        stmt_reset()
        self.srv0 = tree_cpu_ms(self.pid) if self.pid else 0.0
        self.pg0 = pg_cpu_ms()
        self.client0 = client_cpu_ms()
        self.procs0 = all_stats()
        self.log0 = pg_log_size()
        self.t0 = time.time()
        return self

    def __exit__(self, *exc):
        self.wall = time.time() - self.t0
        self.srv = (tree_cpu_ms(self.pid) - self.srv0) if self.pid else None
        self.pg = pg_cpu_ms() - self.pg0
        self.client = client_cpu_ms() - self.client0
        # What other processes (not the server, PostgreSQL or this script and its children)
        # used meanwhile: per process, so a concurrent build or test run shows by name.
        # (Not /proc/stat: its busy time runs ahead of the processes' own times when many
        # processes or connections start, as in W5c.)
        procs = all_stats()
        mine = (tree(self.pid, procs) if self.pid else set()) | {os.getpid()}
        pm = postmaster_pid()
        used = []
        for pid, st in procs.items():
            if pid in mine or pid == pm or st[0] in (pm, os.getpid()):
                continue
            before = self.procs0.get(pid, (0, 0, 0, 0, 0))
            ms = (st[1] + st[2] - before[1] - before[2]) * 1000.0 / CLK_TCK
            if ms > 0:
                try:
                    name = Path(f"/proc/{pid}/comm").read_text().strip()
                except OSError:
                    name = str(pid)
                used.append((ms, name))
        used.sort(reverse=True)
        self.foreign = sum(ms for ms, _ in used) / (self.wall * 1000)
        self.foreign_top = ""
        if self.foreign > 0.15:
            self.foreign_top = ", ".join(f"{name} {ms / self.wall / 1000:.2f}" for ms, name in used[:3])
        self.calls = stmt_calls()
        self.refused = pg_refusals_since(self.log0)
        self.hwm, self.rss = tree_rss_kb(self.pid) if self.pid else (None, None)

    def result(self, requests, rps, p50_ms, p99_ms, extra=None):
        r = {"requests": requests, "rps": rps, "p50_ms": p50_ms, "p99_ms": p99_ms,
             "srv_cpu_ms": self.srv / requests if self.srv is not None and requests else None,
             "pg_cpu_ms": self.pg / requests if requests else None,
             "sql": self.calls / requests if requests else None,
             "hwm_mb": self.hwm / 1024 if self.hwm else None,
             "rss_mb": self.rss / 1024 if self.rss else None,
             "wall_s": self.wall, "client_cpu_ms": self.client / requests if requests else None,
             "foreign_cores": self.foreign, "foreign_top": self.foreign_top, "pg_refused": self.refused}
        r.update(extra or {})
        return r


def wrk_env(server, workload, fx, token):
    env = {"BENCH_SERVER": server.name, "BENCH_TOKEN": token or "",
           "BENCH_IDS": str(fx["ids"]), "BENCH_CUSTOMERS": str(fx["customers"]),
           "BENCH_STAGE": fx["stage"], "BENCH_OWNER": fx["admin"]}
    dialect = "ours" if server.name == "floor" else server.name
    env["BENCH_QUERY"] = str(BENCH / "graphql" / dialect / f"{workload[:2].lower()}.graphql")
    return env


def smoke(server, workload, fx, token):
    """One request of the workload before the warm-up: its errors name the document."""
    dialect = "ours" if server.name == "floor" else server.name
    query = (BENCH / "graphql" / dialect / f"{workload[:2].lower()}.graphql").read_text()
    ids = fx["ids"].read_text().split()
    if workload.startswith("W1"):
        variables = {"id": ids[0]}
    elif workload == "W2":
        variables = None
    else:
        return  # W3: the warm-up's own failure count covers it
    gql(server.url, query, variables, token, what=f"{workload} on {server.name}")


def run_wrk_workload(name, script, conns, server_name, fx, rnd):
    tag = f"r{rnd}-{name}-{server_name}"
    with Server(server_name) as s:
        token = s.login() if s.name == "ours" else None
        smoke(s, name, fx, token)
        env = wrk_env(s, name, fx, token)
        if WARMUP > 0:
            check_wrk(wrk(s.url, script, conns, WARMUP, env, RUNDIR / f"{tag}-warmup.json"),
                      f"{name} on {server_name} (warm-up)")
        with Meter(s.proc.pid) as m:
            rep = wrk(s.url, script, conns, DURATION, env, RUNDIR / f"{tag}.json")
        check_wrk(rep, f"{name} on {server_name}")
        if rnd == 1:
            stmt_top(RUNDIR / f"{tag}.statements.tsv")
            if name == "W1" and server_name in ("ours", "floor"):
                W1_SQL[server_name] = per_request_statements(rep["requests"])
        secs = rep["duration_us"] / 1e6
        lat = rep["latency_us"]
        return m.result(rep["requests"], rep["requests"] / secs, lat["p50"] / 1000, lat["p99"] / 1000)


PGBENCH_W1 = BENCH / "pgbench" / "w1.sql"


def pgbench(db, conns, seconds, tag, reconnect=False, maxn=100000):
    """pgbench with bench/pgbench/w1.sql; per-transaction log for p50/p99."""
    logdir = RUNDIR / f"{tag}-pgbench"
    logdir.mkdir(exist_ok=True)
    threads = 1 if conns == 1 else 2
    cmd = ["pgbench", "-n", "-f", str(PGBENCH_W1), "-D", f"maxn={maxn}", "-D", "one=1", "-c", str(conns),
           "-j", str(threads), "-T", str(seconds), "-l", "--log-prefix", str(logdir / "tx")]
    cmd += ["-C", "-M", "extended"] if reconnect else ["-M", "prepared"]
    cmd += ["-h", "127.0.0.1", "-p", E["BENCH_PG_PORT"], "-U", "postgres", db]
    r = subprocess.run(cmd, capture_output=True, text=True)
    (RUNDIR / f"{tag}.pgbench.txt").write_text(r.stdout + r.stderr)
    if r.returncode != 0:
        raise Failure(f"pgbench failed ({r.returncode}): {r.stderr[-800:]}")
    failed = re.search(r"number of failed transactions: (\d+)", r.stdout)
    if failed and int(failed.group(1)):
        raise Failure(f"pgbench: {failed.group(1)} failed transactions")
    lat = []
    for f in logdir.iterdir():
        for line in f.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3:
                lat.append(int(parts[2]))
    for f in logdir.iterdir():
        f.unlink()
    logdir.rmdir()
    tps = float(re.search(r"tps = ([\d.]+)", r.stdout).group(1))
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p / 100))] / 1000 if lat else None
    return len(lat), tps, pct(50), pct(99)


def run_pgbench_w1(name, conns, rnd):
    tag = f"r{rnd}-{name}-pgbench"
    wait_quiet()
    if WARMUP > 0:
        pgbench(TENANT_DB, conns, WARMUP, tag + "-warmup")
    with Meter(None) as m:
        n, tps, p50, p99 = pgbench(TENANT_DB, conns, DURATION, tag)
    if rnd == 1:
        stmt_top(RUNDIR / f"{tag}.statements.tsv")
        if name == "W1":
            W1_SQL["pgbench"] = per_request_statements(n)
    return m.result(n, tps, p50, p99)


# --- W5 --------------------------------------------------------------------------------------

class ActivitySampler:
    """Samples pg_stat_activity every 100 ms with one psql \\watch; max client connections."""

    def __enter__(self):
        self.out = RUNDIR / f"activity-{time.time():.0f}.txt"
        sql = ("SELECT count(*), count(*) FILTER (WHERE datname LIKE '" + PREFIX + "\\_t\\_%') "
               "FROM pg_stat_activity WHERE backend_type = 'client backend' "
               "AND pid <> pg_backend_pid() AND datname <> 'postgres' \\watch 0.1\n")
        self.fh = open(self.out, "w")
        self.proc = subprocess.Popen(["psql", f"{PG_URL}/postgres", "-X", "-q", "-At"],
                                     stdin=subprocess.PIPE, stdout=self.fh, stderr=subprocess.STDOUT,
                                     text=True)
        self.proc.stdin.write(sql)
        self.proc.stdin.flush()
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()
        self.fh.close()
        rows = [l.split("|") for l in self.out.read_text().splitlines() if re.match(r"^\d+\|\d+$", l)]
        self.samples = len(rows)
        self.max_total = max((int(a) for a, _ in rows), default=0)
        self.max_tenant = max((int(b) for _, b in rows), default=0)


def w5_fixtures():
    """Tokens of the 100 W5 tenants (signed in once, before the measured starts) and ids."""
    path = RUNDIR / "w5-tenants.txt"
    ids = {}
    for t in W5_TENANTS:
        ids[t] = psql(tenant_db(t), "SELECT string_agg(id::text, ' ' ORDER BY n) FROM bench.ids")
    tokens = {}
    with Server("ours", env_pairs(E["BENCH_W5A_ENV"])) as s:
        lock = threading.Lock()
        errors = []

        def worker(chunk):
            for t in chunk:
                try:
                    tok = login(s.url, t)
                    with lock:
                        tokens[t] = tok
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(str(e))

        threads = [threading.Thread(target=worker, args=(W5_TENANTS[i::2],)) for i in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if errors:
            raise Failure(f"W5 logins: {errors[0]}")
    path.write_text("".join(f"{tokens[t]} {ids[t]}\n" for t in W5_TENANTS))
    return path, tokens, ids


def run_w5_load(label, env_text, fx5, rnd):
    tag = f"r{rnd}-W5{label}-ours"
    with ActivitySampler() as a, Server("ours", env_pairs(env_text)) as s:
        env = {"BENCH_SERVER": "ours", "BENCH_TENANTS": str(fx5[0]),
               "BENCH_QUERY": str(BENCH / "graphql/ours/w1.graphql")}
        if WARMUP > 0:
            check_wrk(wrk(s.url, "w5.lua", 16, WARMUP, env, RUNDIR / f"{tag}-warmup.json"),
                      f"W5{label} on ours (warm-up)")
        with Meter(s.proc.pid) as m:
            rep = wrk(s.url, "w5.lua", 16, DURATION, env, RUNDIR / f"{tag}.json")
        check_wrk(rep, f"W5{label} on ours ({env_text})")
        if rnd == 1:
            stmt_top(RUNDIR / f"{tag}.statements.tsv")
    secs = rep["duration_us"] / 1e6
    lat = rep["latency_us"]
    return m.result(rep["requests"], rep["requests"] / secs, lat["p50"] / 1000, lat["p99"] / 1000,
                    {"max_conns": a.max_total, "max_tenant_conns": a.max_tenant})


def run_w5_cold(fx5, rnd):
    """The first request to each tenant after a fresh start, one by one."""
    _, tokens, ids = fx5
    query = (BENCH / "graphql/ours/w1.graphql").read_text()
    order = list(W5_TENANTS)
    random.Random(rnd).shuffle(order)
    lat = []
    with ActivitySampler() as a, Server("ours", env_pairs(E["BENCH_W5A_ENV"])) as s:
        with Meter(s.proc.pid) as m:
            for t in order:
                t0 = time.perf_counter()
                gql(s.url, query, {"id": ids[t].split()[0]}, tokens[t], what=f"W5c first request to {t}")
                lat.append((time.perf_counter() - t0) * 1000)
    lat_sorted = sorted(lat)
    pct = lambda p: lat_sorted[min(len(lat_sorted) - 1, int(round(len(lat_sorted) * p / 100 + 0.5)) - 1)]
    return m.result(len(lat), len(lat) / sum(lat) * 1000, statistics.median(lat), pct(99),
                    {"max_conns": a.max_total, "max_tenant_conns": a.max_tenant,
                     "max_ms": max(lat), "start_s": s.start_secs})


def run_w5_pgbench(rnd):
    tag = f"r{rnd}-W5d-pgbench"
    wait_quiet()
    db = tenant_db(W5_TENANTS[0])
    with Meter(None) as m:
        n, tps, p50, p99 = pgbench(db, 16, DURATION, tag, reconnect=True, maxn=5)
    return m.result(n, tps, p50, p99)


# --- report ----------------------------------------------------------------------------------

def med(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt_num(x, digits=0):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def fmt_ms(x):
    if x is None:
        return "–"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def cell(rows, cold=False):
    if not rows:
        return "–"
    m = {k: med(rows, k) for k in rows[0] if k != "foreign_top"}
    lines = []
    if cold:
        lines.append(f"**p50 {fmt_ms(m['p50_ms'])} · p99 {fmt_ms(m['p99_ms'])} ms**")
        lines.append(f"max {fmt_ms(m.get('max_ms'))} ms, {int(m['requests'])} tenants")
    else:
        lines.append(f"**{fmt_num(m['rps'])} req/s**")
        lines.append(f"p50 {fmt_ms(m['p50_ms'])} · p99 {fmt_ms(m['p99_ms'])} ms")
    cpu = []
    if m.get("srv_cpu_ms") is not None:
        cpu.append(f"srv {m['srv_cpu_ms']:.3f}")
    if m.get("pg_cpu_ms") is not None:
        cpu.append(f"pg {m['pg_cpu_ms']:.3f}")
    if cpu:
        lines.append("CPU " + " · ".join(cpu) + " ms/req")
    if m.get("sql") is not None:
        lines.append(f"SQL {m['sql']:.2f}/req")
    if m.get("hwm_mb") is not None:
        lines.append(f"RSS {m['hwm_mb']:.0f}/{m['rss_mb']:.0f} MB")
    if m.get("max_conns") is not None:
        lines.append(f"max conns {int(m['max_conns'])}")
    if m.get("pg_refused"):
        lines.append(f"⚠ PostgreSQL refused {int(m['pg_refused'])} connections (max_connections)")
    if m.get("foreign_cores") is not None and m["foreign_cores"] > 0.15:
        top = "; ".join(r["foreign_top"] for r in rows if r.get("foreign_top"))
        lines.append(f"⚠ other processes used {m['foreign_cores']:.2f} cores"
                     + (f" ({top})" if top else ""))
    if len(rows) > 1:
        lines.append(f"({len(rows)} rounds)")
    return "<br>".join(lines)


def ratio(a, b, key="rps"):
    if not a or not b:
        return None
    x, y = med(a, key), med(b, key)
    return x / y if x and y else None


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}×"


def machine():
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
    mem_gib = int(mem.split()[1]) / 1024 / 1024

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            return "?"

    def pkg(path):
        try:
            return json.loads(Path(path).read_text())["version"]
        except OSError:
            return "not installed"

    return {
        "nproc": os.cpu_count(), "cpu": cpu, "mem": f"{mem_gib:.1f} GiB",
        "kernel": os.uname().release,
        "pg": psql("postgres", "SHOW server_version"),
        "pg_settings": ", ".join(f"{k}={psql('postgres', f'SHOW {k}')}" for k in (
            "max_connections", "shared_buffers", "fsync", "synchronous_commit",
            "shared_preload_libraries", "pg_stat_statements.track", "work_mem")),
        "node_v4": version(["node", "--version"]),
        "node_v5": version([str(WORK / "pgl5/node_modules/node/bin/node"), "--version"]),
        "pgl4": pkg(WORK / "pgl4/node_modules/postgraphile/package.json"),
        "pgl5": pkg(WORK / "pgl5/node_modules/postgraphile/package.json"),
        "wrk": version(["sh", "-c", "wrk -v 2>&1 | head -n 1"]).split(" [")[0],
        "rustc": version(["rustc", "--version"]),
    }


def git_rev():
    if E.get("BENCH_ERP_GIVEN"):
        # --erp: the binary measured is not the working tree's; its file name says what it is.
        return "erp-" + Path(E["BENCH_ERP_GIVEN"]).name.removeprefix("erp-"), False
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip() or "nogit"
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "api", "entities",
                            "migration", "Cargo.toml", "Cargo.lock"],
                           capture_output=True, text=True).stdout.strip()
    return sha, bool(dirty)


def report(results, fx, started):
    sha, dirty = git_rev()
    mc = machine()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    R = lambda w, s: results.get((w, s), [])
    rows = [
        ("W1 one opportunity by id, c=16", "W1", False),
        ("W1 one opportunity by id, c=1", "W1c1", False),
        ("W2 100 opportunities × customer, stage, owner, 10 activities × assignee, c=8", "W2", False),
        ("W3 createOpportunity, c=8", "W3", False),
        ("W5a 100 tenants, enough pool slots (`" + E["BENCH_W5A_ENV"] + "`), c=16", "W5a", False),
        ("W5b 100 tenants, 30 slots (`" + E["BENCH_W5B_ENV"] + "`), c=16; pgbench: `-C` on one tenant DB", "W5b", False),
        ("W5c first request to each of 100 tenants after a fresh start, one by one", "W5c", True),
    ]
    out = []
    out.append(f"# Benchmark {date} @ {sha}{' (+ uncommitted changes)' if dirty else ''}\n")
    out.append(f"- command: `{E['BENCH_COMMAND']}` ({ROUNDS} round(s), {DURATION} s per run, "
               f"{WARMUP} s warm-up per server start; medians over rounds; "
               f"wall time {(time.time() - started) / 60:.1f} min)")
    out.append(f"- machine: {mc['nproc']} cores, {mc['cpu']}, {mc['mem']} RAM, Linux {mc['kernel']}; "
               f"server, PostgreSQL and wrk share the cores")
    out.append(f"- PostgreSQL {mc['pg']} (own cluster, port {E['BENCH_PG_PORT']}): {mc['pg_settings']}; "
               "everything else default")
    out.append(f"- ours: `erp serve` {sha}, ERP_ENV=production, `{E.get('BENCH_OURS_ENV', '')}`, "
               "default pool settings unless noted "
               f"({mc['rustc']}); v4: PostGraphile {mc['pgl4']} on node {mc['node_v4']} (CLI, pool 10); "
               f"v5: PostGraphile {mc['pgl5']} on node {mc['node_v5']} (amber preset, makePgService, grafserv/node); "
               "floor: bench/floor (axum + sqlx, pool 5, W1 only); pgbench: bench/pgbench/w1.sql "
               "(our server's W1 statements after an id lookup, `-M prepared`); "
               f"{mc['wrk']}")
    out.append(f"- data ({TENANT_DB}): {fx['counts']}; + {len(W5_TENANTS)} W5 tenants; "
               f"seeding (when the cluster was last seeded): {E['BENCH_SEED_TIMING']}")
    foreign = sorted(r["foreign_cores"] for rs in results.values() for r in rs)
    if foreign:
        warn = " — **other processes loaded the machine: treat these numbers with care**" \
            if foreign[-1] > 0.15 else ""
        out.append(f"- CPU used by other processes during the measured runs (every process but the "
                   f"server, PostgreSQL and the load generator, from /proc): median {statistics.median(foreign):.2f}, "
                   f"max {foreign[-1]:.2f} of {os.cpu_count()} cores{warn}")
    out.append("")
    hdr = ["workload", "ours", "v4", "v5", "floor (axum)", "pgbench", "ours/v5", "ours/floor"]
    out.append("| " + " | ".join(hdr) + " |")
    out.append("|" + "---|" * len(hdr))
    for title, w, cold in rows:
        if w.startswith("W5") and "W5" not in ONLY:
            continue
        if not w.startswith("W5") and w[:2] not in ONLY:
            continue
        cells = [title]
        cells.append(cell(R(w, "ours"), cold))
        for s in ("v4", "v5", "floor"):
            cells.append(cell(R(w, s)))
        cells.append(cell(R("W5d" if w == "W5b" else w, "pgbench")))
        cells.append(fmt_ratio(ratio(R(w, "ours"), R(w, "v5"))))
        cells.append(fmt_ratio(ratio(R(w, "ours"), R(w, "floor"))))
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append("Cells: req/s; p50 · p99 latency (wrk --latency); CPU ms per request of the server's "
               "process tree (srv) and of the whole PostgreSQL cluster (pg); SQL statements per request "
               "(pg_stat_statements calls, BEGIN/COMMIT included); RSS peak/end of the server's process tree. "
               "Ratios are req/s.\n")
    # The ratios the targets care about.
    t = []
    w1o, w1v5 = R("W1", "ours"), R("W1", "v5")
    if w1o:
        t.append(f"- W1 ours/v5 at c=16: **{fmt_ratio(ratio(w1o, w1v5))}**; ours/floor (axum): "
                 f"**{fmt_ratio(ratio(w1o, R('W1', 'floor')))}**; ours/pgbench: "
                 f"{fmt_ratio(ratio(w1o, R('W1', 'pgbench')))}")
    c1o, c1v5 = R("W1c1", "ours"), R("W1c1", "v5")
    if c1o and c1v5:
        t.append(f"- W1 p50 at c=1: ours **{fmt_ms(med(c1o, 'p50_ms'))} ms** vs v5 **{fmt_ms(med(c1v5, 'p50_ms'))} ms** "
                 f"(ours takes {fmt_ratio(ratio(c1o, c1v5, 'p50_ms'))} v5's time)")
    w2o, w2v5 = R("W2", "ours"), R("W2", "v5")
    if w2o and w2v5:
        t.append(f"- W2 ours/v5: **{fmt_ratio(ratio(w2o, w2v5))}**; SQL/req ours {med(w2o, 'sql'):.2f} vs "
                 f"v5 {med(w2v5, 'sql'):.2f}")
    w3o, w3v5 = R("W3", "ours"), R("W3", "v5")
    if w3o and w3v5:
        t.append(f"- W3 ours/v5: **{fmt_ratio(ratio(w3o, w3v5))}**")
    if R("W5c", "ours"):
        c = R("W5c", "ours")
        t.append(f"- W5 cold tenant (first request after a fresh start): p50 {fmt_ms(med(c, 'p50_ms'))} ms, "
                 f"**p99 {fmt_ms(med(c, 'p99_ms'))} ms**")
    if R("W5a", "ours") and w1o:
        t.append(f"- W5 enough slots / single tenant (W5a / W1 ours c=16): "
                 f"**{fmt_ratio(ratio(R('W5a', 'ours'), w1o))}**")
    if R("W5b", "ours"):
        t.append(f"- W5 over 30 slots / pgbench -C (W5b / W5d): "
                 f"**{fmt_ratio(ratio(R('W5b', 'ours'), R('W5d', 'pgbench')))}**")
    mx = [(w, max(r['max_conns'] for r in R(w, 'ours')), max(r['pg_refused'] for r in R(w, 'ours')))
          for w in ("W5a", "W5b", "W5c") if R(w, "ours")]
    if mx:
        t.append("- max connections our server held (pg_stat_activity every 100 ms, control + tenant "
                 f"databases; PostgreSQL max_connections {psql('postgres', 'SHOW max_connections')}): "
                 + ", ".join(f"{w} **{n}**" + (f" (PostgreSQL refused {r} connection attempts)" if r else "")
                             for w, n, r in mx))
        # The configured bound on connections to tenant databases, against what was held.
        for w, env_key in (("W5a", "BENCH_W5A_ENV"), ("W5b", "BENCH_W5B_ENV"), ("W5c", "BENCH_W5A_ENV")):
            if not R(w, "ours"):
                continue
            bound = int(env_pairs(E[env_key]).get("ERP_TENANT_CONNECTIONS_MAX", "80"))
            held = max(r.get("max_tenant_conns") or 0 for r in R(w, "ours"))
            verdict = "within it" if held <= bound else "**over it**"
            t.append(f"- {w}: at most {int(held)} connections to tenant databases; "
                     f"`ERP_TENANT_CONNECTIONS_MAX={bound}`: {verdict}")
    out.append("Ratios the targets care about:\n")
    out += t
    # The floors must run the statements our server runs for W1, or ours/floor means nothing.
    if "ours" in W1_SQL:
        ours_sql = W1_SQL["ours"]
        for f in ("floor", "pgbench"):
            if f not in W1_SQL:
                continue
            if W1_SQL[f] == ours_sql:
                out.append(f"- {f} ran the same {len(ours_sql)} statement(s) per W1 request as ours")
            else:
                out.append(f"- ⚠ **{f} ran other statements per W1 request than ours**: update "
                           f"{'bench/floor/src/main.rs' if f == 'floor' else 'bench/pgbench/w1.sql'}. "
                           f"ours: {[q[:140] for q in ours_sql]}; {f}: {[q[:140] for q in W1_SQL[f]]}")
    if failures:
        out.append("\n**FAILED runs** (their cells are missing):\n")
        for w, s, msg in failures:
            out.append(f"- {w} on {s}: {msg[:600]}")
    out.append(f"\nRaw wrk/pgbench reports, top statements per run and server logs: "
               f"`bench/.work/runs/{STAMP}/`.")
    text = "\n".join(out) + "\n"
    path = BENCH / "results" / f"{date}-{sha}.md"
    path.write_text(text)
    print(text)
    log(f"results written to {path.relative_to(REPO)}")


# --- main ------------------------------------------------------------------------------------

def attempt(results, workload, server, fn):
    try:
        log(f"{workload} on {server} …")
        r = fn()
        results.setdefault((workload, server), []).append(r)
        log(f"  {workload} on {server}: {r['rps']:,.0f} req/s, p50 {r['p50_ms']:.2f} ms, "
            f"p99 {r['p99_ms']:.2f} ms, SQL/req {r['sql']:.2f}, other processes used "
            f"{r['foreign_cores']:.2f} cores" + (f" ({r['foreign_top']})" if r["foreign_top"] else ""))
    except (Failure, RuntimeError, OSError, ValueError, KeyError) as e:
        log(f"  FAILED: {workload} on {server}: {e}")
        failures.append((workload, server, str(e)))


def main():
    global STATS
    started = time.time()
    STATS = PgSession()
    reset_database()
    fx = write_fixtures()
    if "ours" in SERVERS:
        verify_seed(fx)
    results = {}
    fx5 = None
    for rnd in range(1, ROUNDS + 1):
        log(f"round {rnd}/{ROUNDS}")
        for name, script, conns, servers in WRK_WORKLOADS:
            if name[:2] not in ONLY:
                continue
            for s in SERVERS:
                if s not in servers:
                    continue
                if s == "pgbench":
                    attempt(results, name, s, lambda: run_pgbench_w1(name, conns, rnd))
                else:
                    attempt(results, name, s,
                            lambda: run_wrk_workload(name, script, conns, s, fx, rnd))
        if "W5" in ONLY and "ours" in SERVERS:
            if fx5 is None:
                fx5 = w5_fixtures()
            attempt(results, "W5a", "ours", lambda: run_w5_load("a", E["BENCH_W5A_ENV"], fx5, rnd))
            attempt(results, "W5b", "ours", lambda: run_w5_load("b", E["BENCH_W5B_ENV"], fx5, rnd))
            attempt(results, "W5c", "ours", lambda: run_w5_cold(fx5, rnd))
            if "pgbench" in SERVERS:
                attempt(results, "W5d", "pgbench", lambda: run_w5_pgbench(rnd))
    (RUNDIR / "results.json").write_text(json.dumps(
        {f"{w}|{s}": r for (w, s), r in results.items()}, indent=1))
    report(results, fx, started)
    if failures:
        for w, s, msg in failures:
            print(f"bench: FAILED: {w} on {s}: {msg}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    # bench/run stopped (SIGTERM): unwind, so every server started here is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    except Failure as e:
        print(f"bench: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
