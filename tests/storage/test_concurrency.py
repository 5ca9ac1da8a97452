"""Many clients changing one subscription at once never lose an update or post twice.

Six threads, each with its own HTTP client on the same app (so its own connections and
transactions), fire a seeded mix of licence and price changes, pauses and resumes,
cancellations and undos (some with ``If-Match``) and bill runs at ONE subscription, on SQLite
and on PostgreSQL. The interleaving is the scheduler's; the checks afterwards are not:

* every refusal is an expected business answer (409/412/422 problem+json naming a rule), never
  a storage failure (a lock timeout, a deadlock, a unique-key race) or a server error;
* no lost update: every accepted change is on the timeline, each accepted change got its own
  version, and the version is 1 + the number of accepted changes;
* no period charged twice: in every period no day is covered by two charges at once, and no
  period was first charged by two bill-run invoices;
* the ledger is what the timeline says: posted periods are in line with the timeline, and after
  a last bill run the posted total equals the target and a further difference posts nothing;
* document numbers are gapless per series, and each document's total is its entries' sum.

Smaller races follow: one ``Idempotency-Key`` sent by many clients at once; payments racing the
credit notes of changes on one invoice; bill runs (which lock a batch of subscriptions at once),
changes and payments across several subscriptions. On PostgreSQL the last two found deadlocks
between row locks and foreign-key checks, and a lost update of an invoice's paid amount.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from billing.domain.ledger import (
    Entry,
    EntryKind,
    Scope,
    difference,
    net_coverage,
    target_pieces,
    target_total,
    total,
)
from billing.domain.timeline import Event, Schedule
from billing.invoicing import repository as ledger_repo
from billing.storage.models import Document, LedgerEntry, Payment, Subscription
from billing.subscriptions import repository as sub_repo
from tests.conftest import ADMIN_TOKEN, Api, Database, add_test_seller

THREADS = 6
OPERATIONS = 15
TIME_LIMIT = 30.0  # seconds for the whole hammering; threads stop early past it

TODAY = date(2025, 3, 15)
START = date(2025, 1, 1)
BILL_RUN_DATES = [date(2025, m, 1) for m in (1, 2, 3, 4, 5)] + [TODAY]
PROBLEM = "application/problem+json"
# Business refusals a racing client may rightly get; anything else is a bug.
EXPECTED = {409, 412, 422}
STORAGE_FAILURES = {"conflict", "database_busy", "internal_error", "idempotency_in_progress"}


def _day(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randrange((hi - lo).days))


@dataclass
class Outcome:
    accepted: list[dict[str, Any]] = field(default_factory=list)  # change responses
    bill_runs: list[dict[str, Any]] = field(default_factory=list)
    refused: Counter[tuple[int, str]] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _operation(rng: random.Random, api: Api, sub_id: str) -> tuple[str, Callable[[], Any]]:
    """One random request at the subscription: (kind, call)."""
    base = f"/v1/subscriptions/{sub_id}"
    headers: dict[str, str] = {}
    if rng.random() < 0.25:
        # A careful client: read the version, then change only if nobody else did meanwhile.
        seen = api.get(base)
        assert seen.status_code == 200, seen.text
        headers["If-Match"] = str(seen.json()["version"])
    choice = rng.choices(
        ["quantity", "price", "pause", "resume", "cancel", "undo", "bill_run"],
        weights=[3, 2, 2, 1, 2, 2, 3],
    )[0]
    if choice == "quantity":
        body = {
            "effective_date": str(_day(rng, START, date(2025, 6, 1))),
            "quantity": rng.randint(1, 6),
        }
        return choice, lambda: api.post(f"{base}/changes", body, headers=headers)
    if choice == "price":
        body = {
            "effective_date": str(_day(rng, START, date(2025, 6, 1))),
            "unit_amount": rng.choice([9900, 12345, 24995, 10001]),
        }
        return choice, lambda: api.post(f"{base}/changes", body, headers=headers)
    if choice == "pause":
        start = _day(rng, START, date(2025, 6, 1))
        body = {
            "start_date": str(start),
            "resume_date": str(start + timedelta(days=rng.randint(2, 25))),
        }
        return choice, lambda: api.post(f"{base}/pause", body, headers=headers)
    if choice == "resume":
        body = {"date": str(_day(rng, START, date(2025, 6, 1)))}
        return choice, lambda: api.post(f"{base}/resume", body, headers=headers)
    if choice == "cancel":
        # Never on or before today: the subscription must stay open for the others' changes.
        if rng.random() < 0.3:
            body: dict[str, Any] = {"mode": "end_of_period"}
        else:
            end = _day(rng, TODAY + timedelta(days=1), date(2025, 7, 1))
            body = {"mode": "on_date", "date": str(end)}
        return choice, lambda: api.post(f"{base}/cancel", body, headers=headers)
    if choice == "undo":
        return choice, lambda: api.delete(f"{base}/cancel", headers=headers)
    body = {"as_of": str(rng.choice(BILL_RUN_DATES))}
    return choice, lambda: api.post("/v1/bill-runs", body)


def _worker(
    app: Any, sub_id: str, seed: int, deadline: float, barrier: threading.Barrier, out: Outcome
) -> None:
    rng = random.Random(seed)
    try:
        with TestClient(app) as client:
            api = Api(client, ADMIN_TOKEN)
            barrier.wait(timeout=30)
            for _ in range(OPERATIONS):
                if time.monotonic() > deadline:
                    break
                kind, call = _operation(rng, api, sub_id)
                r = call()
                with out.lock:
                    if 200 <= r.status_code < 300:
                        (out.bill_runs if kind == "bill_run" else out.accepted).append(r.json())
                        continue
                    problem = r.json() if r.headers.get("content-type") == PROBLEM else {}
                    code = str(problem.get("code"))
                    if (
                        kind == "bill_run"
                        or r.status_code not in EXPECTED
                        or code in STORAGE_FAILURES
                        or not problem
                    ):
                        out.unexpected.append(f"{kind}: {r.status_code} {r.text[:300]}")
                    else:
                        out.refused[(r.status_code, code)] += 1
    except BaseException as exc:  # reported by the test, not lost in the thread
        with out.lock:
            out.errors.append(exc)


def _hammer(app: Any, sub_id: str, seed: int) -> Outcome:
    out = Outcome()
    barrier = threading.Barrier(THREADS)
    deadline = time.monotonic() + TIME_LIMIT
    threads = [
        threading.Thread(
            target=_worker,
            args=(app, sub_id, seed * 1000 + i, deadline, barrier, out),
            daemon=True,
        )
        for i in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, deadline + 30 - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a client hung (deadlock?)"
    if out.errors:
        raise out.errors[0]
    return out


@pytest.fixture
def setup(make_app: Callable[..., Any]) -> Iterator[tuple[Any, Api]]:
    app = make_app()
    with TestClient(app) as client:
        api = Api(client)
        add_test_seller(api)
        yield app, api


@dataclass
class Stored:
    subscription: Subscription
    events: list[Event]
    schedule: Schedule
    posted: list[LedgerEntry]
    entries: list[Entry]
    documents: list[Document]


def _stored(url: str, sub_id: str) -> Stored:
    """What the database holds for the subscription, read in one fresh session."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            sub = sub_repo.get(session, sub_id)
            events = [sub_repo.to_domain(e) for e in sub_repo.events(session, sub_id)]
            posted = ledger_repo.posted_entries(session, sub_id)
            docs = list(
                session.scalars(select(Document).order_by(Document.series, Document.number))
            )
            session.expunge_all()
    finally:
        engine.dispose()
    entries = [ledger_repo.to_domain(r) for r in posted]
    return Stored(sub, events, Schedule(events), posted, entries, docs)


