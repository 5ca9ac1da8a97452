"""What each console page shows, put together from the services (no queries of its own
beyond the console repository). Amounts and dates appear as the customer's documents show
them: Babel in the customer's locale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.console import repository
from billing.console.event_text import describe
from billing.console.timeline import Picture, build_picture
from billing.customers import repository as customers
from billing.documents.service import date_range
from billing.domain.errors import DomainError
from billing.domain.events import Event
from billing.domain.money import format_money
from billing.invoicing import repository as ledger_repo
from billing.invoicing.views import document_number
from billing.retention.service import cancellation_quote
from billing.storage.models import Customer, Document, LedgerEntry
from billing.subscriptions import service
from billing.subscriptions.service import ChangeResult, Loaded
from billing.subscriptions.views import subscription_out


@dataclass(frozen=True, slots=True)
class Formats:
    """Babel formats in one customer's locale and currency."""

    locale: str
    currency: str

    def money(self, amount: int) -> str:
        return format_money(amount, self.currency, self.locale)

    def day(self, d: date | None) -> str:
        return "" if d is None else str(format_date(d, "medium", locale=self.locale))

    def iso(self, value: str | None) -> str:
        """An ISO date string (as the cancellation brief gives them) in the locale's format."""
        return self.day(date.fromisoformat(value)) if value else ""

    def month(self, d: date) -> str:
        return str(format_date(d, "MMM yy", locale=self.locale))

    def span(self, start: date, end: date) -> str:
        return date_range(start, end, self.locale)


def formats_for(customer: Customer, currency: str | None = None) -> Formats:
    return Formats(customer.locale, currency or customer.currency)


def find_customers(session: Session, query: str) -> list[Customer]:
    return repository.find_customers(session, query)


def customer_page(session: Session, actor: Actor, clock: Clock, customer_id: str) -> dict[str, Any]:
    customer = customers.get(session, customer_id)
    fmt = formats_for(customer)
    subs = []
    for row in repository.customer_subscriptions(session, customer.id):
        loaded = service.load(session, actor, clock, row.id)
        out = subscription_out(loaded)
        out["plan_name"] = loaded.plan.name
        out["unit_formatted"] = fmt.money(out["unit_amount"])
        subs.append(out)
    return {"customer": customer, "subscriptions": subs, "fmt": fmt}


def subscription_page(
    session: Session, actor: Actor, clock: Clock, subscription_id: str
) -> dict[str, Any]:
    loaded = service.load(session, actor, clock, subscription_id)
    fmt = formats_for(loaded.customer, loaded.subscription.currency)
    events = loaded.events
    entries = ledger_repo.posted_entries(session, loaded.subscription.id)
    picture = build_picture(
        loaded.schedule,
        events=events,
        entries=entries,
        today=loaded.today,
        money=fmt.money,
        day_label=fmt.day,
        month_label=fmt.month,
    )
    brief: dict[str, Any] | None = None
    brief_error: str | None = None
    try:
        brief = cancellation_quote(session, actor, clock, subscription_id, requested_on=None)
    except DomainError as exc:
        brief_error = exc.detail
    documents = repository.subscription_documents(session, loaded.subscription.id)
    numbers = {d.id: document_number(d) for d in documents}
    return {
        "loaded": loaded,
        "sub": subscription_out(loaded),
        "customer": loaded.customer,
        "plan": loaded.plan,
        "fmt": fmt,
        "picture": picture,
        "periods": _periods(picture),
        "events": _events(loaded, events, fmt),
        "ledger": _ledger(entries, numbers, fmt),
        "balance": fmt.money(sum(e.amount for e in entries)),
        "documents": [_document(d, numbers, fmt) for d in documents],
        "brief": brief,
        "brief_error": brief_error,
        "can_undo": (
            (loaded.schedule.end is not None or loaded.schedule.pending_end is not None)
            and not loaded.schedule.has_ended(loaded.today)
        ),
        "ended": loaded.schedule.has_ended(loaded.today),
    }


def change_preview(session: Session, result: ChangeResult, fmt: Formats) -> dict[str, Any]:
    """What a change would post, per document (read before the transaction is rolled back)."""
    by_doc: dict[str, list[LedgerEntry]] = {}
    for row in result.posting.entries:
        by_doc.setdefault(str(row.document_id), []).append(row)
    docs = []
    for doc in result.posting.documents:
        rows = by_doc.get(doc.id, [])
        credited = (
            document_number(ledger_repo.get_document(session, doc.invoice_id, "invoice"))
            if doc.invoice_id
            else None
        )
        docs.append(
            {
                "type": doc.type,
                "credits": credited,
                "total": fmt.money(doc.total),
                "lines": [
                    {
                        "what": _item(r),
                        "period": fmt.span(r.service_start, r.service_end),
                        "amount": fmt.money(r.amount),
                    }
                    for r in rows
                ],
            }
        )
    schedule = result.loaded.schedule
    return {
        "end_date": fmt.day(schedule.end) if schedule.end else None,
        "pending_end": fmt.day(schedule.pending_end) if schedule.pending_end else None,
        "documents": docs,
        "net": fmt.money(sum(r.amount for r in result.posting.entries)),
    }


def _item(entry: LedgerEntry) -> str:
    if entry.item == "main":
        return "Subscription"
    if entry.item == "setup":
        return "Start-up fee"
    if entry.item.startswith("addon:"):
        return f"Add-on {entry.item.split(':', 1)[1]}"
    if entry.item.startswith("usage:"):
        return f"Usage {entry.item.split(':')[1]}"
    return "One-off"


def _periods(picture: Picture) -> list[dict[str, Any]]:
    return [
        {
            "title": b.title,
            "billed": b.billed_label or "—",
            "credited": b.credited_label or "—",
            "state": b.state,
        }
        for b in picture.boxes
    ]


def _events(loaded: Loaded, events: Sequence[Event], fmt: Formats) -> list[dict[str, Any]]:
    revoked_by = loaded.schedule.revoked_by
    return [
        {
            "seq": e.seq,
            "type": e.type.replace("_", " "),
            "effective": fmt.day(e.effective_date),
            "recorded_at": e.recorded_at.strftime("%Y-%m-%d %H:%M UTC"),
            "recorded_by": e.recorded_by,
            "reason": e.reason or "",
            "details": describe(e, fmt),
            "revoked": e.id in revoked_by,
        }
        for e in events
    ]


def _ledger(
    entries: Sequence[LedgerEntry], numbers: dict[str, str], fmt: Formats
) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "what": _item(e),
            "service": fmt.span(e.service_start, e.service_end),
            "quantity": e.quantity,
            "unit": fmt.money(e.unit_amount),
            "amount": fmt.money(e.amount),
            "negative": e.amount < 0,
            "document": numbers.get(e.document_id or "", ""),
        }
        for e in entries
    ]


def _document(doc: Document, numbers: dict[str, str], fmt: Formats) -> dict[str, Any]:
    return {
        "id": doc.id,
        "type": doc.type,
        "path": "invoice" if doc.type == "invoice" else "credit-note",
        "number": numbers[doc.id],
        "issue_date": fmt.day(doc.issue_date),
        "total": fmt.money(doc.total),
        "status": doc.status,
        "credits": numbers.get(doc.invoice_id or "", ""),
    }
