"""API load: a realistic request mix against ``billing serve``, beside a trivial FastAPI app.

For each database (SQLite temp file, PostgreSQL fresh database):

1. **seed** a realistic data set: customers and monthly subscriptions in bulk
   (:mod:`billing.bill_runs.synthetic`, ``variety``: quantities, arrears, anchor days, price and
   licence changes), started over the past year; then through the real app in-process
   (FastAPI's TestClient, the service layer behind the handlers): an integration API key, the
   bill run up to today, immediate cancellations and mid-period licence/price changes that post
   credit notes and invoices;
2. **serve** it with the real command ``python -m billing.cli serve --workers 1`` on a free
   loopback port (on PostgreSQL then also ``--workers 2``, measured the same way in the same
   run: ``--postgres-workers``), and beside it a trivial FastAPI app (one sync endpoint
   returning a small JSON, like billing's own handlers, which are sync) served by uvicorn the
   same way: one worker, the same loop and http settings (uvicorn's defaults, as ``billing
   serve`` uses), access log on;
3. **load** each with ``wrk`` (Debian's wrk 4.1, C, event loop; a generated Lua script picks
   weighted requests with tokens, an ``Idempotency-Key`` on real writes, and counts statuses):
   the trivial endpoint, billing's ``/healthz`` (the app's middleware without a database), and
   billing's mix: reads of subscriptions, timelines and ledgers 60 %; licence/price changes
   15 % (10 % ``?preview=true``, 5 % real); cancellations and their undos 10 %; credit-note
   feed pulls by cursor 10 % (integration token); invoice reads 5 %. N connections for a fixed
   duration, after a short warm-up. Then billing's mix again **paced at half** the measured
   mix throughput (wrk 4.1 has no ``-R``; the Lua ``delay()`` spaces each connection's requests
   so that N connections offer the target rate; the achieved rate is printed);
4. optionally (``--profile SECONDS``) a ``py-spy record --gil`` of the server under the mix,
   summarised as the top frames by own and by inclusive samples.

wrk, not a Python generator: one wrk thread sustains >50,000 req/s with a Lua script on this
machine, so it takes a few percent of a core where a Python client would compete with the
server for the two cores; its CPU time is measured and printed beside each figure.

Statuses: 2xx are successes; 409/412/422 are expected from the mix (a cancel or undo racing
another, a change the subscription's state refuses) and counted apart; anything else is an
error. The server's access log gives the statuses per kind of request.

    /work/venv/bin/python benchmarks/api_load.py --databases sqlite,postgres --profile 10
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import scratch_db  # benchmarks/scratch_db.py: run as a script, its folder is on the path
from sqlalchemy import create_engine, text

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
PG_DB = "bench_api_load"
ADMIN_TOKEN = "bench-api-load-admin-token-0123456789"
TAG = "00000apild00"
EXPECTED = {409, 412, 422}
MAX_RUN_SECONDS = 120  # hard bound on any one wrk run (it stops itself after --duration)

TRIVIAL_APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"status": "ok", "service": "trivial"}


@app.get("/aping")
async def aping() -> dict[str, str]:
    return {"status": "ok", "service": "trivial"}
"""


# -- seeding ----------------------------------------------------------------------------------