@pytest.mark.parametrize("seed", [1])
def test_hammering_one_subscription(setup: tuple[Any, Api], database: Database, seed: int) -> None:
    app, api = setup
    api.today(str(TODAY))
    plan = api.plan(unit_amount=24995)
    sub = api.subscription(api.customer(), plan, start_date=str(START), quantity=2)
    sub_id = sub["id"]

    started = time.monotonic()
    out = _hammer(app, sub_id, seed)
    elapsed = time.monotonic() - started
    assert out.unexpected == [], out.unexpected
    # The mix really raced: changes were accepted and refused, bill runs posted documents.
    assert len(out.accepted) >= 10, (len(out.accepted), out.refused)
    assert any(run["invoices"] for run in out.bill_runs)

    db = _stored(database.url, sub_id)

    # No lost update: one version step and one timeline event per accepted change.
    versions = sorted(r["version"] for r in out.accepted)
    assert versions == list(range(2, 2 + len(out.accepted))), versions
    assert db.subscription.version == 1 + len(out.accepted)
    event_ids = [e.id for e in db.events]
    assert len(event_ids) == 1 + len(out.accepted)
    assert {r["event_id"] for r in out.accepted} == set(event_ids[1:])

    by_key: dict[Any, list[Entry]] = defaultdict(list)
    for entry in db.entries:
        by_key[entry.key].append(entry)

    # No period charged twice: net coverage of every day is at most one charge ...
    for key, group in by_key.items():
        days: Counter[date] = Counter()
        for lo, hi, _charge in net_coverage(group):
            for n in range((hi - lo).days):
                days[lo + timedelta(days=n)] += 1
        assert max(days.values(), default=0) <= 1, (key, days.most_common(3))
    # ... and no period was first charged by two bill runs.
    bill_run_docs = {d.id for d in db.documents if d.bill_run_id is not None}
    for key in by_key:
        charged_by = {
            r.document_id
            for r in db.posted
            if (r.item, r.period_start, r.period_end) == key
            and r.kind == EntryKind.CHARGE.value
            and r.document_id in bill_run_docs
        }
        assert len(charged_by) <= 1, (key, charged_by)

    # Posted periods are in line with the timeline; anything still due is only new periods.
    as_of = max(date.fromisoformat(r["as_of"]) for r in out.bill_runs)
    assert difference(db.schedule, db.entries, as_of=as_of, scope=Scope.BILLED) == []
    pending = difference(db.schedule, db.entries, as_of=as_of, scope=Scope.DUE)
    assert all(not e.is_credit and e.key not in by_key for e in pending), pending

    # A last bill run brings the ledger to the target; after it, nothing is left to post.
    r = api.post("/v1/bill-runs", {"as_of": str(as_of)})
    assert r.status_code in (200, 201), r.text
    db = _stored(database.url, sub_id)
    target = target_pieces(
        db.schedule, as_of=as_of, scope=Scope.DUE, posted_keys={e.key for e in db.entries}
    )
    assert total(db.entries) == target_total(target)
    assert difference(db.schedule, db.entries, as_of=as_of, scope=Scope.DUE) == []
    ledger = api.get(f"/v1/subscriptions/{sub_id}/ledger").json()
    assert ledger["balance"] == total(db.entries)

    # Gapless numbers per series; each document's total is what its entries say.
    for series in ("INV", "CN"):
        numbers = [d.number for d in db.documents if d.series == series]
        assert numbers == list(range(1, len(numbers) + 1)), (series, numbers)
    sums: Counter[str] = Counter()
    for row in db.posted:
        assert row.document_id is not None
        sums[row.document_id] += row.amount
    for d in db.documents:
        assert d.total == (sums[d.id] if d.type == "invoice" else -sums[d.id]), d.id

    print(
        f"\n{database.kind}: {len(out.accepted)} changes accepted, "
        f"{len(out.bill_runs)} bill runs, refused {dict(out.refused)}, "
        f"{len(db.documents)} documents, {elapsed:.1f}s"
    )


