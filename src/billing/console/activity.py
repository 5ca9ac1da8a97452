"""The activity log in the console: who did what, for one customer (on its page, and a page of
its own) and for the whole system — the same append-only log ``GET /v1/audit-log`` reads
(billing.audit), written by the API's writes and by the console's confirmed changes.

Each entry reads as a sentence's parts in the staff member's language: when (Babel, in their
language; UTC, as stored), who (the person's name, or the API key's id for a service key),
what (the operation as an action, :data:`ACTIONS`; one the table does not name is shown as
it is stored), on what (the subject, linked when the console has a page for it) and through
what (the API or the console).

Paging is by the log's ``seq`` as on the API: ``after`` reads the entries after a cursor in
commit order, exactly the API's pages; ``before`` the ones just before it, so that the page
opened without a cursor shows the latest entries. A page lists its entries newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from billing.audit import service as audit
from billing.console import repository
from billing.console.i18n import N_, Words
from billing.storage.models import AuditEntry

PAGE = 50
#: Entries on a customer's page (the rest on its activity page).
LATEST = 5
API = "/v1"

#: What each operation did, by method and route with its mount (``/v1``, the console's
#: prefix) taken off; the console's routes that mirror the API's read the same.
ACTIONS: dict[str, str] = {
    "POST /customers": N_("Added the customer"),
    "PATCH /customers/{customer_id}": N_("Changed the customer's details"),
    "PUT /customers/{customer_id}/reminder-settings": N_("Changed the reminder settings"),
    "POST /plans": N_("Added a plan"),
    "POST /subscriptions": N_("Started a subscription"),
    "POST /subscriptions/{subscription_id}/cancel": N_("Scheduled or moved a cancellation"),
    "DELETE /subscriptions/{subscription_id}/cancel": N_("Undid a cancellation"),
    "POST /subscriptions/{subscription_id}/undo": N_("Undid a cancellation"),
    "POST /subscriptions/{subscription_id}/cancel/verify": N_("Verified a cancellation"),
    "POST /subscriptions/{subscription_id}/verify": N_("Verified a cancellation"),
    "POST /subscriptions/{subscription_id}/changes": N_("Changed licences or price"),
    "POST /subscriptions/{subscription_id}/change": N_("Changed licences or price"),
    "POST /subscriptions/{subscription_id}/pause": N_("Paused the subscription"),
    "POST /subscriptions/{subscription_id}/resume": N_("Resumed the subscription"),
    "POST /subscriptions/{subscription_id}/one-offs": N_("Added a one-off charge"),
    "POST /subscriptions/{subscription_id}/addons": N_("Added an add-on"),
    "POST /subscriptions/{subscription_id}/addon": N_("Added an add-on"),
    "POST /subscriptions/{subscription_id}/addons/{code}/detach": N_("Removed an add-on"),
    "POST /subscriptions/{subscription_id}/retention-offers": N_("Made a retention offer"),
    "POST /subscriptions/{subscription_id}/offer": N_("Made a retention offer"),
    "POST /subscriptions/{subscription_id}/payment": N_("Recorded a payment"),
    "POST /invoices/{invoice_id}/payments": N_("Recorded a payment"),
    "POST /invoices/{invoice_id}/dispute": N_("Disputed an invoice"),
    "DELETE /invoices/{invoice_id}/dispute": N_("Withdrew an invoice's dispute"),
    "POST /payment-files": N_("Imported a payment file"),
    "POST /payments/unmatched/{bank_payment_id}/allocate": N_("Put a payment to an invoice"),
    "POST /payments/{payment_id}/allocate": N_("Put a payment to an invoice"),
    "POST /bill-runs": N_("Ran billing"),
    "POST /scheduler/run": N_("Ran the scheduler"),
    "POST /tasks/{task_id}/complete": N_("Marked a task done"),
    "POST /subscriptions/{subscription_id}/onboarding/meeting": N_("Booked the start meeting"),
    "POST /subscriptions/{subscription_id}/onboarding/meeting-missed": N_(
        "Recorded a missed start meeting"
    ),
    "POST /subscriptions/{subscription_id}/onboarding/park": N_("Parked the onboarding"),
    "POST /subscriptions/{subscription_id}/onboarding/segment": N_("Recorded the segment"),
    "POST /orders": N_("Placed an order"),
    "POST /customers/{customer_id}/orders": N_("Placed an order"),
    "POST /orders/{order_id}/deliver": N_("Recorded a delivery"),
    "POST /orders/{order_id}/cancel": N_("Cancelled an order"),
    "POST /orders/{order_id}/deliveries": N_("Recorded a delivery"),
    "POST /orders/{order_id}/credits": N_("Credited an order"),
    "POST /usage-events": N_("Reported usage"),
    "POST /sessions": N_("Signed in"),
    "POST /login": N_("Signed in"),
    "POST /people": N_("Added a person"),
    "POST /people/{person_id}/disable": N_("Disabled a person"),
    "POST /people/{person_id}/tokens": N_("Issued a token to a person"),
    "POST /api-keys": N_("Created an API key"),
    "POST /api-keys/{key_id}/revoke": N_("Revoked an API key"),
    "POST /sellers": N_("Added a seller"),
    "PATCH /sellers/{seller_id}": N_("Changed a seller"),
    "PUT /sellers/{seller_id}/accounts": N_("Changed a seller's accounts"),
    "PUT /late-payment-rules/{country}": N_("Changed the late-payment rules"),
    "PUT /test-clock": N_("Set the test clock"),
    "POST /webhook-endpoints": N_("Added a webhook endpoint"),
    "POST /webhook-endpoints/{endpoint_id}/disable": N_("Disabled a webhook endpoint"),
    "POST /webhook-endpoints/{endpoint_id}/enable": N_("Enabled a webhook endpoint"),
    "POST /webhooks/dispatch": N_("Sent webhooks"),
}
#: The subjects the console has a page for, by their id's prefix.
PAGES = {"sub": "/subscriptions/", "cus": "/customers/"}


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: after an entry (commit order, as the API) or before one."""

    after: int | None = None
    before: int | None = None

    @classmethod
    def of(cls, after: str | None, before: str | None) -> Cursor:
        """The cursor of a page's query; anything but a number reads as none (the latest)."""
        if after and after.isascii() and after.isdigit() and len(after) < 19:
            return cls(after=int(after))
        if before and before.isascii() and before.isdigit() and len(before) < 19:
            return cls(before=int(before))
        return cls()


