"""Requests idempotent on a reference: an order's deliveries and credits.

The caller names each delivery or credit with a reference unique per order, and what it asks is
kept in a canonical form (its lines by id, each line once: :func:`canonical_lines`), so that a
retry is recognised whatever the order of its lines. The same reference with the same content
answers what was recorded the first time and posts nothing again; the same reference with other
content is refused (``delivery_reference_conflict``, ``credit_reference_conflict``). Both
records keep the same columns for it (:func:`keyed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from billing.auth.service import Actor
from billing.clock import utcnow
from billing.domain.errors import InvalidInput
from billing.errors import Conflict
from billing.orders.schemas import DeliveredLine
from billing.storage.models import Order


class Recorded(Protocol):
    """A delivery or credit as recorded: the canonical request it answered."""

    @property
    def request(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=Recorded)


def canonical_lines(lines: Iterable[DeliveredLine]) -> list[list[Any]]:
    """``[[line_id, quantity], ...]`` by line id; a line given twice is refused."""
    quantities: dict[str, int] = {}
    for line in lines:
        if line.line_id in quantities:
            raise InvalidInput(f"line {line.line_id} is given twice", code="duplicate_line")
        quantities[line.line_id] = line.quantity
    return [[line_id, quantities[line_id]] for line_id in sorted(quantities)]


def replay_of(earlier: R | None, request: dict[str, Any], *, what: str, reference: str) -> R | None:
    """The ``what`` (``delivery``, ``credit``) recorded earlier under ``reference`` if it asked
    the same as ``request`` (a retry), None if the reference is new; refused if it asked
    something else (``<what>_reference_conflict``)."""
    if earlier is None:
        return None
    if earlier.request != request:
        raise Conflict(
            f"{what} {reference!r} was recorded with other content",
            code=f"{what}_reference_conflict",
        )
    return earlier


def keyed(order: Order, reference: str, request: dict[str, Any], *, by: Actor) -> dict[str, Any]:
    """The columns of a delivery or credit record that make it a keyed request: its order, its
    reference, the canonical request a retry is compared with, and who recorded it when."""
    return {
        "order_id": order.id,
        "reference": reference,
        "request": request,
        "recorded_at": utcnow(),
        "recorded_by": by.name,
    }
