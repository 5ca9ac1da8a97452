"""Amounts as EN 16931 writes them: net lines, unit prices and decimals, exactly.

* **Decimals** (:func:`major`): minor units as a decimal string with the currency's digits,
  ``12500`` öre → ``"125.00"``; never a float. EN 16931 allows at most 2 decimals in amounts
  (BR-DEC-*); a currency with more is refused (:func:`checked_digits`).
* **Net lines of a gross price list** (:func:`net_lines`). Lines priced with VAT keep their
  gross amounts; the breakdown row's taxable amount (net, BT-116) was computed once from their
  sum. EN 16931 wants each line's net amount (BT-131) and their sum to be that taxable amount
  exactly (BR-S-08), so the row's taxable amount is split over its lines in proportion to their
  gross amounts by largest remainder (:func:`billing.domain.money.split_largest_remainder`):
  the parts add up to the whole, and each is within one minor unit of its exact share.
* **Unit price** (:func:`unit_price`): the net price of one licence, BT-146, is the line's net
  amount divided by its quantity. A prorated line (15 of 30 days of 3 licences) divides
  inexactly, and PEPPOL-EN16931-R120 checks quantity × price against the line's amount (to
  0.02); the price is rounded half up to ``digits + len(str(quantity)) + 1`` decimals, so the
  product is within 0.0005 of the line's amount whatever the quantity. Prices are never
  negative (BR-27): a negative line has a negative quantity (as in the official examples).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from billing.domain.money import round_half_up, split_largest_remainder
from billing.errors import Conflict

#: The most decimals EN 16931 allows in an amount.
MAX_DIGITS = 2


def checked_digits(currency: str, digits: int) -> int:
    if digits > MAX_DIGITS:
        raise Conflict(
            f"{currency} has {digits} decimals; EN 16931 amounts have at most {MAX_DIGITS}",
            code="document_not_peppol_ready",
        )
    return digits


def major(amount: int, digits: int) -> str:
    """Minor units as a decimal string with exactly ``digits`` decimals."""
    return format(Decimal(amount).scaleb(-digits), "f")


def decimal_text(value: Decimal) -> str:
    """A decimal without trailing zeros, never in exponent form: ``25``, ``12.5``."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def net_lines(gross: Sequence[int], taxable: int) -> list[int]:
    """Net amounts of lines priced ``gross`` (one breakdown row) that add up to ``taxable``."""
    if not gross:
        return []
    if all(a >= 0 for a in gross) or all(a <= 0 for a in gross):
        sign = -1 if any(a < 0 for a in gross) else 1
        weights = [abs(a) for a in gross]
        if sum(weights) == 0:
            return [0] * len(gross)
        return [sign * part for part in split_largest_remainder(sign * taxable, weights)]
    # Charges and credits are never on one document; should they be, the VAT is still taken
    # from the lines in proportion, and what rounding leaves goes to the largest line.
    total = sum(gross)
    vat = total - taxable
    sign = -1 if total < 0 else 1
    parts = [a - (round_half_up(sign * a * vat, sign * total) if total else 0) for a in gross]
    largest = max(range(len(gross)), key=lambda i: abs(gross[i]))
    parts[largest] += taxable - sum(parts)
    return parts


def unit_price(net: int, quantity: int, digits: int) -> Decimal:
    """The net price of one unit of a line of ``quantity`` units and ``net`` minor units, in
    major units, never negative (module docstring)."""
    units = abs(quantity) or 1
    extra = len(str(units)) + 1
    scaled = round_half_up(abs(net) * 10**extra, units)
    return Decimal(scaled).scaleb(-(digits + extra))


def line_quantity(net: int, quantity: int) -> int:
    """The quantity a line shows: its licences (one when it has none), negative for a negative
    line, so that quantity × price is the line's amount with a price that is never negative."""
    units = abs(quantity) or 1
    return -units if net < 0 else units
