"""Properties of the money choices, through the API on SQLite (a fresh database per example).

For any mix of proration and unused choices (per request or by the plan's defaults), partial
payments, cancellations, undos, pauses, changes and bill runs, per customer:

* money is conserved (see ``tests.money_choices.helpers``):

      Σ invoice totals − Σ credit-note totals
          = Σ amount_paid − Σ refunds + Σ amount_due − balance − unreturned

  where ``unreturned`` ≥ 0 is, per invoice, what was settled (money + balance applied) beyond
  what is still owed after its credits, less the refunds and kept balance it already gave back;
  it is zero on every invoice whose credit notes all chose "refund" or "balance";
* the balance is the kept credit less what invoices consumed, and never negative at any point
  of its history; everything is in the customer's one currency;
* a refund never exceeds what was paid in money on its invoice;
* Σ amount_paid is exactly what the test paid, and every invoice's amount_due is
  max(0, total − credited − paid − balance_applied).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from billing.storage.migrate import upgrade
from tests.conftest import ADMIN_TOKEN, Api, add_test_seller
from tests.money_choices.helpers import assert_money_sound, invoices, money, path

PRORATIONS = ["by_day", "from_next_period", "none"]
UNUSED = ["credit_note", "refund", "balance", "none"]
ROUTED = {"refund", "balance"}
START = date(2025, 4, 1)

_template: dict[str, Path] = {}


@contextmanager
def fresh_api() -> Iterator[Api]:
    """A fresh, migrated SQLite database (copied from one migrated per process) and its app."""
    from fastapi.testclient import TestClient

    from billing.http.app import create_app
    from billing.settings import Settings

    if "path" not in _template:
        folder = Path(tempfile.mkdtemp(prefix="money_props_"))
        upgrade(f"sqlite:///{folder / 'template.sqlite3'}")
        _template["path"] = folder / "template.sqlite3"
    folder = Path(tempfile.mkdtemp(prefix="money_props_"))
    db = folder / "billing.sqlite3"
    shutil.copyfile(_template["path"], db)
    settings_ = Settings(database_url=f"sqlite:///{db}", admin_token=ADMIN_TOKEN, test_clock=True)
    app = create_app(settings_, migrate=False)
    try:
        with TestClient(app) as client:
            api = Api(client)
            add_test_seller(api)
            yield api
    finally:
        app.state.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


# Weighted towards the choices that move money (refund, balance) and towards paid invoices:
# overpayment needs a payment and a credit.
choice_unused = st.sampled_from([None, "refund", "balance", "refund", "balance", *UNUSED])
choice_proration = st.sampled_from([None, *PRORATIONS])
fraction = st.sampled_from([4, 2, 1, 3, 0])  # quarters of what is due

# Every operation carries every parameter; each op reads the ones it needs.
operation = st.fixed_dictionaries(
    {
        "op": st.sampled_from(
            ["cancel", "change", "pause", "cancel", "change", "undo", "pay", "bill", "undo"]
        ),
        "what": st.sampled_from(["quantity", "unit_amount"]),
        "quantity": st.integers(1, 4),
        "unit_amount": st.sampled_from([9995, 19990, 24995, 30000, 45000]),
        "mode": st.sampled_from(["on_date", "on_date", "end_of_period", "immediately"]),
        "in_days": st.integers(0, 20),
        "length": st.one_of(st.none(), st.integers(1, 45)),
        "proration": choice_proration,
        "unused": choice_unused,
        "which": st.integers(0, 50),
        "part": fraction,
    }
)

scenario = st.fixed_dictionaries(
    {
        "unit_amount": st.sampled_from([9995, 24995, 30000]),
        "plan_proration": st.sampled_from(PRORATIONS),
        "plan_unused": st.sampled_from(["refund", "balance", *UNUSED]),
        "subs": st.lists(
            st.tuples(st.integers(1, 3), st.sampled_from([0, 1, 14])), min_size=1, max_size=2
        ),
        "first_payments": st.lists(fraction, min_size=2, max_size=2),
        "steps": st.lists(
            st.tuples(st.integers(0, 12), st.integers(0, 1), operation), min_size=2, max_size=6
        ),
    }
)


def iso(d: date) -> str:
    return d.isoformat()


class Run:
    """Drives one scenario, remembering what it paid and which choice each credit note had."""

    def __init__(self, api: Api, s: dict[str, Any]) -> None:
        self.api = api
        self.s = s
        self.today = START
        self.paid = 0
        self.choice_of_note: dict[str, str] = {}
        api.today(iso(self.today))
        self.customer = api.customer()
        self.plan = api.plan(
            unit_amount=s["unit_amount"], proration=s["plan_proration"], unused=s["plan_unused"]
        )
        self.subs = [
            api.subscription(
                self.customer, self.plan, quantity=q, start_date=iso(START + timedelta(days=off))
            )
            for q, off in s["subs"]
        ]

    def accept(self, r: Any, unused: str | None) -> None:
        """A call either works or breaks a business rule (and then changes nothing)."""
        assert r.status_code in (200, 201, 409, 422), r.text
        if r.status_code in (409, 422):
            assert r.json()["code"] != "validation_error", r.text
            event(f"refused: {r.json()['code']}")
            return
        for d in r.json().get("documents", []):
            if d["type"] == "credit_note":
                self.choice_of_note[d["id"]] = unused or self.s["plan_unused"]

    def bill(self) -> None:
        r = self.api.post("/v1/bill-runs", {"as_of": iso(self.today)})
        assert r.status_code == 201, r.text
        for note in r.json()["credit_notes"]:
            self.choice_of_note[note] = "bill_run"

    def pay(self, which: int, part: int) -> None:
        open_ = [i for i in invoices(self.api, customer_id=self.customer["id"]) if i["amount_due"]]
        if not open_:
            return
        inv = open_[which % len(open_)]
        amount = inv["amount_due"] * part // 4
        if amount <= 0:
            return
        r = self.api.post(
            f"/v1/invoices/{inv['id']}/payments", {"amount": amount, "paid_on": iso(self.today)}
        )
        assert r.status_code == 201, r.text
        self.paid += amount

    def step(self, sub: dict[str, Any], o: dict[str, Any]) -> None:
        api, kind = self.api, o["op"]
        if kind == "bill":
            self.bill()
        elif kind == "pay":
            self.pay(o["which"], o["part"])
        elif kind == "undo":
            self.accept(api.delete(path(sub, "/cancel")), "credit_note")
        elif kind == "change":
            body: dict[str, Any] = {
                "effective_date": iso(self.today + timedelta(days=o["in_days"])),
                o["what"]: o[o["what"]],
            }
            for k in ("proration", "unused"):
                if o[k] is not None:
                    body[k] = o[k]
            self.accept(api.post(path(sub, "/changes"), body), o["unused"])
        elif kind == "cancel":
            body = {"mode": o["mode"]}
            if o["mode"] == "on_date":
                body["date"] = iso(self.today + timedelta(days=o["in_days"]))
            if o["unused"] is not None:
                body["unused"] = o["unused"]
            self.accept(api.post(path(sub, "/cancel"), body), o["unused"])
        elif kind == "pause":
            start = self.today + timedelta(days=o["in_days"])
            body = {"start_date": iso(start)}
            if o["length"] is not None:
                body["resume_date"] = iso(start + timedelta(days=o["length"]))
            if o["unused"] is not None:
                body["unused"] = o["unused"]
            self.accept(api.post(path(sub, "/pause"), body), o["unused"])

    def play(self) -> None:
        # Every subscription has started: the first bill run bills each one's first period.
        self.today = max(date.fromisoformat(sub["start_date"]) for sub in self.subs)
        self.api.today(iso(self.today))
        self.bill()
        first = invoices(self.api, customer_id=self.customer["id"])
        for inv, part in zip(first, self.s["first_payments"], strict=False):
            if part:
                amount = inv["amount_due"] * part // 4
                if amount:
                    r = self.api.post(
                        f"/v1/invoices/{inv['id']}/payments",
                        {"amount": amount, "paid_on": iso(self.today)},
                    )
                    assert r.status_code == 201, r.text
                    self.paid += amount
        for days, which, o in self.s["steps"]:
            self.today += timedelta(days=days)
            self.api.today(iso(self.today))
            self.step(self.subs[which % len(self.subs)], o)
        # Everything due by the last day billed, too.
        self.bill()


_CANCEL_TODAY: dict[str, Any] = {
    "op": "cancel", "what": "quantity", "quantity": 1, "unit_amount": 9995, "mode": "on_date",
    "in_days": 0, "length": None, "proration": None, "unused": None, "which": 0, "part": 4,
}  # fmt: skip
#: Found by Hypothesis: a paid subscription cancelled on its start date under ``unused: none``
#: gets a credit note for the whole (unserved) period; its money was in limbo (not refunded,
#: not kept as credit).
CANCELLED_ON_START_UNDER_NONE: dict[str, Any] = {
    "unit_amount": 9995,
    "plan_proration": "by_day",
    "plan_unused": "none",
    "subs": [(1, 0)],
    "first_payments": [4, 4],
    "steps": [(0, 0, _CANCEL_TODAY), (0, 0, _CANCEL_TODAY)],
}


@settings(
    max_examples=int(os.environ.get("MONEY_PROPERTY_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario)
@example(CANCELLED_ON_START_UNDER_NONE)
def test_money_is_conserved_for_any_mix_of_choices(s: dict[str, Any]) -> None:
    with fresh_api() as api:
        run = Run(api, s)
        run.play()
        m = assert_money_sound(api, run.customer)
        assert m.paid == run.paid
        notes = api.get("/v1/credit-notes", params={"customer_id": run.customer["id"]}).json()
        assert {n["id"] for n in notes["data"]} == set(run.choice_of_note)
        notes_of: dict[str, list[str]] = {}
        for inv in invoices(api, customer_id=run.customer["id"]):
            notes_of[inv["id"]] = []
        for note_id, choice in run.choice_of_note.items():
            r = api.get(f"/v1/credit-notes/{note_id}")
            assert r.status_code == 200, r.text
            notes_of[r.json()["invoice_id"]].append(choice)
        for inv_id, choices in notes_of.items():
            if choices and all(c in ROUTED for c in choices):
                assert m.unreturned_by_invoice[inv_id] == 0, (inv_id, choices, m)
        for label, happened in (
            ("refunded", m.refunded),
            ("balance kept", m.kept),
            ("balance applied", m.balance_applied),
            ("overpayment left to the invoicing system", m.unreturned),
        ):
            if happened:
                event(label)
        # The customer's view agrees with the sum of what each call did.
        assert money(api, run.customer) == m
