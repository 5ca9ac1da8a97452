"""One customer's account in one currency, computed from its rows (no I/O).

**Movements** (``amount``: + the customer owes more, − less), each on its own date:

==================  ==========================  =====================================
kind                date                        amount
==================  ==========================  =====================================
``invoice``         issue date                  + total (gross, VAT included)
``credit_note``     issue date                  − total
``payment``         ``paid_on``                 − amount
``refund``          issue date                  + total (money paid back to the customer)
``credit_kept``     the credit note's date      0; ``credit`` + amount
``credit_applied``  the invoice's date          0; ``credit`` − amount
``payment_credit``  the invoice's date          − amount; ``credit`` + amount
==================  ==========================  =====================================

``payment_credit`` is money a bank payment brought beyond what its invoice asked, kept as
customer credit (balance entries of kind ``overpaid``, :mod:`billing.payments.credit`): money
received (−) that the customer now holds as credit (+). Its entry names the invoice but not
the bank payment, so it is dated by the invoice (see the report to the lead).

**Positions.** Each invoice, on a day, from the rows dated by then: ``billed`` (its total once
issued), ``credited``, ``paid``, ``applied`` (customer credit it consumed), ``refunded`` and
``kept`` (what its credit notes sent to a refund or to the customer credit). With
``net = billed − credited − paid − applied``, what is due is ``max(0, net)`` (as
:func:`billing.invoicing.status.amount_due`), and what its credit notes gave back beyond what
was owed is ``overpaid = max(0, −net)``. Of that, ``refunded + kept`` went somewhere;
``unallocated = overpaid − refunded − kept`` went nowhere (``unused: credit_note`` today).

Summed over invoices, ``Σ(billed − credited − paid + refunded) = Σ due − (Σ kept − Σ applied)
− Σ unallocated``: the left side is the sum of the movements, ``Σ kept − Σ applied`` the
customer credit. So ``closing = Σ open − credit − unallocated`` holds exactly, however the
rows came about: nothing here assumes which rule made them.

A credit note without an invoice (none is written today) is a position of its own: nothing
billed, all of it unallocated unless kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from billing.domain.overdue import OVERDUE
from billing.receivables.aging import Bucket, bucket_of, days_overdue, empty_buckets


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    id: str
    number: str
    issue_date: date
    due_date: date | None
    total: int
    payment_reference: str | None


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A credit note or a refund: what it gives back, and the invoice it belongs to."""

    id: str
    number: str
    issue_date: date
    total: int
    invoice_id: str | None
    invoice_number: str | None


@dataclass(frozen=True, slots=True)
class PaymentRow:
    id: str
    invoice_id: str
    invoice_number: str
    paid_on: date
    amount: int
    reference: str | None


@dataclass(frozen=True, slots=True)
class CreditRow:
    """A customer-credit entry (+ kept from a credit note, − applied to an invoice), dated
    by its document; ``invoice_id``: the invoice it concerns (the credited one for kept)."""

    id: int
    kind: str  # "credit_kept" | "applied"
    amount: int
    document_id: str
    document_number: str
    day: date
    invoice_id: str | None
    invoice_number: str | None


@dataclass(frozen=True, slots=True)
class AccountRows:
    """Everything of one customer's account in one currency."""

    invoices: list[InvoiceRow]
    credit_notes: list[DocumentRow]
    refunds: list[DocumentRow]
    payments: list[PaymentRow]
    credits: list[CreditRow]
    #: Invoices under an open dispute (still owed and counted; their reminders wait).
    disputed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Position:
    """One invoice on a day (see the module docstring)."""

    billed: int = 0
    credited: int = 0
    paid: int = 0
    applied: int = 0
    refunded: int = 0
    kept: int = 0

    @property
    def net(self) -> int:
        return self.billed - self.credited - self.paid - self.applied

    @property
    def due(self) -> int:
        return max(0, self.net)

    @property
    def unallocated(self) -> int:
        return max(0, -self.net) - self.refunded - self.kept


