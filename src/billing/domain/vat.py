"""VAT: dated rates, the treatment of a sale, and exact VAT money on documents (domain.md,
"What leaves the system must be usable as it is").

**Tax category** (:class:`TaxCategory`) is what a plan, an add-on or an order product *is* for
VAT: ``standard``, ``reduced``, ``food``, ``reduced_low`` or ``exempt`` (e.g. medical care,
mervärdesskattelagen 10 kap.). Its **rate** is looked up per seller country and category on the
line's **supply date** (its first served day), never the issue date, in :data:`RATES`: a dated
table, so that a change of rate applies to what is supplied from its date on (Sweden's food rate
is 12 %, 6 % from 2026-04-01 to 2027-12-31, then 12 % again: prop. 2025/26:55). A category a
country has no rate for on that date (Denmark has no reduced rates) is refused, never billed at
0 %.

**Treatment** (:func:`treatment`) is who taxes the sale, by seller country × buyer country ×
business or consumer:

* seller not VAT registered (no VAT number) → ``not_registered``: no VAT on any line;
* same country → ``domestic``: the category's rate;
* EU seller, business buyer in another EU country with a VAT number → ``reverse_charge``: no
  VAT, the buyer accounts for it (the document prints the note and the buyer's VAT number);
* business buyer outside the seller's VAT area (outside the EU; for a Norwegian seller, abroad)
  → ``outside_scope``: a service taxed where the buyer is, no VAT here, with its note;
* anything else (a consumer abroad: distance sales and OSS; a foreign business without a VAT
  number in the EU) is **refused** with a problem code when the subscription or order is made.

A line's :class:`LineTax` is the code it was taxed under (the category when domestic, else the
treatment), its rate in hundredths of a percent (``2500`` = 25 %) and whether its amount
includes VAT (a plan's consumer price list). Ledger entries keep it as charged; a credit takes
the tax of the charge it gives back, never today's.

**VAT money** (EN 16931 BT-116/BT-117). Lines stay as priced; a document's VAT is computed once
per breakdown row (rate and inclusive; lines without VAT by their code) on the sum of its
lines, half up (:func:`billing.domain.money.
round_half_up`)::

    net prices:      VAT = R(rate × Σ lines)                 taxable = Σ lines
    gross prices:    VAT = R(Σ lines × rate / (1 + rate))    taxable = Σ lines − VAT

so gross = taxable + VAT is exactly what a gross price list says. A credit note gives back VAT
**cumulatively against its invoice**: with C the taxable sum of that group credited by earlier
notes and c by this one, ``VAT credited = V(C + c) − V(C)``. The VAT credited on an invoice by
any number of notes is then ``V(Σ credited)``: never more than the invoice's ``V(Σ charged)``
(V is monotone and credits never exceed their charges) and exactly it once fully credited.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from billing.domain.errors import InvalidInput
from billing.domain.money import round_half_up

#: Rates are in hundredths of a percent: 2500 is 25 %.
RATE_SCALE = 10_000


class TaxCategory(StrEnum):
    """What a product is for VAT."""

    STANDARD = "standard"
    #: SE 12 % (hotels, restaurants), NO 15 % (food and drink).
    REDUCED = "reduced"
    #: Food: SE 12 % (6 % from 2026-04-01 to 2027-12-31), NO 15 %, DK 25 %.
    FOOD = "food"
    #: SE 6 % (books, passenger transport, culture), NO 12 % (transport, cinema, hotels).
    REDUCED_LOW = "reduced_low"
    #: Exempt from VAT (medical care, insurance, ...): 0 %, with the exemption note.
    EXEMPT = "exempt"


class Treatment(StrEnum):
    """Who taxes a sale (see the module docstring)."""

    DOMESTIC = "domestic"
    REVERSE_CHARGE = "reverse_charge"
    OUTSIDE_SCOPE = "outside_scope"
    NOT_REGISTERED = "not_registered"


class TaxCode(StrEnum):
    """What a line was taxed under: its category when domestic, else its treatment."""

    STANDARD = "standard"
    REDUCED = "reduced"
    FOOD = "food"
    REDUCED_LOW = "reduced_low"
    EXEMPT = "exempt"
    REVERSE_CHARGE = "reverse_charge"
    OUTSIDE_SCOPE = "outside_scope"
    NOT_REGISTERED = "not_registered"
    #: Posted before this service knew VAT: the document was issued without it.
    UNTAXED = "untaxed"


#: Countries whose sellers this service bills for (their rates are in :data:`RATES`).
SELLER_COUNTRIES = frozenset({"SE", "NO", "DK"})

#: The EU member states (VAT area) in 2026.
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)

_ALWAYS = date.min
#: (country, category) → ((from date, rate or None for "no such rate"), ...), ascending.
RATES: Mapping[tuple[str, TaxCategory], tuple[tuple[date, int | None], ...]] = {
    ("SE", TaxCategory.STANDARD): ((_ALWAYS, 2500),),
    ("SE", TaxCategory.REDUCED): ((_ALWAYS, 1200),),
    ("SE", TaxCategory.FOOD): (
        (_ALWAYS, 1200),
        (date(2026, 4, 1), 600),
        (date(2028, 1, 1), 1200),
    ),
    ("SE", TaxCategory.REDUCED_LOW): ((_ALWAYS, 600),),
    ("NO", TaxCategory.STANDARD): ((_ALWAYS, 2500),),
    ("NO", TaxCategory.REDUCED): ((_ALWAYS, 1500),),
    ("NO", TaxCategory.FOOD): ((_ALWAYS, 1500),),
    ("NO", TaxCategory.REDUCED_LOW): ((_ALWAYS, 1200),),
    ("DK", TaxCategory.STANDARD): ((_ALWAYS, 2500),),
    ("DK", TaxCategory.FOOD): ((_ALWAYS, 2500),),
    ("DK", TaxCategory.REDUCED): ((_ALWAYS, None),),
    ("DK", TaxCategory.REDUCED_LOW): ((_ALWAYS, None),),
}

RateTable = Mapping[tuple[str, TaxCategory], tuple[tuple[date, int | None], ...]]


def rate_on(
    country: str, category: TaxCategory, supply_date: date, *, rates: RateTable = RATES
) -> int:
    """The rate of ``category`` in ``country`` for what is supplied on ``supply_date``."""
    if category is TaxCategory.EXEMPT:
        return 0
    rate: int | None = None
    for since, value in rates.get((country, category), ()):
        if since <= supply_date:
            rate = value
    if rate is None:
        raise InvalidInput(
            f"{country} has no VAT rate for {category.value} on {supply_date.isoformat()}",
            code="vat_rate_missing",
        )
    return rate


@dataclass(frozen=True, slots=True)
class SellerTax:
    """What VAT needs to know of a seller."""

    country: str
    vat_registered: bool


@dataclass(frozen=True, slots=True)
class BuyerTax:
    """What VAT needs to know of a buyer: ``business`` (else a consumer) and whether it has a
    VAT number (validated where it is entered)."""

    country: str
    business: bool
    has_vat_number: bool


def _vat_area(country: str) -> str:
    return "EU" if country in EU_COUNTRIES else country


def treatment(seller: SellerTax, buyer: BuyerTax) -> Treatment:
    """Who taxes a sale from ``seller`` to ``buyer``; a combination not covered is refused."""
    if seller.country not in SELLER_COUNTRIES:
        raise InvalidInput(
            f"sellers in {seller.country} are not supported", code="seller_country_unsupported"
        )
    if not seller.vat_registered:
        return Treatment.NOT_REGISTERED
    if buyer.country == seller.country:
        return Treatment.DOMESTIC
    if not buyer.business:
        raise InvalidInput(
            f"a consumer in {buyer.country} buying from a seller in {seller.country} is not "
            "covered (distance sales, OSS)",
            code="vat_treatment_unsupported",
        )
    same_area = _vat_area(buyer.country) == _vat_area(seller.country)
    if same_area:  # both in the EU, different countries
        if not buyer.has_vat_number:
            raise InvalidInput(
                "reverse charge to a business in another EU country needs its VAT number",
                code="reverse_charge_needs_vat_number",
            )
        return Treatment.REVERSE_CHARGE
    return Treatment.OUTSIDE_SCOPE


@dataclass(frozen=True, slots=True)
class LineTax:
    """How one line is taxed: ``rate`` in hundredths of a percent; ``inclusive``: its amount
    includes the VAT (a gross price list)."""

    code: TaxCode
    rate: int
    inclusive: bool = False

    @property
    def group(self) -> LineTax:
        """The row of the VAT breakdown it is summed in: every line taxed at a rate (standard,
        reduced, food) is in the one ``standard`` row of that rate — EN 16931's category S,
        one breakdown per rate (BR-S-08) — so VAT is rounded once per rate; lines without VAT
        are in a row of their code."""
        if self.code in _TAXED and self.code is not TaxCode.STANDARD:
            return LineTax(TaxCode.STANDARD, self.rate, self.inclusive)
        return self


UNTAXED = LineTax(TaxCode.UNTAXED, 0)
_TAXED = frozenset({TaxCode.STANDARD, TaxCode.REDUCED, TaxCode.FOOD, TaxCode.REDUCED_LOW})

_TREATMENT_CODE = {
    Treatment.REVERSE_CHARGE: TaxCode.REVERSE_CHARGE,
    Treatment.OUTSIDE_SCOPE: TaxCode.OUTSIDE_SCOPE,
    Treatment.NOT_REGISTERED: TaxCode.NOT_REGISTERED,
}


def line_tax(
    category: TaxCategory,
    how: Treatment,
    *,
    country: str,
    supply_date: date,
    inclusive: bool = False,
    rates: RateTable = RATES,
) -> LineTax:
    """The tax of a line of ``category`` supplied on ``supply_date`` by a seller in
    ``country`` under treatment ``how``."""
    if category is TaxCategory.EXEMPT:
        return LineTax(TaxCode.EXEMPT, 0, inclusive)
    if how is Treatment.DOMESTIC:
        rate = rate_on(country, category, supply_date, rates=rates)
        return LineTax(TaxCode(category.value), rate, inclusive)
    return LineTax(_TREATMENT_CODE[how], 0, inclusive)


def vat_of(amount: int, tax: LineTax) -> int:
    """The VAT in ``amount`` (a sum of lines of one tax), rounded half up once."""
    if tax.rate == 0:
        return 0
    if tax.inclusive:
        return round_half_up(amount * tax.rate, RATE_SCALE + tax.rate)
    return round_half_up(amount * tax.rate, RATE_SCALE)


@dataclass(frozen=True, slots=True)
class VatLine:
    """One row of a document's VAT breakdown (EN 16931 BG-23): all its lines of one tax."""

    tax: LineTax
    #: Σ of the lines as priced (net, or gross for an inclusive price list).
    lines: int
    #: The taxable amount (BT-116): net.
    taxable: int
    #: The VAT (BT-117).
    vat: int

    @property
    def gross(self) -> int:
        return self.taxable + self.vat


