"""The account balances over random timelines, through the API on SQLite (a fresh database
per example).

Random sequences of subscriptions, bill runs, part and full payments and cancellations with a
random ``unused`` (refund, balance, credit_note, none or the plan's), over days that pass. At the
end, and cut at random days in between:

* ``closing = opening + Σ movements`` and ``closing = Σ open − customer credit − unallocated``
  (the limbo line, whatever the rule of ``unused: credit_note`` is);
* from the start through today, against the documents: the closing balance is Σ invoices −
  Σ credit notes − Σ payments + Σ refunds, the open items are the invoices' amount_due, the
  customer credit is the balance's, the unallocated lines are the documents' own overpayments
  that no refund or kept credit took;
* the statement up to a day closes where the one from the next day opens; the aging on a day
  says the same balance as the statement;
* overdue is the statement's: the invoices that answer ``overdue`` are its overdue open items,
  the customer's figures and status are its figures, and the cancellation brief's unpaid and
  overdue balance are its closing balance and its overdue amount less the credit held.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.storage.migrate import upgrade
from tests.conftest import ADMIN_TOKEN, Api, add_test_seller
from tests.receivables.helpers import (
    assert_balances,
    assert_matches_documents,
    documents,
    ok,
    statement,
)

START = date(2025, 4, 1)
_template: dict[str, Path] = {}


@contextmanager
def fresh_api() -> Iterator[Api]:
    from fastapi.testclient import TestClient

    from billing.http.app import create_app
    from billing.settings import Settings

    if "path" not in _template:
        folder = Path(tempfile.mkdtemp(prefix="receivables_props_"))
        upgrade(f"sqlite:///{folder / 'template.sqlite3'}")
        _template["path"] = folder / "template.sqlite3"
    folder = Path(tempfile.mkdtemp(prefix="receivables_props_"))
    db = folder / "billing.sqlite3"
    shutil.copyfile(_template["path"], db)
    app = create_app(
        Settings(database_url=f"sqlite:///{db}", admin_token=ADMIN_TOKEN, test_clock=True),
        migrate=False,
    )
    try:
        with TestClient(app) as client:
            api = Api(client)
            add_test_seller(api)
            yield api
    finally:
        app.state.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


step = st.one_of(
    st.tuples(st.just("bill"), st.integers(0, 0), st.none()),
    st.tuples(st.just("pay"), st.integers(0, 9), st.sampled_from([4, 4, 2, 1, 3])),
    st.tuples(
        st.just("cancel"),
        st.integers(0, 9),
        st.sampled_from(["refund", "balance", "credit_note", "none", None]),
    ),
    st.tuples(st.just("subscribe"), st.integers(0, 20), st.none()),
    st.tuples(st.just("wait"), st.integers(1, 40), st.none()),
)
scenario = st.fixed_dictionaries(
    {
        "unit": st.sampled_from([9995, 24995, 30000]),
        "plan_unused": st.sampled_from(["refund", "balance", "credit_note"]),
        "steps": st.lists(step, min_size=3, max_size=12),
        "cuts": st.lists(st.integers(0, 120), min_size=1, max_size=3),
    }
)


def assert_overdue_agrees(api: Api, s: dict[str, Any], cid: str, sub: dict[str, Any]) -> None:
    page = ok(api.get("/v1/invoices", params={"customer_id": cid, "limit": 500}))["data"]
    overdue = {i["id"]: i["amount_due"] for i in page if i["status"] == "overdue"}
    assert overdue == {i["invoice_id"]: i["amount_due"] for i in s["open_items"] if i["overdue"]}
    shown = ok(api.get(f"/v1/customers/{cid}"))
    figures = ("balance", "open_amount", "overdue_amount", "customer_credit")
    assert [shown[k] for k in figures] == [
        s["closing_balance"],
        s["open_total"],
        s["overdue_total"],
        s["customer_credit"],
    ]
    assert (shown["status"] == "overdue") == bool(overdue)
    brief = ok(api.get(f"/v1/subscriptions/{sub['id']}/cancellation-quote"))
    arrears = max(0, s["overdue_total"] - s["customer_credit"] - s["unallocated_credit"])
    assert brief["unpaid_balance"]["amount"] == max(0, s["closing_balance"])
    assert brief["overdue_balance"]["amount"] == arrears
    assert brief["retention_offers"]["allowed"] == (
        arrears == 0 and brief["ending_then"] is not None
    )


class Run:
    def __init__(self, api: Api, s: dict[str, Any]) -> None:
        self.api, self.today = api, START
        api.today(START.isoformat())
        self.customer = api.customer()
        self.plan = api.plan(unit_amount=s["unit"], unused=s["plan_unused"])
        self.subs = [api.subscription(self.customer, self.plan, start_date=START.isoformat())]

    def do(self, kind: str, n: int, arg: Any) -> None:
        api, today = self.api, self.today.isoformat()
        if kind == "bill":
            ok(api.post("/v1/bill-runs", {"as_of": today}), 201)
        elif kind == "pay":
            cid = self.customer["id"]
            page = ok(api.get("/v1/invoices", params={"customer_id": cid, "limit": 500}))
            due = [i for i in page["data"] if i["amount_due"]]
            if due:
                inv = due[n % len(due)]
                amount = inv["amount_due"] * arg // 4
                if amount > 0:
                    body = {"amount": amount, "paid_on": today}
                    ok(api.post(f"/v1/invoices/{inv['id']}/payments", body), 201)
        elif kind == "cancel":
            sub = self.subs[n % len(self.subs)]
            body: dict[str, Any] = {"mode": "immediately"}
            if arg is not None:
                body["unused"] = arg
            r = api.post(f"/v1/subscriptions/{sub['id']}/cancel", body)
            assert r.status_code in (200, 409, 422), r.text
        elif kind == "subscribe":
            start = (self.today + timedelta(days=n)).isoformat()
            self.subs.append(api.subscription(self.customer, self.plan, start_date=start))
        else:
            self.today += timedelta(days=n)
            api.today(self.today.isoformat())


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario)
def test_the_account_always_balances(s: dict[str, Any]) -> None:
    with fresh_api() as api:
        run = Run(api, s)
        for kind, n, arg in s["steps"]:
            run.do(kind, n, arg)
        cid = run.customer["id"]
        now = statement(api, cid)
        assert now["to"] == run.today.isoformat()
        assert_balances(now)
        assert_matches_documents(now, documents(api, cid))
        assert_overdue_agrees(api, now, cid, run.subs[0])
        for offset in s["cuts"]:
            day = START + timedelta(days=offset)
            upto = statement(api, cid, to=day.isoformat())
            after = day + timedelta(days=1)
            to = max(after, run.today).isoformat()
            rest = statement(api, cid, **{"from": after.isoformat(), "to": to})
            assert_balances(upto)
            assert_balances(rest)
            if day < run.today:
                assert rest["opening_balance"] == upto["closing_balance"]
                assert rest["opening_credit"] == upto["customer_credit"]
                assert rest["closing_balance"] == now["closing_balance"]
            aging = ok(api.get("/v1/receivables/aging", params={"as_of": day.isoformat()}))
            mine = [r for r in aging["data"] if r["customer_id"] == cid]
            balance = mine[0]["balance"] if mine else 0
            assert balance == upto["closing_balance"], (aging, upto)
            overdue = mine[0]["overdue_total"] if mine else 0
            assert overdue == upto["overdue_total"]