@dataclass(frozen=True, slots=True)
class Movement:
    day: date
    kind: str
    document_id: str
    number: str
    reference: str | None
    amount: int
    credit: int = 0
    #: Filled in by :func:`build_statement`: the account and the customer credit after it.
    balance: int = 0
    credit_balance: int = 0


@dataclass(frozen=True, slots=True)
class OpenItem:
    invoice_id: str
    number: str
    issue_date: date
    due_date: date | None
    total: int
    amount_due: int
    days_overdue: int
    bucket: Bucket
    disputed: bool = False

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def status(self) -> str:
        """As the invoice answers it (:func:`billing.domain.overdue.invoice_status`)."""
        return OVERDUE if self.overdue else "open"


@dataclass(frozen=True, slots=True)
class UnallocatedItem:
    """What the credit notes of one invoice gave back beyond what was owed, and that was
    neither refunded nor kept as customer credit."""

    invoice_id: str
    number: str
    credit_notes: tuple[str, ...]
    amount: int


@dataclass(frozen=True, slots=True)
class Statement:
    start: date | None
    end: date
    opening_balance: int
    opening_credit: int
    movements: list[Movement]
    closing_balance: int
    customer_credit: int
    open_items: list[OpenItem]
    unallocated: list[UnallocatedItem]
    buckets: dict[Bucket, int] = field(default_factory=empty_buckets)

    @property
    def open_total(self) -> int:
        return sum(i.amount_due for i in self.open_items)

    @property
    def overdue_total(self) -> int:
        return sum(i.amount_due for i in self.open_items if i.overdue)

    @property
    def unallocated_credit(self) -> int:
        return sum(u.amount for u in self.unallocated)

    @property
    def overdue_count(self) -> int:
        return sum(1 for i in self.open_items if i.overdue)

    @property
    def disputed_total(self) -> int:
        return sum(i.amount_due for i in self.open_items if i.disputed)


#: Order within one day: a document, then what its customer credit did.
_RANK = {
    "invoice": 0,
    "credit_applied": 1,
    "credit_note": 2,
    "credit_kept": 3,
    "refund": 4,
    "payment": 5,
    "payment_credit": 6,
}
#: Balance-entry kinds and the movement each is; what each is to its invoice's position.
_CREDIT_KINDS = {
    "credit_kept": "credit_kept",
    "applied": "credit_applied",
    "overpaid": "payment_credit",
}
_POSITION_TERM = {"credit_kept": "kept", "applied": "applied"}


def movements(rows: AccountRows) -> list[Movement]:
    """Every movement of the account, in date order (running totals not yet filled in)."""
    out = [
        Movement(i.issue_date, "invoice", i.id, i.number, i.payment_reference, i.total)
        for i in rows.invoices
    ]
    out += [
        Movement(n.issue_date, "credit_note", n.id, n.number, n.invoice_number, -n.total)
        for n in rows.credit_notes
    ]
    out += [
        Movement(r.issue_date, "refund", r.id, r.number, r.invoice_number, r.total)
        for r in rows.refunds
    ]
    out += [
        Movement(p.paid_on, "payment", p.id, p.invoice_number, p.reference, -p.amount)
        for p in rows.payments
    ]
    for c in rows.credits:
        kind = _CREDIT_KINDS[c.kind]
        reference = c.invoice_number if kind == "credit_kept" else None
        amount = -c.amount if kind == "payment_credit" else 0
        out.append(
            Movement(c.day, kind, c.document_id, c.document_number, reference, amount, c.amount)
        )
    return sorted(out, key=lambda m: (m.day, _RANK[m.kind], m.number, m.document_id))


