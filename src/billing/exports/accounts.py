"""The chart of accounts a seller's journal is booked to: the BAS defaults and its own changes.

**Defaults** are accounts of the BAS chart (BAS-kontoplanen 2025, BAS-kontogruppen, bas.se;
numbers and names as the chart has them):

=============================  =======  ===================================================
key                            account  BAS name
=============================  =======  ===================================================
``receivables``                1510     Kundfordringar
``bank``                       1930     Företagskonto/checkkonto/affärskonto
``customer_credit``            2420     Förskott från kunder (customer credit is a debt)
``revenue:standard:2500``      3001     Försäljning inom Sverige, 25 % moms
``revenue:standard:1200``      3002     Försäljning inom Sverige, 12 % moms
``revenue:standard:600``       3003     Försäljning inom Sverige, 6 % moms
``revenue:exempt``             3004     Försäljning inom Sverige, momsfri
``revenue:not_registered``     3004     (a seller not registered for VAT sells without it)
``revenue:untaxed``            3004     (documents issued before this service knew VAT)
``revenue:reverse_charge``     3308     Försäljning tjänster till annat EU-land
``revenue:outside_scope``      3305     Försäljning tjänster till land utanför EU
``vat:2500``                   2611     Utgående moms på försäljning inom Sverige, 25 %
``vat:1200``                   2621     Utgående moms på försäljning inom Sverige, 12 %
``vat:600``                    2631     Utgående moms på försäljning inom Sverige, 6 %
``reminder_fee``               3990     Övriga ersättningar, bidrag och intäkter
``late_compensation``          3990     (förseningsersättning, as the reminder fee)
``late_interest``              8313     Ränteintäkter från kortfristiga fordringar
``usage:standard:2500``        3011     (own) Försäljning inom Sverige, förbrukning, 25 % moms
``usage:standard:1200``        3012     (own) Försäljning inom Sverige, förbrukning, 12 % moms
``usage:standard:600``         3013     (own) Försäljning inom Sverige, förbrukning, 6 % moms
``usage:exempt``               3014     (own) Försäljning inom Sverige, förbrukning, momsfri
``usage:not_registered``       3014     (as ``usage:exempt``)
``usage:untaxed``              3014     (as ``usage:exempt``)
=============================  =======  ===================================================

(3308 and 3305 are the BAS service accounts: what this service sells are services; the VAT
return reads them as boxes 39 and 40.)

A reminder invoice's lines are not sales: the reminder fee (påminnelseavgift) and the
compensation for collection costs between businesses (förseningsersättning) are what the law
on collection costs calls compensation ("ersättning"), and BAS has no account of their own for
them, so both default to 3990 under "Övriga rörelseintäkter"; late interest (dröjsmålsränta) is
a financial income, on 8313 with the other interest on short-term receivables. None is
revenue of a supply, so none is on 3305 with exports, whatever its VAT row (outside the scope).
The three keys take the place of the row's ``revenue:`` key for those lines only.

**Usage charges** (metered sales, ledger items ``usage:<metric>:<tier>``) are sales in Sweden
like the subscription's own lines, so they belong in BAS group 30 (Försäljning inom Sverige),
which the income statement reads as net turnover and the VAT return as box 05 (taxed at a
rate) or 42 (exempt) exactly as 3001-3004. BAS names only 3000-3004 in that group and leaves
the other numbers to a company's own subdivision, so usage gets accounts of its own there:
3011-3014, the VAT split of 3001-3004 one ten up (25 %, 12 %, 6 %, momsfri), so that metered
revenue can be followed apart from the subscription price without moving anything the VAT
return reads. A usage line taxed by reverse charge or outside the scope has no usage default:
it stays on 3308 or 3305, the accounts of VAT return boxes 39 and 40. The keys are
``usage:`` and the VAT row's part of its ``revenue:`` key; a seller's chart may change any of
them, or set ``usage:reverse_charge`` and ``usage:outside_scope``.

**A seller's changes** (``chart_of_accounts``) replace any default by its key, and may name
revenue accounts per product: ``plan:<plan id>`` (a subscription's main and setup lines),
``addon:<code>``, ``product:<code>`` (one-off order lines). A line's revenue account is the
first key that is set of, in order: ``<product>:<tax code>``, ``<product>`` (only for lines
taxed at a rate, so that reverse-charge and export sales stay on the accounts the VAT return
reads unless the seller says otherwise), then its VAT row's ``revenue:`` key. A key that has
neither a change nor a default (VAT at a rate the table above lacks) is refused when the file
is made, naming the key, so nothing is booked to a guessed account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from billing.domain.errors import InvalidInput
from billing.reminders.charges import COMPENSATION, FEE, INTEREST


@dataclass(frozen=True, slots=True)
class Account:
    number: str
    name: str


DEFAULTS: Mapping[str, Account] = {
    "receivables": Account("1510", "Kundfordringar"),
    "bank": Account("1930", "Företagskonto/checkkonto/affärskonto"),
    "customer_credit": Account("2420", "Förskott från kunder"),
    "revenue:standard:2500": Account("3001", "Försäljning inom Sverige, 25 % moms"),
    "revenue:standard:1200": Account("3002", "Försäljning inom Sverige, 12 % moms"),
    "revenue:standard:600": Account("3003", "Försäljning inom Sverige, 6 % moms"),
    "revenue:exempt": Account("3004", "Försäljning inom Sverige, momsfri"),
    "revenue:not_registered": Account("3004", "Försäljning inom Sverige, momsfri"),
    "revenue:untaxed": Account("3004", "Försäljning inom Sverige, momsfri"),
    "revenue:reverse_charge": Account("3308", "Försäljning tjänster till annat EU-land"),
    "revenue:outside_scope": Account("3305", "Försäljning tjänster till land utanför EU"),
    "vat:2500": Account("2611", "Utgående moms på försäljning inom Sverige, 25 %"),
    "vat:1200": Account("2621", "Utgående moms på försäljning inom Sverige, 12 %"),
    "vat:600": Account("2631", "Utgående moms på försäljning inom Sverige, 6 %"),
    FEE: Account("3990", "Övriga ersättningar, bidrag och intäkter"),
    COMPENSATION: Account("3990", "Övriga ersättningar, bidrag och intäkter"),
    INTEREST: Account("8313", "Ränteintäkter från kortfristiga fordringar"),
    "usage:standard:2500": Account("3011", "Försäljning inom Sverige, förbrukning, 25 % moms"),
    "usage:standard:1200": Account("3012", "Försäljning inom Sverige, förbrukning, 12 % moms"),
    "usage:standard:600": Account("3013", "Försäljning inom Sverige, förbrukning, 6 % moms"),
    "usage:exempt": Account("3014", "Försäljning inom Sverige, förbrukning, momsfri"),
    "usage:not_registered": Account("3014", "Försäljning inom Sverige, förbrukning, momsfri"),
    "usage:untaxed": Account("3014", "Försäljning inom Sverige, förbrukning, momsfri"),
}

#: The product key of a usage charge's line (any metric, any tier): its account is the
#: ``usage:`` key of its VAT row (see the module docstring).
USAGE = "usage"

#: The keys of a reminder invoice's lines, named as its ledger lines' items (see the module
#: docstring).
CHARGE_KEYS = frozenset({FEE, COMPENSATION, INTEREST})

_KEY = re.compile(
    r"(receivables|bank|customer_credit|"
    + "|".join(sorted(CHARGE_KEYS))
    + r"|(revenue|usage):[a-z_]+(:\d{1,4})?|vat:\d{1,4}"
    r"|(plan|addon|product):[^\s:]{1,80}(:[a-z_]+)?)",
    re.ASCII,  # \d is 0-9 only: other scripts' digits are no account (the file writes them "?")
)
_ACCOUNT = re.compile(r"[1-8]\d{3}", re.ASCII)
_TAXED_AT_A_RATE = "standard"


def check_entry(key: str, account: str, name: str) -> None:
    """Refuse a change that is not a key of the chart, a BAS account number (four digits, class
    1–8) or a name the file's character set can carry."""
    if not _KEY.fullmatch(key):
        raise InvalidInput(f"{key!r} is not a key of the chart of accounts", code="account_key")
    if not _ACCOUNT.fullmatch(account):
        raise InvalidInput(
            f"{account!r} is not an account number (four digits, 1000-8999)",
            code="account_number",
        )
    stripped = name.strip()
    if not stripped or len(stripped) > 100:
        raise InvalidInput("an account name has 1 to 100 characters", code="account_name")
    try:
        stripped.encode("cp437")
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            f"{name!r} has characters a SIE file cannot carry (code page 437)",
            code="account_name",
        ) from exc


