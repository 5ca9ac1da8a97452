"""Properties of VAT on documents, for any timeline and any sequence of credits.

A **writer** here does what the two real ones do (invoicing.service, bill_runs.batch): it posts
each difference, plans its documents with :func:`plan_posting` and keeps what it will need next
time — each posted entry's invoice and :class:`LineTax`, and per invoice what its credit notes
gave back per tax (summed from their VAT rows, as ``invoicing.issuing.credited_before`` reads
them). Random timelines are billed on random dates with back-dated changes (the strategies and
the state machine of ``test_properties``), every item with a random tax category of a random
seller (SE, NO or DK), domestic or not, with net or VAT-inclusive prices; half the examples
use a rate table with a random change of rate inside the billed years, so that credits given
back after a change meet charges taxed before it.

Invariants, after every posting:

* every document's ``total == net_total + vat_total``, its VAT rows are its lines grouped by
  tax, an invoice's row VAT is ``vat_of(its lines)`` and a credit note's is cumulative;
* a credit is taxed as the charge it gives back (never at today's rate), on a note that points
  at that charge's invoice;
* per invoice and tax, the VAT its notes gave back is ``vat_of(Σ given back)``: never more than
  the invoice's, and exactly it once every line is fully credited; the gross given back never
  exceeds the invoice's gross;
* every amount is an ``int``.

Then ``credit_vat`` alone: random invoice lines and random partitions of them into notes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from builders import FakeLedger, Timeline
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant
from test_properties import (
    FINAL,
    LAST_BILL,
    SubscriptionLife,
    assert_amounts_are_ints,
    day,
    steps,
    timelines,
)

from billing.domain.errors import InvalidTimeline
from billing.domain.ledger import Entry, EntryKind, Scope, difference
from billing.domain.posting import (
    DocumentType,
    Issuer,
    PlannedDocument,
    TaxBook,
    plan_posting,
)
from billing.domain.timeline import Schedule
from billing.domain.vat import (
    RATES,
    BuyerTax,
    LineTax,
    RateTable,
    SellerTax,
    TaxCategory,
    TaxCode,
    Treatment,
    VatLine,
    credit_vat,
    invoice_vat,
    line_tax,
    totals,
    treatment,
    vat_of,
)

PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- a sale: who sells to whom, and each item's tax category ---------------------------------

#: The categories each seller country has a rate for (Denmark has no reduced rates).
CATEGORIES = {
    "SE": list(TaxCategory),
    "NO": list(TaxCategory),
    "DK": [TaxCategory.STANDARD, TaxCategory.FOOD, TaxCategory.EXEMPT],
}
#: Buyers per seller country, mostly domestic: (country, business, has a VAT number).
BUYERS = {
    "SE": [("SE", False, False)] * 3 + [("SE", True, True), ("DE", True, True), ("NO", True, True)],
    "NO": [("NO", False, False)] * 3 + [("NO", True, True), ("SE", True, False)],
    "DK": [("DK", False, False)] * 3 + [("SE", True, True), ("US", True, False)],
}
ADDONS = ("sms", "app")


@dataclass(frozen=True)
class Sale:
    """One seller selling one subscription to one buyer; every item taxed by its category."""

    country: str
    how: Treatment
    plan: TaxCategory
    addons: Mapping[str, TaxCategory]
    inclusive: bool
    rates: RateTable = field(default_factory=lambda: RATES)

    @property
    def issuer(self) -> Issuer:
        return Issuer(seller_id=f"sel_{self.country}", prefix=self.country)

    def category(self, entry: Entry) -> TaxCategory:
        if entry.item.startswith("addon:"):
            return self.addons[entry.item.split(":", 1)[1]]
        return self.plan  # the subscription, its start-up fee and its one-offs

    def charge(self, entry: Entry) -> LineTax:
        return line_tax(
            self.category(entry),
            self.how,
            country=self.country,
            supply_date=entry.service_start,
            inclusive=self.inclusive,
            rates=self.rates,
        )


@st.composite
def rate_tables(draw: st.DrawFn, country: str) -> RateTable:
    """The real table, or one where each rate of ``country`` may change to a random rate on a
    random day of the years billed."""
    if draw(st.booleans()):
        return RATES
    table = dict(RATES)
    for category in CATEGORIES[country]:
        if category is TaxCategory.EXEMPT or not draw(st.booleans()):
            continue
        first = draw(st.sampled_from([600, 1200, 1500, 2500]))
        changed = day(draw(st.integers(0, LAST_BILL + 60)))  # where most changes happen
        table[(country, category)] = ((date.min, first), (changed, draw(st.integers(1, 9_999))))
    return table


@st.composite
def sales(draw: st.DrawFn) -> Sale:
    country = draw(st.sampled_from(sorted(CATEGORIES)))
    categories = st.sampled_from(CATEGORIES[country])
    buyer_country, is_business, vat_number = draw(st.sampled_from(BUYERS[country]))
    registered = draw(st.sampled_from([True] * 7 + [False]))
    how = treatment(
        SellerTax(country, vat_registered=registered),
        BuyerTax(buyer_country, business=is_business, has_vat_number=vat_number),
    )
    return Sale(
        country=country,
        how=how,
        plan=draw(categories),
        addons={key: draw(categories) for key in ADDONS},
        inclusive=draw(st.booleans()),
        rates=draw(rate_tables(country)),
    )


# -- the writer ------------------------------------------------------------------------------


class Writer(FakeLedger):
    """Posts each difference and its documents, keeping what a writer keeps."""

    def __init__(self, sale: Sale) -> None:
        super().__init__()
        self.sale = sale
        #: Per posted charge: its invoice, its tax.
        self.invoice_of: dict[str, str] = {}
        self.tax_of: dict[str, LineTax] = {}
        self.invoices: dict[str, PlannedDocument] = {}
        self.notes: dict[str, list[PlannedDocument]] = defaultdict(list)
        #: Per invoice: what its credit notes gave back per tax (Σ of their rows' lines).
        self.credited: dict[str, dict[LineTax, int]] = {}

    def bill(
        self,
        schedule: Schedule,
        as_of: date,
        *,
        scope: Scope = Scope.DUE,
        cause: str | None = None,
    ) -> list[Entry]:
        posted = self.post(
            difference(schedule, self.entries, as_of=as_of, scope=scope, cause_event_id=cause)
        )
        plan = plan_posting(
            posted,
            invoice_of=dict(self.invoice_of),
            currency="SEK",
            issue_date=as_of,
            payment_terms_days=30,
            # As read back from storage: copies, not the writer's own dicts.
            taxes=TaxBook(
                charge=self.sale.charge,
                posted=dict(self.tax_of),
                credited_before={k: dict(v) for k, v in self.credited.items()},
            ),
            issuer=self.sale.issuer,
        )
        assert sorted(id(e) for doc in plan.documents for e in doc.entries) == sorted(
            id(e) for e in posted
        )
        for doc in plan.documents:
            self.keep(doc)
        return posted

    def keep(self, doc: PlannedDocument) -> None:
        assert_document_sound(doc)
        doc_id = f"D{len(self.invoices) + sum(map(len, self.notes.values())) + 1}"
        if doc.type is DocumentType.INVOICE:
            assert doc.series == f"{self.sale.country}-INV"
            for e, tax in zip(doc.entries, doc.taxes, strict=True):
                assert e.id is not None and not e.is_credit
                assert tax == self.sale.charge(e)
                self.invoice_of[e.id] = doc_id
                self.tax_of[e.id] = tax
            for row in doc.vat:
                assert row.vat == vat_of(row.lines, row.tax)
            self.invoices[doc_id] = doc
            return
        assert doc.series == f"{self.sale.country}-CN"
        invoice_id = doc.invoice_id
        assert invoice_id is not None and invoice_id in self.invoices
        for e, tax in zip(doc.entries, doc.taxes, strict=True):
            assert e.credits is not None
            assert self.invoice_of[e.credits] == invoice_id, "the note of the charge's invoice"
            assert tax == self.tax_of[e.credits], "a credit is taxed as its charge"
            if tax != self.sale.charge(e):
                event("a credit taxed otherwise than a new charge of the same days")
        before = self.credited.setdefault(invoice_id, {})
        for row in doc.vat:
            so_far = before.get(row.tax, 0)
            assert row.vat == vat_of(so_far + row.lines, row.tax) - vat_of(so_far, row.tax)
            before[row.tax] = so_far + row.lines
        self.notes[invoice_id].append(doc)

    def assert_credits_within_invoices(self) -> None:
        given_back: dict[str, int] = defaultdict(int)
        for e in self.entries:
            if e.is_credit and e.credits is not None:
                given_back[e.credits] += -e.amount
        for invoice_id, invoice in self.invoices.items():
            notes = self.notes.get(invoice_id, [])
            charged = {row.tax: row for row in invoice.vat}
            lines_back: dict[LineTax, int] = defaultdict(int)
            vat_back: dict[LineTax, int] = defaultdict(int)
            for note in notes:
                for row in note.vat:
                    lines_back[row.tax] += row.lines
                    vat_back[row.tax] += row.vat
            assert dict(lines_back) == self.credited.get(invoice_id, {})
            for tax, lines in lines_back.items():
                assert tax in charged, "a note gives back only taxes its invoice charged"
                row = charged[tax]
                assert lines <= row.lines
                assert vat_back[tax] == vat_of(lines, tax) <= row.vat
                if lines == row.lines:
                    assert vat_back[tax] == row.vat
            vat_credited = sum(n.vat_total for n in notes)
            gross_credited = sum(n.total for n in notes)
            assert vat_credited <= invoice.vat_total
            assert gross_credited <= invoice.total
            fully = all(given_back[str(e.id)] == e.amount for e in invoice.entries)
            if fully:
                assert all(lines_back[r.tax] == r.lines for r in invoice.vat)
                assert vat_credited == invoice.vat_total
                assert gross_credited == invoice.total
                assert sum(n.net_total for n in notes) == invoice.net_total
                event("an invoice fully credited" + (" with VAT" if invoice.vat_total else ""))
            elif notes:
                event("an invoice partly credited")


def assert_one_row_per_rate(rows: Sequence[VatLine]) -> None:
    """VAT is rounded once per rate (domain.md; EN 16931 BR-S-08): one row per rate and kind
    of price; rows at 0 % are one per code (their notes differ)."""
    taxed = [(r.tax.rate, r.tax.inclusive) for r in rows if r.tax.rate > 0]
    assert len(taxed) == len(set(taxed))
    untaxed = [(r.tax.code, r.tax.inclusive) for r in rows if r.tax.rate == 0]
    assert len(untaxed) == len(set(untaxed))


def assert_document_sound(doc: PlannedDocument) -> None:
    for value in (doc.total, doc.net_total, doc.vat_total):
        assert type(value) is int
    for row in doc.vat:
        for value in (row.lines, row.taxable, row.vat, row.tax.rate):
            assert type(value) is int
    assert doc.total == doc.net_total + doc.vat_total
    money = totals(doc.vat)
    assert (money.net, money.vat, money.gross) == (doc.net_total, doc.vat_total, doc.total)
    assert len(doc.taxes) == len(doc.entries)
    lines: dict[LineTax, int] = defaultdict(int)
    for e, tax in zip(doc.entries, doc.taxes, strict=True):
        lines[tax.group] += abs(e.amount)
    assert {row.tax: row.lines for row in doc.vat} == dict(lines)
    assert len(doc.vat) == len(lines), "one row per breakdown group"
    assert_one_row_per_rate(doc.vat)
    for row in doc.vat:
        assert 0 <= row.vat <= row.lines
        assert row.taxable == (row.lines - row.vat if row.tax.inclusive else row.lines)
        if row.tax.rate == 0:
            assert row.vat == 0
    if doc.type is DocumentType.INVOICE:
        assert doc.status == ("open" if doc.total > 0 else "paid")
    else:
        assert doc.total > 0 and doc.status == "issued"


# -- random timelines, billed on random dates ------------------------------------------------


@PROPERTIES
@given(t=timelines(), plan=steps, sale=sales())
def test_vat_of_any_timeline_billed_in_any_order(
    t: Timeline, plan: list[tuple[bool, int]], sale: Sale
) -> None:
    """Changes recorded one by one (each posting its difference at once, many back-dated)
    between bill runs at random dates; a final bill run catches up to mid-2026."""
    start = t.events[0].effective_date
    writer = Writer(sale)
    recorded = 1
    for record, offset in plan:
        as_of = start + timedelta(days=offset)
        if record and recorded < len(t.events):
            recorded += 1
            schedule = Schedule(t.events[:recorded])
            writer.bill(schedule, as_of, scope=Scope.BILLED, cause=t.events[recorded - 1].id)
        else:
            writer.bill(Schedule(t.events[:recorded]), as_of)
        writer.assert_credits_within_invoices()
    writer.bill(t.schedule(), day(FINAL))
    writer.assert_credits_within_invoices()
    assert_amounts_are_ints(writer.entries)
    event(f"treatment {sale.how.value}")


@PROPERTIES
@given(
    t=timelines(kinds=("price", "quantity", "attach", "detach", "one_off"), max_events=4),
    bills=st.lists(st.integers(0, LAST_BILL), min_size=1, max_size=4),
    sale=sales(),
    cut=st.integers(-20, LAST_BILL),
)
def test_a_cancellation_back_to_the_start_gives_back_every_invoices_vat(
    t: Timeline, bills: list[int], sale: Sale, cut: int
) -> None:
    """Billed, then cancelled from before the start: every charge is given back, so every
    invoice gets back exactly its VAT and its gross."""
    start = t.events[0].effective_date
    writer = Writer(sale)
    for offset in sorted(bills):
        writer.bill(t.schedule(), start + timedelta(days=offset))
    end = t.cancel(start)
    try:
        schedule = t.schedule()
    except InvalidTimeline:
        assume(False)
        raise
    writer.bill(schedule, start + timedelta(days=cut), scope=Scope.BILLED, cause=end.id)
    writer.bill(schedule, day(FINAL))
    writer.assert_credits_within_invoices()
    for invoice_id, invoice in writer.invoices.items():
        # delivered one-offs stay billed; everything served is given back
        if all(e.kind is EntryKind.CHARGE for e in invoice.entries):
            notes = writer.notes[invoice_id]
            assert sum(n.vat_total for n in notes) == invoice.vat_total
            assert sum(n.total for n in notes) == invoice.total
            event("an invoice of periods given back" + (" with VAT" if invoice.vat_total else ""))


@st.composite
def sliced_credits(draw: st.DrawFn) -> tuple[Timeline, int, list[int], Sale]:
    """A subscription billed once, late (one invoice of several periods and add-ons at small,
    odd prices, so that every öre of rounding shows), then cancelled from ever earlier days,
    each move credited at once: its invoice is given back slice by slice, in many notes.
    The plan's rate changes on a day inside what was billed."""
    start = day(draw(st.integers(0, 60)))
    t = Timeline(
        start,
        unit_amount=draw(st.integers(1, 999) | st.integers(1, 1_000_000)),
        quantity=draw(st.integers(1, 3)),
        interval_months=draw(st.sampled_from([1, 1, 3, 12])),
        anchor_day=draw(st.none() | st.integers(1, 31)),
    )
    for key in draw(st.lists(st.sampled_from(ADDONS), unique=True)):
        t.attach_addon(
            start + timedelta(days=draw(st.integers(0, 60))), key, draw(st.integers(1, 99))
        )
    billed = draw(st.integers(0, 400))
    ends = sorted(
        set(draw(st.lists(st.integers(-5, billed + 60), min_size=1, max_size=6))), reverse=True
    )
    sale = draw(sales())
    if sale.plan is not TaxCategory.EXEMPT and sale.how is Treatment.DOMESTIC:
        changed = start + timedelta(days=draw(st.integers(1, billed + 60)))
        rates = dict(sale.rates)
        rates[(sale.country, sale.plan)] = (
            (date.min, draw(st.sampled_from([600, 1200, 1500, 2500]))),
            (changed, draw(st.integers(1, 9_999))),
        )
        sale = Sale(sale.country, sale.how, sale.plan, sale.addons, sale.inclusive, rates)
    return t, billed, ends, sale