def positions(rows: AccountRows, *, as_of: date) -> dict[str, Position]:
    """Each invoice's position on ``as_of`` (keyed by invoice id), from the rows dated by then."""
    acc: dict[str, dict[str, int]] = {}

    def add(key: str, term: str, amount: int) -> None:
        acc.setdefault(key, {})[term] = acc.get(key, {}).get(term, 0) + amount

    for i in rows.invoices:
        if i.issue_date <= as_of:
            add(i.id, "billed", i.total)
    for n in rows.credit_notes:
        if n.issue_date <= as_of:
            add(n.invoice_id or n.id, "credited", n.total)
    for r in rows.refunds:
        if r.issue_date <= as_of:
            add(r.invoice_id or r.id, "refunded", r.total)
    for p in rows.payments:
        if p.paid_on <= as_of:
            add(p.invoice_id, "paid", p.amount)
    for c in rows.credits:
        # Money paid beyond an invoice is credit, not a term of the invoice's position.
        if c.day <= as_of and c.kind in _POSITION_TERM:
            add(c.invoice_id or c.document_id, _POSITION_TERM[c.kind], abs(c.amount))
    return {key: Position(**terms) for key, terms in acc.items()}


def open_items(rows: AccountRows, held: dict[str, Position], *, as_of: date) -> list[OpenItem]:
    """Invoices with something due on ``as_of``, oldest due date first."""
    items = []
    for inv in rows.invoices:
        pos = held.get(inv.id)
        if pos is None or pos.due <= 0:
            continue
        days = days_overdue(inv.due_date, as_of)
        items.append(
            OpenItem(
                inv.id,
                inv.number,
                inv.issue_date,
                inv.due_date,
                inv.total,
                pos.due,
                days,
                bucket_of(days),
                disputed=inv.id in rows.disputed,
            )
        )
    return sorted(items, key=lambda i: (i.due_date or i.issue_date, i.number))


def unallocated_items(rows: AccountRows, held: dict[str, Position]) -> list[UnallocatedItem]:
    numbers = {i.id: i.number for i in rows.invoices}
    notes: dict[str, list[str]] = {}
    for n in rows.credit_notes:
        key = n.invoice_id or n.id
        notes.setdefault(key, []).append(n.number)
        numbers.setdefault(key, n.invoice_number or n.number)
    for p in rows.payments:
        numbers.setdefault(p.invoice_id, p.invoice_number)
    return [
        UnallocatedItem(key, numbers.get(key, key), tuple(notes.get(key, ())), pos.unallocated)
        for key, pos in sorted(held.items(), key=lambda kv: numbers.get(kv[0], kv[0]))
        if pos.unallocated
    ]


def _running(lines: Iterable[Movement], *, balance: int, credit: int) -> list[Movement]:
    out = []
    for m in lines:
        balance += m.amount
        credit += m.credit
        out.append(replace(m, balance=balance, credit_balance=credit))
    return out


def last_day(rows: AccountRows) -> date | None:
    """The latest day any movement of the account is dated."""
    days = [m.day for m in movements(rows)]
    return max(days) if days else None


def build_statement(
    rows: AccountRows, *, start: date | None, end: date, overdue_on: date | None = None
) -> Statement:
    """The account from ``start`` (None: from its first movement) through ``end``, both
    days included; open items and aging as of ``end`` (days overdue counted on
    ``overdue_on`` when given: the account summary's everything recorded, judged today)."""
    every = [m for m in movements(rows) if m.day <= end]
    before = [m for m in every if start is not None and m.day < start]
    opening = sum(m.amount for m in before)
    opening_credit = sum(m.credit for m in before)
    listed = _running(every[len(before) :], balance=opening, credit=opening_credit)
    held = positions(rows, as_of=end)
    items = open_items(rows, held, as_of=overdue_on or end)
    buckets = empty_buckets()
    for item in items:
        buckets[item.bucket] += item.amount_due
    return Statement(
        start=start,
        end=end,
        opening_balance=opening,
        opening_credit=opening_credit,
        movements=listed,
        closing_balance=opening + sum(m.amount for m in listed),
        customer_credit=opening_credit + sum(m.credit for m in listed),
        open_items=items,
        unallocated=unallocated_items(rows, held),
        buckets=buckets,
    )
