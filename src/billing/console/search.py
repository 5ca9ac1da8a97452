"""Finding customers the way staff ask for them: by a name typed without its diacritics
("Fjallbacka" finds "Fjällbacka", "Tromso" "Tromsø"), by organisation number with or without
its hyphen, by an invoice or credit note number ("INV-000042", "INV-42"), by a payment
reference (OCR, KID, FIK) or by id; a page at a time, with the count of all that match.

Names are folded in Python, not in SQL: SQLite has no accent folding and PostgreSQL's
``unaccent`` is an extension a server may lack, so one rule serves both databases. The scan
reads four narrow columns of every customer (no ORM objects); the page's rows are then read
by id. The other keys are exact lookups in SQL.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.console.repository import DOCUMENT_NUMBER
from billing.storage.models import Customer, Document

PER_PAGE = 50
#: Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "þ": "th"})


def fold(text: str) -> str:
    """``text`` for matching: case and diacritics gone ("Ängsbacka Fönster" → "angsbacka
    fonster", "Tromsø" → "tromso")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@dataclass(frozen=True, slots=True)
class Found:
    """One page of the customers found, the count of all of them, and what matched each."""

    customers: list[Customer]
    total: int
    page: int
    per_page: int
    matched: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def search(session: Session, query: str, *, page: int = 1, per_page: int = PER_PAGE) -> Found:
    """Customers matching ``query`` (all of them for an empty one), by name, on ``page``."""
    query = query.strip()
    page = max(1, page)
    if not query:
        total = session.scalar(select(func.count()).select_from(Customer)) or 0
        rows = session.scalars(
            select(Customer)
            .order_by(Customer.name, Customer.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        return Found(list(rows), total, page, per_page)
    matched = _matches(session, query)
    ordered = sorted(matched, key=lambda cid: (matched[cid][0], cid))
    chosen = ordered[(page - 1) * per_page : page * per_page]
    by_id = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(chosen)))}
    return Found(
        [by_id[cid] for cid in chosen],
        len(ordered),
        page,
        per_page,
        {cid: matched[cid][1] for cid in chosen},
    )


def _matches(session: Session, query: str) -> dict[str, tuple[str, str]]:
    """Customer id → (its folded name, what matched)."""
    out: dict[str, tuple[str, str]] = {}
    needle = fold(query)
    columns = select(Customer.id, Customer.name, Customer.external_ref, Customer.legal_name)
    for cid, name, external_ref, legal_name in session.execute(columns):
        if cid == query:
            out[cid] = (fold(name), "id")
        elif needle in fold(name) or needle in fold(legal_name or ""):
            out[cid] = (fold(name), "name")
        elif external_ref and needle in fold(external_ref):
            out[cid] = (fold(name), "external_ref")
    for cid, name, how in _exact(session, query):
        out.setdefault(cid, (fold(name), how))
    return out


def _exact(session: Session, query: str) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    digits = _digits(query)
    if len(digits) >= 6 and len(digits) >= len(query.replace(" ", "")) - 2:
        stored = func.replace(func.replace(Customer.organisation_number, "-", ""), " ", "")
        rows = session.execute(select(Customer.id, Customer.name).where(stored == digits))
        found += [(cid, name, "organisation_number") for cid, name in rows]
    reference = query.replace(" ", "")
    by_reference = (
        select(Customer.id, Customer.name, Document.payment_reference)
        .join(Document, Document.customer_id == Customer.id)
        .where(Document.payment_reference == reference)
    )
    found += [(cid, name, f"reference {ref}") for cid, name, ref in session.execute(by_reference)]
    number = DOCUMENT_NUMBER.fullmatch(query)
    if number:
        series, n = number.group(1).upper(), int(number.group(2))
        by_number = (
            select(Customer.id, Customer.name, Document.series, Document.number)
            .join(Document, Document.customer_id == Customer.id)
            .where(Document.series == series, Document.number == n)
        )
        found += [
            (cid, name, f"document {s}-{num:06d}")
            for cid, name, s, num in session.execute(by_number)
        ]
    return found