def _grouped(lines: Iterable[tuple[LineTax, int]]) -> dict[LineTax, int]:
    """Σ amount per breakdown row (:attr:`LineTax.group`), in first-seen order."""
    sums: dict[LineTax, int] = {}
    for tax, amount in lines:
        group = tax.group
        sums[group] = sums.get(group, 0) + amount
    return sums


def _vat_line(tax: LineTax, amount: int, vat: int) -> VatLine:
    taxable = amount - vat if tax.inclusive else amount
    return VatLine(tax, amount, taxable, vat)


def invoice_vat(lines: Iterable[tuple[LineTax, int]]) -> tuple[VatLine, ...]:
    """An invoice's VAT breakdown from its lines (tax, amount as priced), in first-seen order."""
    return tuple(_vat_line(t, s, vat_of(s, t)) for t, s in _grouped(lines).items())


def credit_vat(
    lines: Iterable[tuple[LineTax, int]], *, credited_before: Mapping[LineTax, int]
) -> tuple[VatLine, ...]:
    """A credit note's VAT breakdown: ``lines`` are what it gives back (tax as charged, a
    positive amount as priced); ``credited_before`` what earlier notes gave back on the same
    invoice, per breakdown row (:attr:`LineTax.group`). VAT credited = V(before + now) −
    V(before)."""
    out: list[VatLine] = []
    for tax, amount in _grouped(lines).items():
        before = credited_before.get(tax, 0)
        out.append(_vat_line(tax, amount, vat_of(before + amount, tax) - vat_of(before, tax)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class VatTotals:
    """A document's totals: net (Σ taxable), VAT and gross (what it asks or gives back)."""

    net: int
    vat: int
    gross: int


def totals(breakdown: Iterable[VatLine]) -> VatTotals:
    rows = list(breakdown)
    net = sum(r.taxable for r in rows)
    vat = sum(r.vat for r in rows)
    return VatTotals(net, vat, net + vat)
