"""One-off orders (domain.md, "One-off deliveries to non-customers"): pure rules, no I/O.

An order binds only when delivered. Each line's quantity is, at any time, split into what was
delivered (and so invoiced), what was cancelled (costs nothing) and what is still outstanding.
The order's status follows from its lines:

* ``pending``: nothing delivered, something outstanding;
* ``partially_delivered``: something delivered, something still outstanding;
* ``delivered``: nothing outstanding and something delivered (the rest, if any, cancelled);
* ``cancelled``: nothing delivered and nothing outstanding.

What was delivered can be given back (credited) later, line by line: never more of a line than
was delivered and not yet credited, taken from its deliveries oldest first, so each credit names
the delivered ledger entry (and so the invoice) it gives back. Crediting leaves the status as
it is: what was delivered stays delivered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from billing.domain.bounds import check_document_total, check_period_amount
from billing.domain.errors import DomainError, InvalidInput


class OrderStatus(StrEnum):
    PENDING = "pending"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class LineState:
    id: str
    unit_amount: int
    quantity: int
    delivered: int = 0
    cancelled: int = 0

    @property
    def outstanding(self) -> int:
        return self.quantity - self.delivered - self.cancelled


class OrderRefused(DomainError, code="order_refused", status=409): ...


def status_of(lines: Sequence[LineState]) -> OrderStatus:
    delivered = any(line.delivered for line in lines)
    outstanding = any(line.outstanding for line in lines)
    if outstanding:
        return OrderStatus.PARTIALLY_DELIVERED if delivered else OrderStatus.PENDING
    return OrderStatus.DELIVERED if delivered else OrderStatus.CANCELLED


def order_total(lines: Sequence[tuple[int, int]]) -> int:
    """The total of ``(unit_amount, quantity)`` lines, within the contract's bounds: each
    line a period's amount, the whole one document's total (``amount_too_large``)."""
    for n, (unit, qty) in enumerate(lines, start=1):
        check_period_amount(unit * qty, what=f"order line {n}")
    return check_document_total(sum(unit * qty for unit, qty in lines), what="the order")


def _refuse_closed(status: OrderStatus) -> None:
    if status is OrderStatus.CANCELLED:
        raise OrderRefused("the order is cancelled", code="order_cancelled")
    if status is OrderStatus.DELIVERED:
        raise OrderRefused("the order is delivered: nothing is outstanding", code="order_delivered")


def check_delivery(lines: Sequence[LineState], delivered: Mapping[str, int]) -> int:
    """A delivery of ``delivered`` (line id → quantity) fits the order; returns its amount."""
    _refuse_closed(status_of(lines))
    by_id = {line.id: line for line in lines}
    unknown = sorted(set(delivered) - set(by_id))
    if unknown:
        raise InvalidInput(
            f"not lines of this order: {', '.join(unknown)}", code="unknown_order_line"
        )
    for line_id, qty in delivered.items():
        line = by_id[line_id]
        if qty > line.outstanding:
            raise OrderRefused(
                f"line {line_id}: delivering {qty}, but only {line.outstanding} outstanding",
                code="delivery_exceeds_order",
            )
    return sum(by_id[line_id].unit_amount * qty for line_id, qty in delivered.items())


def cancellable(lines: Sequence[LineState]) -> dict[str, int]:
    """What cancelling releases: each line's outstanding quantity (line id → quantity)."""
    _refuse_closed(status_of(lines))
    return {line.id: line.outstanding for line in lines if line.outstanding}


@dataclass(frozen=True, slots=True)
class Creditable:
    """A delivered ledger entry of an order line, and how much of it is not yet credited."""

    entry_id: str
    line_id: str
    quantity: int


def allocate_credit(
    lines: Sequence[LineState], delivered: Sequence[Creditable], asked: Mapping[str, int]
) -> list[tuple[Creditable, int]]:
    """Which delivered entries a credit of ``asked`` (line id → quantity) gives back and how
    much of each: line by line in the order's line order, each oldest first (``delivered`` in
    posting order)."""
    unknown = sorted(set(asked) - {line.id for line in lines})
    if unknown:
        raise InvalidInput(
            f"not lines of this order: {', '.join(unknown)}", code="unknown_order_line"
        )
    out: list[tuple[Creditable, int]] = []
    for line_id, qty in ((line.id, asked[line.id]) for line in lines if line.id in asked):
        of_line = [c for c in delivered if c.line_id == line_id and c.quantity > 0]
        available = sum(c.quantity for c in of_line)
        if qty > available:
            raise OrderRefused(
                f"line {line_id}: crediting {qty}, but only {available} delivered and not yet "
                "credited",
                code="credit_exceeds_delivered",
            )
        for c in of_line:
            take = min(c.quantity, qty)
            out.append((c, take))
            qty -= take
            if qty == 0:
                break
    return out
