"""The SIE export of a seller's period, and its chart of accounts.

:func:`export_sie` reads the seller's events of the period (:mod:`.repository`), books each as
:mod:`.journal` says, and writes the file (:mod:`.sie`). Its verifications, numbered per series
in date order:

* ``F`` (fakturor): one per invoice and credit note, with the customer credit it used or kept;
* ``I`` (inbetalningar): one per payment, and per bank payment's money kept as credit;
* ``U`` (utbetalningar): one per refund.

The period is ``from`` through ``to``, both included, at most 13 months; the fiscal year
(``#RAR 0``) is the calendar year of ``to`` (``#RAR -1`` the one before when the period starts
in it). Refused, before anything is written: ``from`` after ``to`` (``export_range_reversed``),
a longer period (``export_range_too_long``), an unknown seller (404 ``seller_not_found``), a
seller outside Sweden (``export_seller_country``: SIE and the BAS chart are Swedish books), an
event in another currency than SEK (``export_currency``: SIE amounts are in the books'
currency, and no exchange rate is known here), a key with no account (``account_missing``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from stdnum.se import orgnr

from billing import __version__
from billing.clock import utcnow
from billing.domain.calendar import add_months
from billing.domain.entries import is_usage_item
from billing.domain.errors import InvalidInput
from billing.domain.posting import document_number
from billing.errors import Conflict
from billing.exports import journal, repository
from billing.exports.accounts import CHARGE_KEYS, USAGE, Account, Chart, check_entry, effective
from billing.exports.sie import FiscalYear, SieFile, Trans, Verification, render
from billing.invoicing.issuing import row_tax
from billing.storage.models import BalanceEntry, Document, LedgerEntry, Seller

__all__ = ["SieExport", "chart_entries", "chart_of", "check_range", "export_sie", "put_chart"]

CURRENCY = "SEK"
MAX_MONTHS = 13
#: Customer-credit kinds and how they are booked: with their document, or (``overpaid``) from
#: the bank allocation that kept the money.
_WITH_DOCUMENT = {"credit_kept", "applied"}
_FROM_BANK = {"overpaid"}


@dataclass(frozen=True, slots=True)
class SieExport:
    filename: str
    content: bytes
    verifications: int


def check_range(start: date, end: date) -> None:
    if start > end:
        raise InvalidInput(f"from {start} is after to {end}", code="export_range_reversed")
    if end >= add_months(start, MAX_MONTHS):
        raise InvalidInput(
            f"a period of at most {MAX_MONTHS} months: {start} to {end} is longer",
            code="export_range_too_long",
        )


def chart_of(session: Session, seller_id: str) -> Chart:
    rows = repository.chart_rows(session, seller_id)
    return Chart({r.key: Account(r.account, r.name) for r in rows})


def _product(entry: LedgerEntry, plans: dict[str, str]) -> str | None:
    if entry.item in CHARGE_KEYS:
        return entry.item  # a reminder invoice's fee, compensation or interest
    if is_usage_item(entry.item):
        return USAGE  # a metered charge, any metric and tier
    if entry.item.startswith("addon:"):
        return entry.item
    if entry.item.startswith("order:"):
        return "product:" + entry.item.removeprefix("order:")
    if entry.subscription_id is not None and entry.item in ("main", "setup"):
        plan = plans.get(entry.subscription_id)
        return f"plan:{plan}" if plan else None
    return None


def _credits(entries: Sequence[BalanceEntry]) -> tuple[dict[str, int], dict[str, int]]:
    """(credit used per invoice id, credit kept per credit note id)."""
    used: dict[str, int] = {}
    kept: dict[str, int] = {}
    for e in entries:
        if e.kind in _FROM_BANK:
            continue
        if e.kind not in _WITH_DOCUMENT:
            raise Conflict(
                f"customer credit of kind {e.kind!r} has no booking rule yet",
                code="export_credit_kind",
            )
        into = used if e.kind == "applied" else kept
        into[e.document_id] = into.get(e.document_id, 0) + abs(e.amount)
    return used, kept


def _facts(session: Session, docs: Sequence[Document]) -> list[journal.DocumentFacts]:
    ids = [d.id for d in docs]
    entries = repository.entries_of(session, ids)
    plans = repository.plans_of(session, [e.subscription_id for e in entries if e.subscription_id])
    lines: dict[str, list[journal.Line]] = {}
    for e in entries:
        tax = row_tax(e.tax_code, e.vat_rate, e.vat_inclusive)
        line = journal.Line(_product(e, plans), tax, abs(e.amount))
        lines.setdefault(str(e.document_id), []).append(line)
    used, kept = _credits(repository.credit_entries_of(session, ids))
    return [
        journal.DocumentFacts(
            type=d.type,
            number=document_number(d.series, d.number),
            day=d.issue_date,
            total=d.total,
            net_total=d.net_total,
            vat_total=d.vat_total,
            breakdown=d.vat_breakdown,
            lines=tuple(lines.get(d.id, ())),
            credit_used=used.get(d.id, 0),
            credit_kept=kept.get(d.id, 0),
        )
        for d in docs
    ]


def _numbered(series: str, items: list[tuple[date, str, tuple[Trans, ...]]]) -> list[Verification]:
    ordered = sorted(enumerate(items), key=lambda kv: (kv[1][0], kv[0]))
    return [
        Verification(series, n, day, text, rows)
        for n, (_, (day, text, rows)) in enumerate(ordered, start=1)
    ]


def _sale_text(doc: journal.DocumentFacts, credited: str | None) -> str:
    if doc.type == journal.INVOICE:
        return f"Faktura {doc.number}"
    return f"Kreditfaktura {doc.number}" + (f" ({credited})" if credited else "")


def _verifications(
    session: Session, who: Seller, chart: Chart, *, start: date, end: date
) -> list[Verification]:
    docs = repository.sales(session, who, start=start, end=end)
    refunds = repository.refunds(session, who, start=start, end=end)
    paid = repository.payments(session, who, start=start, end=end)
    over = repository.overpayments(session, who, start=start, end=end)
    _check_currency([*docs, *refunds, *(inv for _, inv in paid), *(inv for _, _, inv in over)])
    numbers = _invoice_numbers(session, docs, refunds)
    sales = [
        (f.day, _sale_text(f, numbers.get(d.invoice_id or "")), journal.sale_rows(f, chart))
        for d, f in zip(docs, _facts(session, docs), strict=True)
    ]
    money = [
        (p.paid_on, f"Inbetalning {_number(inv)}", _rows(chart, "bank", "receivables", p.amount))
        for p, inv in paid
    ]
    money += [
        (day, f"Överbetalning {_number(inv)}", _rows(chart, "bank", "customer_credit", a.credit))
        for a, day, inv in over
    ]
    out = [
        (
            r.issue_date,
            f"Återbetalning {_number(r)} ({numbers.get(r.invoice_id or '', '')})",
            _rows(chart, "receivables", "bank", r.total),
        )
        for r in refunds
    ]
    return [*_numbered("F", sales), *_numbered("I", money), *_numbered("U", out)]


def _rows(chart: Chart, debit: str, credit: str, amount: int) -> tuple[Trans, ...]:
    return journal.money_rows(chart, debit=debit, credit=credit, amount=amount)


def _number(doc: Document) -> str:
    return document_number(doc.series, doc.number)


def _invoice_numbers(
    session: Session, docs: Sequence[Document], refunds: Sequence[Document]
) -> dict[str, str]:
    """Number of each invoice the credit notes and refunds name."""
    ids = {d.invoice_id for d in [*docs, *refunds] if d.invoice_id}
    found = {i: session.get(Document, i) for i in sorted(ids)}
    return {i: _number(d) for i, d in found.items() if d is not None}


def _check_currency(docs: Sequence[Document]) -> None:
    other = sorted({d.currency for d in docs if d.currency != CURRENCY})
    if other:
        raise InvalidInput(
            f"the period has documents in {', '.join(other)}; SIE books are in {CURRENCY}",
            code="export_currency",
        )


def _years(start: date, end: date) -> tuple[FiscalYear, ...]:
    """Calendar fiscal years: the year of ``end`` and, when the period starts before it, the
    one before."""
    current = FiscalYear(0, date(end.year, 1, 1), date(end.year, 12, 31))
    if start.year == end.year:
        return (current,)
    return (current, FiscalYear(-1, date(start.year, 1, 1), date(start.year, 12, 31)))


def export_sie(
    session: Session, *, seller_id: str | None, start: date, end: date, today: date
) -> SieExport:
    """The SIE typ 4 file of the seller's (default: the default seller's) period."""
    check_range(start, end)
    who = repository.seller(session, seller_id)
    if who.country != "SE":
        raise InvalidInput(
            f"seller {who.id} is in {who.country}: SIE exports are for Swedish books",
            code="export_seller_country",
        )
    chart = chart_of(session, who.id)
    verifications = _verifications(session, who, chart, start=start, end=end)
    rows = [r for v in verifications for r in v.rows]
    file = SieFile(
        program="billing",
        version=__version__,
        generated=today,
        company=who.legal_name,
        organisation_number=orgnr.format(who.organisation_number),
        years=_years(start, end),
        currency=CURRENCY,
        accounts=journal.accounts_used(chart, rows),
        verifications=tuple(verifications),
    )
    name = f"sie4-{who.number_prefix or who.id}-{start:%Y%m%d}-{end:%Y%m%d}.se"
    return SieExport(name, render(file), len(verifications))


def chart_entries(session: Session, seller_id: str) -> list[dict[str, Any]]:
    """The seller's effective chart: every default and change, by key."""
    repository.seller(session, seller_id)
    chart = chart_of(session, seller_id)
    return [
        {"key": key, "account": acc.number, "name": acc.name, "changed": changed}
        for key, (acc, changed) in sorted(effective(chart.overrides).items())
    ]


def put_chart(session: Session, seller_id: str, entries: Sequence[tuple[str, str, str]]) -> None:
    """Replace the seller's changes by ``entries`` (key, account, name); each is checked."""
    repository.seller(session, seller_id)
    seen: set[str] = set()
    for key, account, name in entries:
        check_entry(key, account, name)
        if key in seen:
            raise InvalidInput(f"{key!r} is given twice", code="account_key_repeated")
        seen.add(key)
    cleaned = [(k, a, n.strip()) for k, a, n in entries]
    repository.replace_chart(session, seller_id, cleaned, now=utcnow())