def test_one_idempotency_key_from_many_clients_posts_once(
    setup: tuple[Any, Api], database: Database
) -> None:
    """The same request with the same key, sent by several clients at once, runs once."""
    app, api = setup
    api.today(str(TODAY))
    sub = api.subscription(api.customer(), api.plan(), start_date=str(START))
    assert api.post("/v1/bill-runs", {"as_of": str(TODAY)}).status_code in (200, 201)
    body = {"effective_date": "2025-03-10", "quantity": 3}
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def send() -> None:
        with TestClient(app) as client:
            barrier.wait(timeout=30)
            r = Api(client).post(
                f"/v1/subscriptions/{sub['id']}/changes",
                body,
                headers={"Idempotency-Key": "licences-2025-03-10"},
            )
            with lock:
                answers.append((r.status_code, r.json()))

    threads = [threading.Thread(target=send, daemon=True) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(answers) == THREADS
    ok = [a for s, a in answers if s == 200]
    busy = [a for s, a in answers if s != 200]
    assert ok and all(a["event_id"] == ok[0]["event_id"] for a in ok)
    assert all(a["code"] == "idempotency_in_progress" for a in busy), busy
    db = _stored(database.url, sub["id"])
    assert db.subscription.version == 2 and len(db.events) == 2
    # The bill run's invoice, then one credit note and one invoice for the licence change on
    # the billed days of March: once, not once per client.
    assert Counter(d.type for d in db.documents) == {"invoice": 2, "credit_note": 1}


def test_payments_racing_credit_notes_on_one_invoice(
    setup: tuple[Any, Api], database: Database
) -> None:
    """Payments and the credit notes of changes land on the same invoice at once: every
    payment stays counted on the invoice (no lost update of its paid amount)."""
    app, api = setup
    api.today("2025-03-01")
    sub = api.subscription(
        api.customer(), api.plan(unit_amount=10000), start_date="2025-03-01", quantity=10
    )
    [invoice_id] = api.post("/v1/bill-runs", {"as_of": "2025-03-01"}).json()["invoices"]
    api.today("2025-03-02")
    out = Outcome()
    barrier = threading.Barrier(THREADS)

    def pay(seed: int) -> None:
        with TestClient(app) as client:
            payer = Api(client)
            barrier.wait(timeout=30)
            for _ in range(OPERATIONS):
                r = payer.post(
                    f"/v1/invoices/{invoice_id}/payments",
                    {"amount": 500 + seed, "paid_on": "2025-03-02"},
                )
                if r.status_code not in (200, 201) and r.json().get("code") != "overpayment":
                    out.unexpected.append(f"payment: {r.status_code} {r.text[:300]}")

    def change(seed: int) -> None:
        rng = random.Random(seed)
        with TestClient(app) as client:
            staff = Api(client)
            barrier.wait(timeout=30)
            for _ in range(OPERATIONS):
                body = {
                    "effective_date": str(_day(rng, date(2025, 3, 2), date(2025, 3, 31))),
                    "quantity": rng.randint(7, 12),
                }
                r = staff.post(f"/v1/subscriptions/{sub['id']}/changes", body)
                if r.status_code != 200:
                    out.unexpected.append(f"change: {r.status_code} {r.text[:300]}")

    workers = [pay, change] * (THREADS // 2)
    threads = [threading.Thread(target=fn, args=(i,), daemon=True) for i, fn in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIME_LIMIT + 30)
    assert not any(t.is_alive() for t in threads), "a client hung (deadlock?)"
    assert out.unexpected == [], out.unexpected

    engine = create_engine(database.url)
    try:
        with Session(engine) as session:
            paid: Counter[str] = Counter()
            for p in session.scalars(select(Payment)):
                paid[p.invoice_id] += p.amount
            invoices = list(session.scalars(select(Document).where(Document.type == "invoice")))
            assert paid[invoice_id] > 0
            for inv in invoices:
                assert inv.amount_paid == paid[inv.id], (inv.number, inv.amount_paid, paid[inv.id])
                credited = ledger_repo.credited_total(session, inv.id)
                assert credited + inv.amount_paid <= inv.total or inv.status == "paid"
    finally:
        engine.dispose()


def test_bill_runs_changes_and_payments_across_subscriptions(
    setup: tuple[Any, Api], database: Database
) -> None:
    """Bill runs (which lock a batch of subscriptions at once), changes on single subscriptions
    and payments, all at once across several subscriptions: no deadlock, nothing posted twice,
    numbers gapless, every payment counted."""
    app, api = setup
    api.today(str(TODAY))
    customers = [api.customer(name=f"Kund {i}") for i in range(3)]
    plan = api.plan(unit_amount=9900)
    subs = [
        api.subscription(customers[i % 3], plan, start_date=str(START + timedelta(days=7 * i)))[
            "id"
        ]
        for i in range(8)
    ]
    assert api.post("/v1/bill-runs", {"as_of": str(START)}).status_code in (200, 201)
    out = Outcome()
    barrier = threading.Barrier(THREADS)
    deadline = time.monotonic() + TIME_LIMIT

    def check(kind: str, r: Any, allowed: set[str]) -> None:
        if 200 <= r.status_code < 300:
            return
        code = r.json().get("code") if r.headers.get("content-type") == PROBLEM else None
        if r.status_code not in EXPECTED or code not in allowed:
            out.unexpected.append(f"{kind}: {r.status_code} {r.text[:300]}")

    def bill(seed: int, client: Api) -> None:
        rng = random.Random(seed)
        for _ in range(4):
            check(
                "bill run",
                client.post("/v1/bill-runs", {"as_of": str(rng.choice(BILL_RUN_DATES))}),
                set(),
            )

    def change(seed: int, client: Api) -> None:
        rng = random.Random(seed)
        for _ in range(OPERATIONS):
            path = f"/v1/subscriptions/{rng.choice(subs)}"
            if rng.random() < 0.6:
                body = {
                    "effective_date": str(_day(rng, START, date(2025, 5, 1))),
                    "quantity": rng.randint(1, 4),
                }
                r = client.post(f"{path}/changes", body)
            elif rng.random() < 0.5:
                end = _day(rng, TODAY + timedelta(days=1), date(2025, 6, 1))
                r = client.post(f"{path}/cancel", {"mode": "on_date", "date": str(end)})
            else:
                r = client.delete(f"{path}/cancel")
            check("change", r, {"not_cancelled", "after_end", "before_start"})

    def pay(seed: int, client: Api) -> None:
        rng = random.Random(seed)
        for _ in range(OPERATIONS):
            invoices = client.get("/v1/invoices", params={"limit": 100}).json()["data"]
            open_ = [i for i in invoices if i["status"] == "open"]
            if not open_:
                continue
            invoice = rng.choice(open_)
            r = client.post(
                f"/v1/invoices/{invoice['id']}/payments",
                {"amount": rng.randint(1, 2000), "paid_on": str(TODAY)},
            )
            check("payment", r, {"overpayment", "invoice_void"})

    def worker(i: int, fn: Callable[[int, Api], None]) -> None:
        try:
            with TestClient(app) as client:
                barrier.wait(timeout=30)
                if time.monotonic() < deadline:
                    fn(i, Api(client))
        except BaseException as exc:
            with out.lock:
                out.errors.append(exc)

    roles = [bill, change, pay] * (THREADS // 3)
    threads = [
        threading.Thread(target=worker, args=(i, fn), daemon=True) for i, fn in enumerate(roles)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIME_LIMIT + 30)
    assert not any(t.is_alive() for t in threads), "a client hung (deadlock?)"
    if out.errors:
        raise out.errors[0]
    assert out.unexpected == [], out.unexpected

    for sub_id in subs:
        db = _stored(database.url, sub_id)
        assert difference(db.schedule, db.entries, as_of=TODAY, scope=Scope.BILLED) == []
        by_key: dict[Any, list[Entry]] = defaultdict(list)
        for entry in db.entries:
            by_key[entry.key].append(entry)
        for key, group in by_key.items():
            days: Counter[date] = Counter()
            for lo, hi, _charge in net_coverage(group):
                for n in range((hi - lo).days):
                    days[lo + timedelta(days=n)] += 1
            assert max(days.values(), default=0) <= 1, (sub_id, key)
    for series in ("INV", "CN"):
        numbers = [d.number for d in db.documents if d.series == series]
        assert numbers == list(range(1, len(numbers) + 1)), (series, numbers)
    engine = create_engine(database.url)
    try:
        with Session(engine) as session:
            paid: Counter[str] = Counter()
            for p in session.scalars(select(Payment)):
                paid[p.invoice_id] += p.amount
            for inv in session.scalars(select(Document).where(Document.type == "invoice")):
                assert inv.amount_paid == paid[inv.id], (inv.number, inv.amount_paid, paid[inv.id])
    finally:
        engine.dispose()
