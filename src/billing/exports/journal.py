"""What each business event books: the verifications of the SIE export (pure, no I/O).

Debit is positive, credit negative; ``R`` is the receivables account (1510), ``C`` customer
credit (2420, a liability), ``B`` the bank (1930):

=========================  ===================================  ==========================
event (its date)           debit                                credit
=========================  ===================================  ==========================
invoice (issue date)       R gross                              revenue per account: net;
                                                                output VAT per rate
 … credit it used          C applied                            R applied
credit note (issue date)   revenue per account: net; VAT        R gross
 … credit kept from it     R kept                               C kept
payment (paid on)          B amount                             R amount
refund (issue date)        R amount                             B amount
paid beyond the invoice    B amount                             C amount
(bank file, paid on)
=========================  ===================================  ==========================

So R moves exactly as what the customers owe on their invoices does: an invoice adds its
gross; a credit note, a payment and credit used take off what they settle; a credit note that
gives back more than was owed takes R below zero by the overpayment, and the refund or the
credit kept (moved to C) brings it back. R's balance is ``Σ due − Σ unallocated`` of the
receivables (:mod:`billing.receivables.statement`), and C's is (minus) the customer credit.

**Revenue per account.** A document's VAT breakdown row (one per rate, or per reason for 0 %)
gives its net (``taxable``) and VAT; its lines say which product each öre came from. The net of
a row is split over the revenue accounts of its lines in proportion to their amounts, largest
remainder (:func:`billing.domain.money.split_largest_remainder`), so the parts add up to the
row's net exactly; with net prices that is each line's own amount. The VAT of a row goes to the
output VAT account of its rate. A document issued before VAT (no breakdown) is one untaxed
row: net = total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from billing.domain.money import split_largest_remainder
from billing.domain.vat import UNTAXED, LineTax, TaxCode
from billing.exports.accounts import DEFAULTS, Chart, revenue_key, vat_key
from billing.exports.sie import Trans

INVOICE, CREDIT_NOTE = "invoice", "credit_note"


@dataclass(frozen=True, slots=True)
class Line:
    """One ledger line of a document: its product key (``plan:<id>``, ``addon:<code>``,
    ``product:<code>``, a reminder charge's key such as ``late_interest``, None), its tax as
    charged and its amount (positive)."""

    product: str | None
    tax: LineTax
    amount: int


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """An invoice or a credit note as the books need it."""

    type: str
    number: str
    day: date
    total: int
    net_total: int | None
    vat_total: int
    breakdown: Sequence[Mapping[str, Any]] | None
    lines: tuple[Line, ...]
    #: Customer credit this invoice used; credit kept from this credit note.
    credit_used: int = 0
    credit_kept: int = 0


@dataclass(frozen=True, slots=True)
class Row:
    """One VAT breakdown row of a document."""

    tax: LineTax
    taxable: int
    vat: int


def rows_of(doc: DocumentFacts) -> list[Row]:
    if doc.breakdown is None:
        net = doc.total if doc.net_total is None else doc.net_total
        return [Row(UNTAXED, net, doc.total - net)]
    return [
        Row(
            LineTax(TaxCode(str(r["code"])), int(r["rate"]), bool(r["inclusive"])),
            int(r["taxable"]),
            int(r["vat"]),
        )
        for r in doc.breakdown
    ]


def _add(acc: dict[str, int], account: str, amount: int) -> None:
    acc[account] = acc.get(account, 0) + amount


def _revenue(doc: DocumentFacts, row: Row, chart: Chart, into: dict[str, int]) -> None:
    """Credit ``row``'s net to the revenue accounts of its lines (signs as for an invoice)."""
    key = revenue_key(row.tax.code.value, row.tax.rate)
    weights: dict[str, int] = {}
    for line in doc.lines:
        if line.tax.group == row.tax:
            found = chart.revenue(line.product, row_key=key, tax_code=row.tax.code.value)
            _add(weights, found.number, line.amount)
    if sum(weights.values()) <= 0:
        _add(into, chart.account(key).number, -row.taxable)
        return
    numbers = list(weights)
    parts = split_largest_remainder(row.taxable, [weights[n] for n in numbers])
    for number, part in zip(numbers, parts, strict=True):
        _add(into, number, -part)


def sale_rows(doc: DocumentFacts, chart: Chart) -> tuple[Trans, ...]:
    """The rows of an invoice's or a credit note's verification (see the module docstring)."""
    acc: dict[str, int] = {}
    receivables = chart.account("receivables").number
    credit = chart.account("customer_credit").number
    _add(acc, receivables, doc.total)
    for row in rows_of(doc):
        _revenue(doc, row, chart, acc)
        if row.vat:
            _add(acc, chart.account(vat_key(row.tax.rate)).number, -row.vat)
    sign = 1 if doc.type == INVOICE else -1
    rows = [Trans(a, sign * amount) for a, amount in acc.items() if amount]
    if doc.credit_used:
        rows += [Trans(credit, doc.credit_used), Trans(receivables, -doc.credit_used)]
    if doc.credit_kept:
        rows += [Trans(receivables, doc.credit_kept), Trans(credit, -doc.credit_kept)]
    return tuple(rows)


def money_rows(chart: Chart, *, debit: str, credit: str, amount: int) -> tuple[Trans, ...]:
    """A movement of ``amount`` from key ``credit`` to key ``debit`` (payments, refunds)."""
    return (
        Trans(chart.account(debit).number, amount),
        Trans(chart.account(credit).number, -amount),
    )


def accounts_used(chart: Chart, rows: Iterable[Trans]) -> dict[str, str]:
    """Account number → name of every account ``rows`` use (a seller's name wins)."""
    names: dict[str, str] = {}
    for known in [*chart.overrides.values(), *DEFAULTS.values()]:
        names.setdefault(known.number, known.name)
    return {r.account: names.get(r.account, r.account) for r in rows}