@dataclass(frozen=True, slots=True)
class Chart:
    """The defaults with a seller's changes (``overrides``: key → account)."""

    overrides: Mapping[str, Account]

    def get(self, key: str) -> Account | None:
        return self.overrides.get(key) or DEFAULTS.get(key)

    def account(self, key: str) -> Account:
        found = self.get(key)
        if found is None:
            raise InvalidInput(
                f"no account for {key!r}: set it in the seller's chart of accounts",
                code="account_missing",
            )
        return found

    def revenue(self, product: str | None, *, row_key: str, tax_code: str) -> Account:
        """The revenue account of a line of ``product`` (``plan:<id>``, ``addon:<code>``,
        ``product:<code>``, a reminder charge's key, or None) in the VAT row ``row_key`` (see
        the module docstring)."""
        if product in CHARGE_KEYS:
            return self.account(product)
        if product == USAGE:
            return self.get(USAGE + row_key.removeprefix("revenue")) or self.account(row_key)
        if product is not None:
            specific = self.overrides.get(f"{product}:{tax_code}")
            if specific is not None:
                return specific
            general = self.overrides.get(product)
            if general is not None and tax_code == _TAXED_AT_A_RATE:
                return general
        return self.account(row_key)


def revenue_key(code: str, rate: int) -> str:
    """The ``revenue:`` key of a VAT breakdown row: by rate when taxed at one."""
    return f"revenue:{code}:{rate}" if rate else f"revenue:{code}"


def vat_key(rate: int) -> str:
    return f"vat:{rate}"


def effective(overrides: Mapping[str, Account]) -> dict[str, tuple[Account, bool]]:
    """Every key with its account and whether the seller changed it, defaults first."""
    out = {key: (acc, False) for key, acc in DEFAULTS.items()}
    out.update({key: (acc, True) for key, acc in overrides.items()})
    return out
