"""What each console page shows, put together from the services (no queries of its own
beyond the console repository). Amounts and dates appear as the customer's documents show
them: Babel in the customer's locale.

What a customer owes is its account (:mod:`billing.receivables.account`, the figures of its
statement), not the sum of its ledger (everything ever billed and credited, paid or not): a
customer with an overdue invoice wears the ``overdue`` badge instead of its stored status, and
the pages show its balance, open and overdue amounts and the credit it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.console import repository
from billing.console.event_text import describe, kind_name
from billing.console.i18n import N_, Words
from billing.console.problems import refusal
from billing.console.timeline import Picture, build_picture
from billing.customers import repository as customers
from billing.documents.service import date_range
from billing.domain.errors import DomainError
from billing.domain.events import Event
from billing.domain.money import format_money
from billing.domain.overdue import AccountSummary, invoice_status
from billing.errors import NotFound
from billing.invoicing import repository as ledger_repo
from billing.invoicing.status import amount_due
from billing.invoicing.views import document_number
from billing.receivables.account import account_on
from billing.retention.service import cancellation_quote
from billing.storage.models import Customer, Document, LedgerEntry
from billing.subscriptions import service
from billing.subscriptions.service import ChangeResult, Loaded
from billing.subscriptions.views import subscription_out


@dataclass(frozen=True, slots=True)
class Formats:
    """Babel formats in one customer's locale and currency, and the console's words."""

    locale: str
    currency: str
    lang: Words

    def _(self, message: str, **values: Any) -> str:
        return self.lang.gettext(message, **values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        return self.lang.ngettext(singular, plural, n, **values)

    def money(self, amount: int) -> str:
        return format_money(amount, self.currency, self.locale)

    def day(self, d: date | None) -> str:
        return "" if d is None else str(format_date(d, "medium", locale=self.locale))

    def iso(self, value: str | None) -> str:
        """An ISO date string (as the cancellation brief gives them) in the locale's format."""
        return self.day(date.fromisoformat(value)) if value else ""

    def last_day(self, end: date | None) -> str:
        """The last day served of an exclusive end date (the day before it), as people read
        an end: "served to and including"."""
        return self.day(end - timedelta(days=1)) if end is not None else ""

    def last_iso(self, value: str | None) -> str:
        return self.last_day(date.fromisoformat(value)) if value else ""

    def iso_span(self, start: str, end: str) -> str:
        return self.span(date.fromisoformat(start), date.fromisoformat(end))

    def month(self, d: date) -> str:
        return str(format_date(d, "MMM yy", locale=self.locale))

    def span(self, start: date, end: date) -> str:
        return date_range(start, end, self.locale)


def formats_for(customer: Customer, lang: Words, currency: str | None = None) -> Formats:
    return Formats(customer.locale, currency or customer.currency, lang)


def account_view(customer: Customer, account: AccountSummary, lang: Words) -> dict[str, Any]:
    """A customer's account as the console shows it: the badge and the amounts, formatted."""
    fmt = formats_for(customer, lang, account.currency)
    return {
        "status": account.customer_status(customer.status),
        "balance": fmt.money(account.balance),
        "open": fmt.money(account.open_amount),
        "overdue": fmt.money(account.overdue_amount) if account.overdue_amount else None,
        "overdue_invoices": account.overdue_invoices,
        "credit": fmt.money(account.customer_credit) if account.customer_credit else None,
        "disputed": fmt.money(account.disputed_amount) if account.disputed_amount else None,
    }


def subscription_page(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    lang: Words,
    year: int | None = None,
) -> dict[str, Any]:
    loaded = service.load(session, actor, clock, subscription_id)
    fmt = formats_for(loaded.customer, lang, loaded.subscription.currency)
    events = loaded.events
    entries = ledger_repo.posted_entries(session, loaded.subscription.id)
    picture = build_picture(
        loaded.schedule,
        events=events,
        entries=entries,
        today=loaded.today,
        fmt=fmt,
        year=year,
    )
    brief: dict[str, Any] | None = None
    brief_error: str | None = None
    try:
        brief = cancellation_quote(session, actor, clock, subscription_id, requested_on=None)
    except DomainError as exc:
        brief_error = refusal(lang, exc)
    documents = repository.subscription_documents(session, loaded.subscription.id)
    numbers = {d.id: document_number(d) for d in documents}
    invoices = [d.id for d in documents if d.type == "invoice"]
    credited = ledger_repo.credited_totals(session, invoices) if invoices else {}
    account = account_on(
        session, loaded.customer.id, loaded.subscription.currency, today=loaded.today
    )
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
        "account": account_view(loaded.customer, account, lang),
        "documents": [
            document_row(d, numbers, fmt, status=invoice_state(d, credited, loaded.today))
            for d in documents
        ],
        "brief": brief,
        "brief_error": brief_error,
        "can_undo": (
            (loaded.schedule.end is not None or loaded.schedule.pending_end is not None)
            and not loaded.schedule.has_ended(loaded.today)
        ),
        "ended": loaded.schedule.has_ended(loaded.today),
        "last_day": fmt.last_day(loaded.schedule.end or loaded.schedule.pending_end),
        "offers_refused": _offers_refused(brief, lang),
        "operations": _operations(loaded, documents, credited),
    }


