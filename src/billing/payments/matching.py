"""Which seller a payment was made to, and which invoice its reference names.

A reference is unique per seller (``documents.seller_id, payment_reference``). When the file
names the account paid (a bankgiro number, an account, an IBAN) or the reference is a FIK code
line naming the creditor, the seller whose bank details hold it is the one searched; when no
seller holds it (or the file names none), a reference is matched across sellers only if
exactly one invoice carries it. References are read as :func:`normalized_reference` reads
them (spaces dropped, a FIK +71 code line gives its payment id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from billing.domain.errors import InvalidInput
from billing.invoicing.service import normalized_reference
from billing.payments import repository
from billing.payments.records import Receiver
from billing.storage.models import Document, Seller

_FIK_CREDITOR = re.compile(r"\+71<?[0-9]{15}\+([0-9]{8})<?")


@dataclass(frozen=True, slots=True)
class Match:
    """The invoice a reference names, or why there is none (``reason``)."""

    invoice: Document | None
    reason: str | None


def seller_paid(
    session: Session, receiver: Receiver | None, references: tuple[str, ...]
) -> Seller | None:
    """The seller whose account the file says was paid, if one of ours holds it."""
    wanted: list[tuple[str, str]] = []
    if receiver is not None:
        wanted.append((receiver.kind, _plain(receiver.number)))
    for text in references:
        found = _FIK_CREDITOR.fullmatch("".join(text.split()))
        if found:
            wanted.append(("creditor", found.group(1)))
    if not wanted:
        return None
    for seller in repository.sellers(session):
        bank = {k: _plain(str(v)) for k, v in (seller.bank or {}).items()}
        if any(bank.get(kind) == number for kind, number in wanted):
            return seller
    return None


def _plain(number: str) -> str:
    """Account numbers compared without separators or leading zeros (a BgMax bankgiro
    field is zero-filled to 10 digits)."""
    compact = "".join(ch for ch in number if ch.isalnum()).upper()
    return compact.lstrip("0") if compact.isdigit() else compact


def invoice_for(session: Session, text: str, *, seller: Seller | None) -> Match:
    try:
        reference = normalized_reference(text)
    except InvalidInput:
        return Match(None, "invalid_reference")
    found = repository.invoices_with_reference(
        session, reference, seller_id=seller.id if seller is not None else None
    )
    if not found:
        return Match(None, "unknown_reference")
    if len(found) > 1:
        return Match(None, "ambiguous_reference")
    return Match(found[0], None)