@PROPERTIES
@given(sliced_credits())
def test_an_invoice_given_back_slice_by_slice(case: tuple[Timeline, int, list[int], Sale]) -> None:
    t, billed, ends, sale = case
    start = t.events[0].effective_date
    as_of = start + timedelta(days=billed)
    writer = Writer(sale)
    writer.bill(t.schedule(), as_of)
    for n, end in enumerate(ends):
        ev = (t.cancel if n == 0 else t.move_cancellation)(start + timedelta(days=end))
        writer.bill(t.schedule(), as_of, scope=Scope.BILLED, cause=ev.id)
        writer.assert_credits_within_invoices()
    writer.bill(t.schedule(), day(FINAL))
    writer.assert_credits_within_invoices()
    most = max((len(notes) for notes in writer.notes.values()), default=0)
    event(f"notes on one invoice: {min(most, 4)}{' or more' if most >= 4 else ''}")


# -- a subscription's life, with its documents -----------------------------------------------


class TaxedLife(SubscriptionLife):
    """The ledger's state machine (test_properties.SubscriptionLife), its every posting written
    as documents with VAT by a :class:`Writer`."""

    @initialize(
        start=st.integers(0, 40),
        unit_amount=st.integers(0, 500_000),
        quantity=st.integers(1, 30),
        price_months=st.sampled_from([1, 12]),
        interval=st.sampled_from([1, 1, 3, 12]),
        anchor_day=st.none() | st.integers(1, 31),
        timing=st.sampled_from(["in_advance", "in_arrears"]),
        sale=sales(),
    )
    def start(
        self,
        start: int,
        unit_amount: int,
        quantity: int,
        price_months: int,
        interval: int,
        anchor_day: int | None,
        timing: str,
        sale: Sale,
    ) -> None:
        self.ledger = Writer(sale)
        SubscriptionLife.start(
            self, start, unit_amount, quantity, price_months, interval, anchor_day, timing
        )

    @invariant()
    def credit_notes_within_their_invoices(self) -> None:
        if isinstance(self.ledger, Writer):
            self.ledger.assert_credits_within_invoices()