def _operations(
    loaded: Loaded, documents: Sequence[Document], credited: dict[str, int]
) -> dict[str, Any]:
    """What the operations card offers: verification while a cancellation waits for it, a
    resumption while a pause is open or to come, payments on the invoices still open."""
    schedule, today = loaded.schedule, loaded.today
    open_invoices = [
        {"id": d.id, "number": document_number(d)}
        for d in documents
        if d.type == "invoice"
        and d.status == "open"
        and d.total - credited.get(d.id, 0) - d.amount_paid - d.balance_applied > 0
    ]
    return {
        "verify": schedule.pending_end is not None,
        "resume": any(p.end is None or p.end > today for p in schedule.pauses),
        "open_invoices": open_invoices,
        "running": not schedule.has_ended(today),
    }


def _offers_refused(brief: dict[str, Any] | None, lang: Words) -> str:
    code = (brief or {}).get("retention_offers", {}).get("refused_because")
    if code == "overdue_balance":
        return lang.gettext("the customer has an overdue balance")
    if code == "already_ended":
        return lang.gettext("the subscription has already ended")
    return str(code or "")


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
                        "what": _item(r, fmt),
                        "period": fmt.span(r.service_start, r.service_end),
                        "amount": fmt.money(r.amount),
                    }
                    for r in rows
                ],
            }
        )
    schedule = result.loaded.schedule
    return {
        "last_day": fmt.last_day(schedule.end) if schedule.end else None,
        "pending_last_day": fmt.last_day(schedule.pending_end) if schedule.pending_end else None,
        "documents": docs,
        "net": fmt.money(sum(r.amount for r in result.posting.entries)),
    }


PRORATION_NAMES = {
    "by_day": N_("prorated by day"),
    "from_next_period": N_("new terms from the next period"),
    "none": N_("not prorated: billing follows from the next period"),
}


def alternatives(
    others: Sequence[dict[str, Any]], fmt: Formats, chosen: str | None
) -> list[dict[str, Any]]:
    """Each proration choice side by side: what it posts at once and what the period under
    way ends up billed (the service's ``proration_alternatives``)."""
    return [
        {
            "name": fmt._(PRORATION_NAMES.get(a["proration"], a["proration"])),
            "posts_now": fmt.money(a["posts_now"]),
            "period_billed": fmt.money(a["period_billed"]),
            "chosen": a["proration"] == chosen,
        }
        for a in others
    ]


def money_of(session: Session, subscription_id: str) -> tuple[str, str]:
    """The currency and the customer's locale a subscription's amounts are typed in."""
    sub = repository.subscription(session, subscription_id)
    customer = customers.get(session, sub.customer_id)
    return sub.currency, customer.locale


def invoice_of_subscription(
    session: Session, subscription_id: str, invoice_id: str
) -> tuple[Document, Customer]:
    """One of the subscription's invoices and its customer (404 for another's)."""
    sub = repository.subscription(session, subscription_id)
    invoice = ledger_repo.get_document(session, invoice_id, "invoice")
    if invoice.subscription_id != sub.id:
        raise NotFound("no such invoice on this subscription")
    return invoice, customers.get(session, sub.customer_id)


def invoice_due(session: Session, invoice: Document) -> int:
    return amount_due(session, invoice)


def _item(entry: LedgerEntry, fmt: Formats) -> str:
    if entry.item == "main":
        return fmt._("Subscription")
    if entry.item == "setup":
        return fmt._("Start-up fee")
    if entry.item.startswith("addon:"):
        return fmt._("Add-on %(code)s", code=entry.item.split(":", 1)[1])
    if entry.item.startswith("usage:"):
        return fmt._("Usage %(metric)s", metric=entry.item.split(":")[1])
    return fmt._("One-off")


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
            "type": kind_name(e, fmt),
            "effective": fmt.day(e.effective_date),
            "recorded_at": fmt.lang.moment(e.recorded_at) + " UTC",
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
            "what": _item(e, fmt),
            "service": fmt.span(e.service_start, e.service_end),
            "quantity": e.quantity,
            "unit": fmt.money(e.unit_amount),
            "amount": fmt.money(e.amount),
            "negative": e.amount < 0,
            "document": numbers.get(e.document_id or "", ""),
        }
        for e in entries
    ]


def invoice_state(doc: Document, credited: dict[str, int], today: date) -> str:
    """An invoice's status as the API answers it today; another document's as stored."""
    if doc.type != "invoice":
        return doc.status
    due = doc.total - credited.get(doc.id, 0) - doc.amount_paid - doc.balance_applied
    return invoice_status(doc.status, amount_due=max(0, due), due_date=doc.due_date, today=today)


def document_row(
    doc: Document, numbers: dict[str, str], fmt: Formats, *, status: str
) -> dict[str, Any]:
    return {
        "id": doc.id,
        "type": doc.type,
        "path": "invoice" if doc.type == "invoice" else "credit-note",
        "number": numbers[doc.id],
        "issue_date": fmt.day(doc.issue_date),
        "total": fmt.money(doc.total),
        "status": status,
        "credits": numbers.get(doc.invoice_id or "", ""),
    }