def action_of(operation: str, console_prefix: str) -> tuple[str | None, str]:
    """(what the operation did, as an untranslated message, if :data:`ACTIONS` names it;
    through what: the API or the console)."""
    method, _, path = operation.partition(" ")
    through = N_("API")
    for mount, name in ((API, N_("API")), (console_prefix, N_("console"))):
        if path.startswith(mount + "/"):
            path, through = path[len(mount) :], name
            break
    return ACTIONS.get(f"{method} {path}"), through


def entry_rows(
    session: Session, entries: list[AuditEntry], lang: Words, console_prefix: str
) -> list[dict[str, Any]]:
    """The entries as a page shows them, newest first."""
    people = repository.people_named(session, {e.actor for e in entries})
    customers = repository.customers_named(session, {e.customer_id for e in entries})
    rows = []
    for e in sorted(entries, key=lambda e: e.seq, reverse=True):
        action, through = action_of(e.operation, console_prefix)
        subject = e.subject_id or ""
        page = PAGES.get(subject.partition("_")[0])
        rows.append(
            {
                "seq": e.seq,
                "when": lang.moment(e.created_at),
                "who": people.get(e.actor),
                "actor": e.actor,
                "action": lang.gettext(action) if action else e.operation,
                "through": lang.gettext(through),
                "subject": subject,
                "subject_path": page + subject if page else None,
                "customer_id": e.customer_id,
                "customer": customers.get(e.customer_id or ""),
            }
        )
    return rows


def activity(
    session: Session,
    lang: Words,
    console_prefix: str,
    *,
    cursor: Cursor,
    customer_id: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """A page of the log (one customer's with ``customer_id``; ``limit`` entries, else
    :data:`PAGE`) and the cursors around it."""
    limit = limit or PAGE
    if cursor.after is not None:
        entries = audit.page(session, after=cursor.after, limit=limit, customer_id=customer_id)
    else:
        entries = repository.audit_before(session, cursor.before, limit, customer_id)
    first = min((e.seq for e in entries), default=None)
    last = max((e.seq for e in entries), default=None)
    earlier = first is not None and repository.audit_beyond(session, first, customer_id, -1)
    later = last is not None and repository.audit_beyond(session, last, customer_id, 1)
    return {
        "entries": entry_rows(session, entries, lang, console_prefix),
        "earlier": str(first) if earlier else None,
        "later": str(last) if later else None,
    }