TaxedLife.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestTaxedLife = TaxedLife.TestCase


# -- credit_vat alone ------------------------------------------------------------------------

line_taxes = st.builds(
    LineTax,
    st.sampled_from([TaxCode.STANDARD, TaxCode.REDUCED, TaxCode.FOOD, TaxCode.REDUCED_LOW]),
    st.sampled_from([1, 600, 1200, 1500, 2500, 9_999]),
    st.booleans(),
) | st.builds(
    LineTax,
    st.sampled_from([TaxCode.EXEMPT, TaxCode.REVERSE_CHARGE, TaxCode.UNTAXED]),
    st.just(0),
    st.booleans(),
)
amounts = st.integers(1, 40) | st.integers(1, 10**12)


@st.composite
def credited_invoices(
    draw: st.DrawFn,
) -> tuple[list[tuple[LineTax, int]], list[list[tuple[LineTax, int]]], bool]:
    """An invoice's lines; notes giving all of them back in random pieces, in random order;
    and whether the last note is left out (a partly credited invoice)."""
    lines = draw(st.lists(st.tuples(line_taxes, amounts), min_size=1, max_size=8))
    notes: list[list[tuple[LineTax, int]]] = [[] for _ in range(draw(st.integers(1, 6)))]
    for tax, amount in lines:
        cuts = draw(st.lists(st.integers(1, max(amount - 1, 1)), max_size=4))
        bounds = sorted({0, amount, *(c for c in cuts if c < amount)})
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            notes[draw(st.integers(0, len(notes) - 1))].append((tax, hi - lo))
    return lines, [n for n in notes if n], draw(st.booleans())


