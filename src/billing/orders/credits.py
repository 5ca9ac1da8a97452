"""Crediting delivered order lines: staff give back (part of) what a delivery invoiced.

A credit names lines and quantities. Each line's quantity is taken from its deliveries oldest
first (:func:`billing.domain.orders.allocate_credit`), never more than was delivered and not
yet credited (``credit_exceeds_delivered``). Each part becomes a credit ledger entry owned by the
order that names the delivered entry it gives back, with the amounts as billed; the credit notes
come from the same posting plan as a subscription's (one per invoice given back, pointing at
it), and lower what is owed on that invoice like any credit note.

A credit is idempotent on its reference (unique per order), as deliveries are: the same
reference with the same content answers the credit already recorded and posts nothing again;
with other content it is refused (``credit_reference_conflict``).

Events: ``credit_note.issued`` per credit note, then ``order.credited``. Locks: the order row
first (as deliveries), then the feed, documents and the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.customers import repository as customers
from billing.domain import orders as rules
from billing.domain.ledger import Entry, EntryKind
from billing.ids import new_id
from billing.invoicing.repository import entry_from_row
from billing.orders import repository
from billing.orders.references import canonical_lines, keyed, replay_of
from billing.orders.schemas import CreditCreate
from billing.orders.service import announce, line_states, post_order_entries
from billing.storage.models import LedgerEntry, OrderCredit, OrderLine


@dataclass(frozen=True, slots=True)
class Credited:
    credit: OrderCredit
    replayed: bool


def _creditable(posted: list[LedgerEntry]) -> list[rules.Creditable]:
    """Each delivered entry with what is left of it to credit, in posting order."""
    given_back: dict[int, int] = {}
    for e in posted:
        if e.kind == EntryKind.CREDIT.value and e.credits_entry_id is not None:
            given_back[e.credits_entry_id] = given_back.get(e.credits_entry_id, 0) + e.quantity
    return [
        rules.Creditable(str(e.id), e.order_line_id, e.quantity - given_back.get(e.id, 0))
        for e in posted
        if e.kind == EntryKind.ONE_OFF.value and e.order_line_id is not None
    ]


def _credit_entry(delivered: LedgerEntry, quantity: int, *, credit_id: str) -> Entry:
    """Part of a delivered entry given back, at the unit amount it was billed at: the
    delivered entry as posted, but for its quantity, its sign and what it points at."""
    amount = delivered.unit_amount * quantity
    as_billed = entry_from_row(delivered)
    return replace(
        as_billed,
        kind=EntryKind.CREDIT,
        quantity=quantity,
        period_amount=amount,
        amount=-amount,
        event_id=credit_id,
        credits=as_billed.id,
        id=None,
    )


def credit(
    session: Session, actor: Actor, clock: Clock, order_id: str, body: CreditCreate
) -> Credited:
    order = repository.get(session, order_id, lock=True)
    request: dict[str, Any] = {"reason": body.reason, "lines": canonical_lines(body.lines)}
    earlier = repository.credit_by_reference(session, order.id, body.reference)
    if replay := replay_of(earlier, request, what="credit", reference=body.reference):
        return Credited(replay, replayed=True)
    lines = repository.lines(session, order.id)
    posted = repository.entries(session, order.id)
    asked = {line_id: qty for line_id, qty in request["lines"]}
    parts = rules.allocate_credit(line_states(lines), _creditable(posted), asked)

    today = clock.today(session, customers.get(session, order.customer_id).timezone)
    credit_id = new_id("ocr")
    by_entry = {str(e.id): e for e in posted}
    by_line: dict[str, OrderLine] = {line.id: line for line in lines}
    new = [
        (_credit_entry(by_entry[c.entry_id], qty, credit_id=credit_id), by_line[c.line_id])
        for c, qty in parts
    ]
    posting = post_order_entries(session, order, new, issue_date=today)
    record = OrderCredit(
        id=credit_id,
        reason=body.reason,
        **keyed(order, body.reference, request, by=actor),
    )
    repository.add(session, [record])
    credited = {
        "credit_id": credit_id,
        "reference": body.reference,
        "credit_notes": [d.id for d in posting.documents if d.type == "credit_note"],
        "total": -sum(e.amount for e, _ in new),
        "currency": order.currency,
        "lines": [{"line_id": line_id, "quantity": qty} for line_id, qty in asked.items()],
    }
    announce(session, order, "order.credited", credited)
    return Credited(record, replayed=False)