@dataclass
class Dataset:
    today: date
    integration_token: str
    subscriptions: list[str]
    change_pool: list[str]
    cancel_pool: list[str]
    invoices: list[str]
    credit_note_cursors: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def seed_database(url: str, *, subscriptions: int, seed_value: int) -> Dataset:
    """Bulk subscriptions, then the bill run, cancellations and changes through the real app."""
    from fastapi.testclient import TestClient

    from billing.bill_runs.synthetic import seed
    from billing.http.app import create_app
    from billing.settings import Settings
    from billing.storage.db import make_engine
    from billing.storage.migrate import upgrade

    rng = random.Random(seed_value)
    today = date.today()
    upgrade(url)
    engine = make_engine(url)
    seed(
        engine,
        subscriptions,
        first_start=today - timedelta(days=365),
        last_start=today - timedelta(days=1),
        variety=True,
        seed_value=seed_value,
        tag=TAG,
    )
    engine.dispose()
    settings = Settings(database_url=url, admin_token=ADMIN_TOKEN)
    app = create_app(settings, migrate=False)
    staff = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(app) as client:

        def post(path: str, body: dict[str, Any], ok: tuple[int, ...] = (200, 201)) -> Any:
            r = client.post(path, json=body, headers=staff)
            if r.status_code not in ok:
                raise SystemExit(f"seeding: POST {path} {body} -> {r.status_code} {r.text}")
            return r.json()

        token = post("/v1/api-keys", {"role": "integration"})["token"]
        # monthly bill runs over the past year, as a business would have run them, then today
        first = today.replace(day=1)
        for k in range(12, 0, -1):
            month = (first.month - k - 1) % 12 + 1
            year = first.year + (first.month - k - 1) // 12
            post("/v1/bill-runs", {"as_of": date(year, month, 1).isoformat()})
        post("/v1/bill-runs", {"as_of": today.isoformat()})
        subs = [f"sub_{TAG}{i:016x}" for i in range(subscriptions)]
        shuffled = subs[:]
        rng.shuffle(shuffled)
        n_cancel = subscriptions // 10
        n_change = subscriptions // 10
        cancelled = shuffled[:n_cancel]
        changed = shuffled[n_cancel : n_cancel + n_change]
        for sid in cancelled:  # 10 %: cancelled now, the unused part back as a credit note
            post(
                f"/v1/subscriptions/{sid}/cancel",
                {"mode": "immediately", "unused": "credit_note", "reason": "seed"},
                ok=(200, 409, 422),
            )
        for sid in changed:  # 10 %: a licence or price change today, prorated by day
            body: dict[str, Any] = {"effective_date": today.isoformat(), "proration": "by_day"}
            if rng.random() < 0.5:
                body["quantity"] = rng.choice((1, 2, 3, 4, 6))
            else:
                body["unit_amount"] = rng.choice((14995, 19995, 29995))
            body["unused"] = "credit_note"
            post(f"/v1/subscriptions/{sid}/changes", body, ok=(200, 409, 422))
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {
            name: int(conn.execute(text(sql)).scalar_one())
            for name, sql in (
                ("customers", "SELECT count(*) FROM customers"),
                ("subscriptions", "SELECT count(*) FROM subscriptions"),
                ("active", "SELECT count(*) FROM subscriptions WHERE status = 'active'"),
                ("timeline_events", "SELECT count(*) FROM timeline_events"),
                ("ledger_entries", "SELECT count(*) FROM ledger_entries"),
                ("invoices", "SELECT count(*) FROM documents WHERE type = 'invoice'"),
                ("credit_notes", "SELECT count(*) FROM documents WHERE type = 'credit_note'"),
            )
        }
        active = [
            r[0]
            for r in conn.execute(
                text("SELECT id FROM subscriptions WHERE status = 'active' ORDER BY id")
            )
        ]
        invoices = [
            r[0]
            for r in conn.execute(
                text("SELECT id FROM documents WHERE type = 'invoice' ORDER BY number")
            )
        ]
        notes = [
            r[0]
            for r in conn.execute(
                text("SELECT number FROM documents WHERE type = 'credit_note' ORDER BY number")
            )
        ]
        if url.startswith("postgresql"):
            conn.commit()
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    rng.shuffle(active)
    n_pool = max(50, len(active) // 8)
    cancel_pool = sorted(active[:n_pool])
    change_pool = sorted(active[n_pool:])
    # cursors spread over the feed, the "nothing new" end included
    cursors = [str(n) for n in notes[:: max(1, len(notes) // 200)]] or ["0"]
    return Dataset(
        today=today,
        integration_token=token,
        subscriptions=subs,
        change_pool=change_pool,
        cancel_pool=cancel_pool,
        invoices=rng.sample(invoices, min(1000, len(invoices))),
        credit_note_cursors=cursors,
        counts=counts,
    )


# -- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_server(name: str, cmd: list[str], env: dict[str, str], workdir: Path) -> Server:
    port = free_port()
    log = workdir / f"{name}-{port}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [*cmd, "--port", str(port)], env=env, cwd=workdir, stdout=sink, stderr=sink
        )
    server = Server(name, proc, port, log)
    deadline = time.monotonic() + 60
    path = "/healthz" if name.startswith("billing") else "/ping"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            status, _ = http_get(port, path)
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{name} did not answer within 60 s")


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        conn.close()


def server_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILLING_")}
    env.update(BILLING_DATABASE_URL=url, BILLING_ADMIN_TOKEN=ADMIN_TOKEN)
    return env


# -- the generator: a wrk Lua script ----------------------------------------------------------

LUA_TEMPLATE = r"""
-- generated by benchmarks/api_load.py
local cfg = __CONFIG__
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(7919 * tid + 17)
  statuses = {}
  kinds = {}
  seq = 0
  pending = {}   -- cancelled subscriptions waiting for their undo: {sub, seq}
  phead, ptail = 1, 0
  next_cancel = tid
  fixed = nil
  if cfg.path then
    fixed = wrk.format("GET", cfg.path)
  else
    staff = {["Authorization"] = "Bearer " .. cfg.staff}
    integ = {["Authorization"] = "Bearer " .. cfg.integration}
  end
end

local function pick(list) return list[math.random(#list)] end

local function post(path, body, token, key)
  local h = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  if key then h["Idempotency-Key"] = "bench-" .. cfg.run .. "-" .. tid .. "-" .. seq end
  return wrk.format("POST", path, h, body)
end

local function kind(k) kinds[k] = (kinds[k] or 0) + 1 end

local function change_body(preview)
  local b
  if math.random() < 0.5 then
    b = '{"effective_date":"' .. cfg.today .. '","quantity":' .. math.random(1, 6)
  else
    local prices = {14995, 19995, 24995, 29995}
    b = '{"effective_date":"' .. cfg.today .. '","unit_amount":' .. pick(prices)
  end
  return b .. ',"proration":"by_day","unused":"credit_note","reason":"load"}'
end

function request()
  if fixed then return fixed end
  seq = seq + 1
  local r = math.random(1000)
  local s = "/v1/subscriptions/"
  if r <= 200 then
    kind("subscription")
    return wrk.format("GET", s .. pick(cfg.subs), staff)
  elseif r <= 400 then
    kind("timeline")
    return wrk.format("GET", s .. pick(cfg.subs) .. "/timeline", staff)
  elseif r <= 600 then
    kind("ledger")
    return wrk.format("GET", s .. pick(cfg.subs) .. "/ledger", integ)
  elseif r <= 700 then
    kind("change_preview")
    return post(s .. pick(cfg.change) .. "/changes?preview=true", change_body(), cfg.staff)
  elseif r <= 750 then
    kind("change")
    return post(s .. pick(cfg.change) .. "/changes", change_body(), cfg.staff, true)
  elseif r <= 850 then
    -- undo a cancellation made at least 4*connections requests ago, else cancel the next one
    if phead <= ptail and pending[phead][2] + cfg.lag < seq then
      local sub = pending[phead][1]
      pending[phead] = nil
      phead = phead + 1
      kind("undo")
      return wrk.format("DELETE", s .. sub .. "/cancel", staff)
    end
    local sub = cfg.cancel[next_cancel]
    next_cancel = next_cancel + cfg.nthreads
    if next_cancel > #cfg.cancel then next_cancel = tid end
    ptail = ptail + 1
    pending[ptail] = {sub, seq}
    kind("cancel")
    return post(s .. sub .. "/cancel", '{"mode":"end_of_period","reason":"load"}', cfg.staff,
                true)
  elseif r <= 950 then
    kind("credit_note_feed")
    return wrk.format("GET", "/v1/credit-notes?limit=20&after=" .. pick(cfg.cursors), integ)
  else
    kind("invoice")
    return wrk.format("GET", "/v1/invoices/" .. pick(cfg.invoices), integ)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

if cfg.rate > 0 then
  -- open-loop pacing: each finished connection takes the thread's next free send slot
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk, bench_timespec *tp);
  ]]
  local ts = ffi.new("bench_timespec")
  local interval = 1000 * cfg.nthreads / cfg.rate
  local next_slot = nil
  function delay()
    ffi.C.clock_gettime(1, ts)
    local now = tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
    local slot = math.max(next_slot or now, now)
    next_slot = slot + interval
    return slot - now
  end
end

local function enc(t)
  local parts = {}
  for k, v in pairs(t) do parts[#parts + 1] = '"' .. tostring(k) .. '":' .. tostring(v) end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local st, kd = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do st[k] = (st[k] or 0) + v end
    for k, v in pairs(t:get("kinds")) do kd[k] = (kd[k] or 0) + v end
  end
  local e = summary.errors
  io.write("RESULT ", "{",
    '"requests":', summary.requests, ',"duration_us":', summary.duration,
    ',"p50_us":', latency:percentile(50), ',"p90_us":', latency:percentile(90),
    ',"p99_us":', latency:percentile(99), ',"max_us":', latency.max,
    ',"mean_us":', latency.mean,
    ',"errors":{"connect":', e.connect, ',"read":', e.read, ',"write":', e.write,
    ',"status":', e.status, ',"timeout":', e.timeout, '}',
    ',"statuses":', enc(st), ',"kinds":', enc(kd), "}\n")
end
"""


def lua_list(items: list[str]) -> str:
    return "{" + ",".join(json.dumps(x) for x in items) + "}"


def write_lua(
    path: Path,
    *,
    data: Dataset | None,
    fixed_path: str | None,
    run: str,
    connections: int,
    threads: int,
    rate: float = 0.0,
) -> None:
    if data is None:
        config = (
            f'{{path = {json.dumps(fixed_path)}, rate = {rate:.3f}, run = "{run}", '
            f"nthreads = {threads}}}"
        )
    else:
        config = (
            "{path = nil"
            f", rate = {rate:.3f}, run = {json.dumps(run)}, nthreads = {threads}"
            f", lag = {4 * connections}, today = {json.dumps(data.today.isoformat())}"
            f", staff = {json.dumps(ADMIN_TOKEN)}"
            f", integration = {json.dumps(data.integration_token)}"
            f", subs = {lua_list(data.subscriptions)}"
            f", change = {lua_list(data.change_pool)}"
            f", cancel = {lua_list(data.cancel_pool)}"
            f", invoices = {lua_list(data.invoices)}"
            f", cursors = {lua_list(data.credit_note_cursors)}}}"
        )
    path.write_text(LUA_TEMPLATE.replace("__CONFIG__", config))


# -- measuring --------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (its threads included) and of its children
    (``billing serve --workers 2``: uvicorn's supervisor and its worker processes)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0
    return own + sum(cpu_seconds(child) for child in children(pid))


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from each of its threads' ``children`` list)."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except (OSError, ValueError):
        pass
    return found


@dataclass
class Run:
    database: str
    target: str
    what: str
    connections: int
    seconds: float
    requests: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int]
    kinds: dict[str, int]
    socket_errors: dict[str, int]
    server_cpu: float
    wrk_cpu: float
    load: float
    offered: float = 0.0
    note: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def good_rate(self) -> float:
        return (self.ok + self.expected) / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300)

    @property
    def expected(self) -> int:
        return sum(n for s, n in self.statuses.items() if s in EXPECTED)

    @property
    def errors(self) -> int:
        bad = sum(n for s, n in self.statuses.items() if not (200 <= s < 300 or s in EXPECTED))
        return bad + sum(v for k, v in self.socket_errors.items() if k != "status")


def run_wrk(
    server: Server,
    script: Path,
    *,
    database: str,
    what: str,
    connections: int,
    threads: int,
    duration: int,
    offered: float = 0.0,
    sampler: LockSampler | None = None,
) -> Run:
    load = os.getloadavg()[0]
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
           "-s", str(script), server.base]  # fmt: skip
    srv0 = cpu_seconds(server.process.pid)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wrk_cpu = 0.0
    while proc.poll() is None:  # sample wrk's CPU until it exits (it stops after -d itself)
        wrk_cpu = max(wrk_cpu, cpu_seconds(proc.pid))
        if time.perf_counter() - t0 > MAX_RUN_SECONDS:
            proc.kill()
        if sampler is not None:
            sampler.sample()
        time.sleep(0.2 if sampler is None else 0.5)
    out = proc.stdout.read() if proc.stdout else ""
    srv = cpu_seconds(server.process.pid) - srv0
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if proc.returncode != 0 or not m:
        raise SystemExit(f"wrk failed ({proc.returncode}):\n{out}")
    r = json.loads(m[1])
    seconds = r["duration_us"] / 1e6
    return Run(
        database=database,
        target=server.name,
        what=what,
        connections=connections,
        seconds=seconds,
        requests=r["requests"],
        p50_ms=r["p50_us"] / 1000,
        p90_ms=r["p90_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        max_ms=r["max_us"] / 1000,
        statuses={int(k): v for k, v in r["statuses"].items()},
        kinds=r["kinds"],
        socket_errors=r["errors"],
        server_cpu=srv / seconds,
        wrk_cpu=wrk_cpu / seconds,
        load=load,
        offered=offered,
    )


ACCESS = re.compile(r'"(GET|POST|DELETE|PUT) (\S+) HTTP/1\.1" (\d{3})')


def classify(method: str, path: str) -> str:
    if path.startswith("/v1/credit-notes"):
        return "credit_note_feed"
    if path.startswith("/v1/invoices/"):
        return "invoice"
    if path.endswith("/timeline"):
        return "timeline"
    if path.endswith("/ledger"):
        return "ledger"
    if path.endswith("/changes?preview=true"):
        return "change_preview"
    if path.endswith("/changes"):
        return "change"
    if path.endswith("/cancel"):
        return "undo" if method == "DELETE" else "cancel"
    if path.startswith("/v1/subscriptions/"):
        return "subscription"
    return path


def access_statuses(log: Path, offset: int) -> dict[str, collections.Counter[int]]:
    """Statuses per kind of request in the server's access log from ``offset`` on."""
    per: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    with log.open("rb") as f:
        f.seek(offset)
        for line in f.read().decode(errors="replace").splitlines():
            m = ACCESS.search(line)
            if m:
                per[classify(m[1], m[2])][int(m[3])] += 1
    return per


def smoke(server: Server, data: Dataset) -> None:
    """One read of each kind answers 200 before any load (a broken mix is not a benchmark)."""
    staff = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    integ = {"Authorization": f"Bearer {data.integration_token}"}
    sid = data.change_pool[0]
    for path, h in (
        (f"/v1/subscriptions/{sid}", staff),
        (f"/v1/subscriptions/{sid}/timeline", staff),
        (f"/v1/subscriptions/{sid}/ledger", integ),
        (f"/v1/credit-notes?limit=20&after={data.credit_note_cursors[0]}", integ),
        (f"/v1/invoices/{data.invoices[0]}", integ),
    ):
        status, body = http_get(server.port, path, h)
        if status != 200:
            raise SystemExit(f"smoke: GET {path} -> {status} {body[:500]}")


def probe(server: Server, data: Dataset, per_kind: int = 30) -> dict[str, float]:
    """Median milliseconds per kind of request, one at a time on the otherwise idle server
    (the service time each kind costs, without queueing). Bounded: ``per_kind`` each."""
    import http.client

    staff = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
    integ = {"Authorization": f"Bearer {data.integration_token}"}
    rng = random.Random(11)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    s = "/v1/subscriptions/"
    day = data.today.isoformat()

    def body() -> str:
        return json.dumps(
            {"effective_date": day, "quantity": rng.randint(1, 6), "proration": "by_day"}
        )

    kinds: dict[str, Any] = {
        "subscription": lambda: ("GET", s + rng.choice(data.subscriptions), staff, None),
        "timeline": lambda: ("GET", s + rng.choice(data.subscriptions) + "/timeline", staff, None),
        "ledger": lambda: ("GET", s + rng.choice(data.subscriptions) + "/ledger", integ, None),
        "change_preview": lambda: (
            "POST",
            s + rng.choice(data.change_pool) + "/changes?preview=true",
            staff,
            body(),
        ),
        "change": lambda: ("POST", s + rng.choice(data.change_pool) + "/changes", staff, body()),
        "credit_note_feed": lambda: (
            "GET",
            "/v1/credit-notes?limit=20&after=" + rng.choice(data.credit_note_cursors),
            integ,
            None,
        ),
        "invoice": lambda: ("GET", "/v1/invoices/" + rng.choice(data.invoices), integ, None),
        "healthz": lambda: ("GET", "/healthz", {}, None),
    }
    out: dict[str, float] = {}
    try:
        for kind, make in kinds.items():
            times = []
            for _ in range(per_kind):
                method, path, headers, payload = make()
                t = time.perf_counter()
                conn.request(method, path, body=payload, headers=headers)
                r = conn.getresponse()
                r.read()
                times.append(time.perf_counter() - t)
            out[kind] = 1000 * sorted(times)[len(times) // 2]
        for kind, method, payload in (
            ("cancel", "POST", '{"mode":"end_of_period","reason":"probe"}'),
            ("undo", "DELETE", None),
        ):
            times = []
            for sid in data.cancel_pool[:per_kind]:  # cancel all, then undo all
                t = time.perf_counter()
                conn.request(method, s + sid + "/cancel", body=payload, headers=staff)
                r = conn.getresponse()
                r.read()
                times.append(time.perf_counter() - t)
            out[kind] = 1000 * sorted(times)[len(times) // 2]
    finally:
        conn.close()
    return out


def settle(server: Server, data: Dataset, limit: float = 90.0) -> None:
    """Wait (bounded) until a read answers quickly again: requests a closed-loop run left
    queued in the server (sync handlers are not cancelled when wrk hangs up) must not count
    against the next run."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    deadline = time.monotonic() + limit
    quick = 0
    while time.monotonic() < deadline and quick < 3:
        t = time.perf_counter()
        try:
            status, _ = http_get(server.port, f"/v1/subscriptions/{data.change_pool[0]}", headers)
        except OSError:
            status = 0
        quick = quick + 1 if status == 200 and time.perf_counter() - t < 0.2 else 0
        time.sleep(0.3)


class LockSampler:
    """What the server's PostgreSQL backends are doing, sampled during a run."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, pool_size=1, max_overflow=0)
        self.samples = 0
        self.states: collections.Counter[str] = collections.Counter()
        self.waits: collections.Counter[str] = collections.Counter()

    def sample(self) -> None:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT state, wait_event_type, left(regexp_replace(query, '\\s+', ' ', "
                    "'g'), 70) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            ).all()
        self.samples += 1
        for state, wait, query in rows:
            label = "waiting on a lock" if wait == "Lock" else (state or "?")
            self.states[label] += 1
            if wait == "Lock":
                self.waits[query] += 1

    def summary(self) -> str:
        if not self.samples:
            return "pg_stat_activity: no samples"
        self.engine.dispose()
        n = self.samples
        states = ", ".join(f"{k} {v / n:.1f}" for k, v in self.states.most_common())
        top = "; ".join(f"{v / n:.1f} x {q!r}" for q, v in self.waits.most_common(2))
        return f"pg_stat_activity, mean backends over {n} samples: {states}; lock waits: {top}"


# -- profiling --------------------------------------------------------------------------------


def profile(
    server: Server, script: Path, workdir: Path, *, seconds: int, connections: int, threads: int
) -> str:
    """py-spy (GIL holder only) of the server under the mix: top frames by own and inclusive
    samples, and how busy the GIL was (samples taken / samples possible)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    raw = workdir / f"profile-{server.port}.txt"
    rate = 100
    wrk = subprocess.Popen(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds + 4}s", "--timeout", "10s",
         "-s", str(script), server.base],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(2)
        subprocess.run(
            [spy, "record", "--pid", str(server.process.pid), "--duration", str(seconds),
             "--rate", str(rate), "--gil", "--nonblocking", "--format", "raw", "--output",
             str(raw)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=seconds + 60,
        )  # fmt: skip
    finally:
        wrk.wait(timeout=seconds + 60)
    own: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = [short(f) for f in stack.split(";")]
        own[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    lines = [
        f"py-spy --gil, {seconds} s at {rate} Hz: {total} samples with the GIL held "
        f"({total / (seconds * rate):.0%} of wall time); raw stacks in {raw}"
    ]
    lines.append("top own:")
    lines += [f"  {n / total:6.1%}  {f}" for f, n in own.most_common(15)]
    lines.append("top inclusive (billing, sqlalchemy, starlette, fastapi, pydantic, psycopg):")
    interesting = ("billing", "sqlalchemy", "starlette", "fastapi", "pydantic", "psycopg", "sqlite")
    picked = [(f, n) for f, n in incl.most_common() if any(k in f for k in interesting)]
    lines += [f"  {n / total:6.1%}  {f}" for f, n in picked[:25]]
    return "\n".join(lines)


def short(frame: str) -> str:
    """``func (path/to/site-packages/pkg/mod.py:123)`` -> ``func (pkg/mod.py:123)``."""
    m = re.match(r"(.*) \((.*)\)$", frame)
    if not m:
        return frame
    func, where = m[1], m[2]
    for marker in ("site-packages/", "/src/", "lib/python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{func} ({where})"


# -- main -------------------------------------------------------------------------------------


def prepare_database(name: str, pg_url: str, workdir: Path) -> str:
    return scratch_db.fresh(name, pg_url, workdir, PG_DB)


def drop_database(name: str, pg_url: str) -> None:
    scratch_db.drop(name, pg_url, PG_DB)


def socket_errors(r: Run) -> str:
    bad = {k: v for k, v in r.socket_errors.items() if v and k != "status"}
    return f"({', '.join(f'{k} {v}' for k, v in bad.items())}) " if bad else ""


def line(r: Run) -> str:
    offered = f" (offered {r.offered:,.0f}/s)" if r.offered else ""
    return (
        f"    {r.target:8} {r.what:24} {r.rate:8,.0f} req/s{offered}  p50 {r.p50_ms:7.1f} ms  "
        f"p99 {r.p99_ms:7.1f} ms  max {r.max_ms:7.1f} ms  2xx {r.ok:,}  expected "
        f"{r.expected:,}  errors {r.errors:,} {socket_errors(r)} server CPU "
        f"{r.server_cpu:.0%}  wrk CPU {r.wrk_cpu:.0%}  load {r.load:.1f}"
    )


def measure_billing(
    billing: Server,
    data: Dataset,
    args: argparse.Namespace,
    workdir: Path,
    *,
    database: str,
    label: str,
    url: str,
    mix_connections: list[int],
    results: list[Run],
    kinds: dict[str, dict[str, collections.Counter[int]]],
    probes: dict[str, dict[str, float]],
    profiles: dict[str, str] | None,
) -> None:
    """``/healthz``, the mix closed-loop at each of ``mix_connections``, the mix paced at half
    the best of those, the idle probe and (``profiles``) py-spy, against one billing server."""
    c, t, d = args.connections, args.threads, args.duration
    healthz = workdir / "healthz.lua"
    mix = workdir / f"mix_{billing.name}_{database}.lua"
    write_lua(healthz, data=None, fixed_path="/healthz", run="h", connections=c, threads=t)
    plan = [("healthz", "GET /healthz (no DB)", c)]
    plan += [("mix", f"mix, {n} connections", n) for n in mix_connections]
    best: Run | None = None
    for key, what, n in plan:
        script = healthz if key == "healthz" else mix
        run_tag = f"{billing.name}{database}{key}{n}{int(time.time())}"
        if key == "mix":
            write_lua(mix, data=data, fixed_path=None, run=run_tag + "w", connections=n,
                      threads=t)  # fmt: skip
        if args.warmup:
            run_wrk(billing, script, database=database, what="warm-up", connections=n,
                    threads=t, duration=args.warmup)  # fmt: skip
        if key == "mix":
            write_lua(mix, data=data, fixed_path=None, run=run_tag, connections=n,
                      threads=t)  # fmt: skip
            settle(billing, data)
        offset = billing.log.stat().st_size
        sampler = LockSampler(url) if key == "mix" and database == "postgres" else None
        r = run_wrk(billing, script, database=database, what=what, connections=n, threads=t,
                    duration=d, sampler=sampler)  # fmt: skip
        results.append(r)
        print(line(r), flush=True)
        if sampler is not None:
            r.note = sampler.summary()
            print(f"      {r.note}", flush=True)
        if key == "mix":
            kinds[f"{label}, {n} connections"] = access_statuses(billing.log, offset)
            if best is None or r.good_rate > best.good_rate:
                best = r
    assert best is not None
    half = best.good_rate / 2  # half the measured maximum of answered requests
    settle(billing, data)
    paced = workdir / f"paced_{billing.name}_{database}.lua"
    tag = f"{billing.name}{database}p{int(time.time())}"
    write_lua(paced, data=data, fixed_path=None, run=tag, connections=c, threads=t, rate=half)
    r = run_wrk(billing, paced, database=database, what="mix at half max (paced)",
                connections=c, threads=t, duration=d, offered=half)  # fmt: skip
    results.append(r)
    print(line(r), flush=True)
    settle(billing, data)
    probes[label] = probe(billing, data)
    for kind, ms in probes[label].items():
        print(f"    idle, one at a time: {kind:18} median {ms:6.1f} ms", flush=True)
    if args.profile and profiles is not None:
        n = best.connections
        tag = f"{billing.name}{database}prof{int(time.time())}"
        write_lua(mix, data=data, fixed_path=None, run=tag, connections=n, threads=t)
        profiles[label] = profile(billing, mix, workdir, seconds=args.profile, connections=n,
                                  threads=t)  # fmt: skip
        print(profiles[label], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--subscriptions", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--mix-connections", default="32,8", help="connections for billing's mix (each run)"
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per target")
    parser.add_argument("--profile", type=int, default=0, help="py-spy seconds (0: none)")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BILLING_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument(
        "--postgres-workers",
        default="1,2",
        help="billing serve --workers for PostgreSQL, each measured in turn (SQLite: 1)",
    )
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk: apt-get install -y wrk")
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench_api_load_"))
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "trivial_app.py").write_text(TRIVIAL_APP)
    c, t, d = args.connections, args.threads, args.duration
    mix_connections = [int(n) for n in args.mix_connections.split(",")]
    print(
        f"# api_load: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, {c} connections, wrk -t{t}, "
        f"{d} s per run, workdir {workdir}",
        flush=True,
    )
    results: list[Run] = []
    profiles: dict[str, str] = {}
    probes: dict[str, dict[str, float]] = {}
    kinds: dict[str, dict[str, collections.Counter[int]]] = {}
    for name in args.databases.split(","):
        url = prepare_database(name, args.postgres_url, workdir)
        t0 = time.perf_counter()
        data = seed_database(url, subscriptions=args.subscriptions, seed_value=args.seed)
        print(
            f"{name}: seeded in {time.perf_counter() - t0:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in data.counts.items()),
            flush=True,
        )
        env = server_env(url)
        trivial = start_server(
            "trivial",
            [sys.executable, "-m", "uvicorn", "trivial_app:app", "--host", "127.0.0.1",
             "--workers", "1", "--log-level", "info"],
            env,
            workdir,
        )  # fmt: skip
        try:
            for key, path in (("trivial", "/ping"), ("trivial_async", "/aping")):
                script = workdir / f"{key}.lua"
                write_lua(script, data=None, fixed_path=path, run=key, connections=c,
                          threads=t)  # fmt: skip
                what = f"GET {path} ({'async def' if key.endswith('async') else 'sync def'})"
                if args.warmup:
                    run_wrk(trivial, script, database=name, what="warm-up", connections=c,
                            threads=t, duration=args.warmup)  # fmt: skip
                r = run_wrk(trivial, script, database=name, what=what, connections=c,
                            threads=t, duration=d)  # fmt: skip
                results.append(r)
                print(line(r), flush=True)
        finally:
            trivial.stop()
        worker_counts = [int(w) for w in args.postgres_workers.split(",")]
        for workers in worker_counts if name == "postgres" else [1]:
            label = name if workers == 1 else f"{name}, {workers} workers"
            billing = start_server(
                "billing" if workers == 1 else f"billing-{workers}w",
                [sys.executable, "-m", "billing.cli", "serve", "--workers", str(workers)],
                env,
                workdir,
            )
            try:
                smoke(billing, data)
                measure_billing(
                    billing, data, args, workdir, database=name, label=label, url=url,
                    mix_connections=mix_connections, results=results, kinds=kinds,
                    probes=probes, profiles=profiles if workers == 1 else None,
                )  # fmt: skip
            finally:
                billing.stop()
        drop_database(name, args.postgres_url)
    print()
    print("| database | target | load | req/s | answered/s (2xx + 409/412/422) | p50 ms | p99 ms "
          "| max ms | 2xx | 409/412/422 | errors | server CPU | wrk CPU | load avg |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        what = r.what + (f", offered {r.offered:,.0f}/s" if r.offered else "")
        print(
            f"| {r.database} | {r.target} | {what} | {r.rate:,.0f} | {r.good_rate:,.0f} "
            f"| {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.max_ms:.0f} | {r.ok:,} | {r.expected:,} "
            f"| {r.errors:,} | {r.server_cpu:.0%} | {r.wrk_cpu:.0%} | {r.load:.1f} |"
        )
    print()
    for name in dict.fromkeys(r.database for r in results):
        mine = [r for r in results if r.database == name]
        triv = next(r for r in mine if r.what.startswith("GET /ping"))
        atriv = next(r for r in mine if r.what.startswith("GET /aping"))
        best_of: dict[str, Run] = {}
        for target in dict.fromkeys(r.target for r in mine if r.target.startswith("billing")):
            runs = [r for r in mine if r.target == target]
            mix = max((r for r in runs if r.what.startswith("mix,")), key=lambda r: r.good_rate)
            paced = next(r for r in runs if r.offered)
            busy = max((r for r in runs if r.what == "mix, 32 connections"), default=None,
                       key=lambda r: r.p99_ms)  # fmt: skip
            best_of[target] = mix
            print(
                f"{name} ({target}): best mix ({mix.connections} connections) "
                f"{mix.good_rate:,.0f}/s = {mix.good_rate / triv.rate:.1%} of the trivial sync "
                f"endpoint, {mix.good_rate / atriv.rate:.1%} of the async one (target >= 25 %); "
                f"p99 at half load = {paced.p99_ms:.1f} ms (target <= 25 ms)"
                + (f"; p99 at 32 connections = {busy.p99_ms:.1f} ms (target <= 250 ms)"
                   if busy else "")
            )  # fmt: skip
        one, more = best_of.get("billing"), [k for k in best_of if k != "billing"]
        for target in more if one is not None else []:
            assert one is not None
            ratio = best_of[target].good_rate / one.good_rate
            print(f"{name}: {target} / billing (1 worker) = {ratio:.2f}x (target >= 1.7x)")
    for label, per in kinds.items():
        print(f"{label}: statuses per kind (server access log, measured mix run):")
        for kind, counter in sorted(per.items()):
            print(f"    {kind:18} " + ", ".join(f"{s}: {n:,}" for s, n in sorted(counter.items())))


if __name__ == "__main__":
    main()