@PROPERTIES
@given(credited_invoices())
def test_credit_notes_give_back_the_invoices_vat_cumulatively(
    case: tuple[list[tuple[LineTax, int]], list[list[tuple[LineTax, int]]], bool],
) -> None:
    lines, notes, partly = case
    invoice = {row.tax: row for row in invoice_vat(lines)}
    if partly:
        notes = notes[:-1]
    before: dict[LineTax, int] = defaultdict(int)
    vat_back: dict[LineTax, int] = defaultdict(int)
    gross_back = 0
    for note in notes:
        rows = credit_vat(note, credited_before=dict(before))
        assert [r.tax for r in rows] == list(dict.fromkeys(t.group for t, _ in note))
        for row in rows:
            assert all(type(v) is int for v in (row.lines, row.taxable, row.vat))
            assert row.vat >= 0
            assert row.taxable == (row.lines - row.vat if row.tax.inclusive else row.lines)
            before[row.tax] += row.lines
            vat_back[row.tax] += row.vat
            # the closed form: what all notes so far gave back is V(Σ given back)
            assert vat_back[row.tax] == vat_of(before[row.tax], row.tax)
            assert before[row.tax] <= invoice[row.tax].lines
            assert vat_back[row.tax] <= invoice[row.tax].vat
        gross_back += totals(rows).gross
    assert gross_back <= totals(invoice.values()).gross
    if not partly:
        assert dict(vat_back) == {t: r.vat for t, r in invoice.items()}
        assert gross_back == totals(invoice.values()).gross
        assert sum(before.values()) == sum(a for _, a in lines)


@PROPERTIES
@given(st.lists(st.tuples(line_taxes, amounts), max_size=10), st.randoms(use_true_random=False))
def test_an_invoices_vat_depends_only_on_the_sum_per_tax(
    lines: list[tuple[LineTax, int]], order: object
) -> None:
    shuffled = list(lines)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    merged: dict[LineTax, int] = defaultdict(int)
    for tax, amount in lines:
        merged[tax] += amount
    rows = invoice_vat(lines)
    assert set(invoice_vat(shuffled)) == set(rows) == set(invoice_vat(merged.items()))
    assert_one_row_per_rate(rows)
    for row in rows:
        assert row.vat == vat_of(row.lines, row.tax)
        # gross prices: the price list's amount is what is asked
        if row.tax.inclusive:
            assert row.gross == row.lines
    assert totals(rows).gross == sum(r.gross for r in rows)
