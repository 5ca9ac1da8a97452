"""Subscriptions, timelines and ledgers as the API shows them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.domain import codec
from billing.domain.money import format_money
from billing.invoicing import repository as ledger_repo
from billing.invoicing.views import document_out
from billing.subscriptions.service import ChangeResult, Loaded, Viewed, current_period, viewed


def subscription_out(shown: Viewed | Loaded) -> dict[str, Any]:
    """The subscription as ``GET /v1/subscriptions/{id}`` shows it (a change's answer too)."""
    v = shown if isinstance(shown, Viewed) else viewed(shown)
    schedule, today = v.schedule, v.today
    ref = max(today, schedule.start)
    if schedule.end is not None and ref >= schedule.end > schedule.start:
        ref = schedule.end - timedelta(days=1)
    terms = schedule.shown_terms_on(ref)
    period = current_period(schedule, today)
    return {
        "id": v.id,
        "customer_id": v.customer_id,
        "plan_id": v.plan_id,
        "status": schedule.status_on(today).value,
        "quantity": terms.quantity,
        "unit_amount": terms.unit_amount,
        "currency": v.currency,
        "start_date": schedule.start,
        "end_date": schedule.end,
        "pending_end_date": schedule.pending_end,
        "current_period": {"start": period.start, "end": period.end} if period else None,
        "billing_anchor_day": schedule.anchor_day,
        "interval_months": schedule.interval_on(ref),
        "billing_timing": schedule.timing.value,
        "version": v.version,
        "created_at": v.created_at,
    }


def change_out(session: Session, result: ChangeResult, *, preview: bool) -> dict[str, Any]:
    out = subscription_out(result.loaded)
    by_doc: dict[str, list[Any]] = {}
    for row in result.posting.entries:
        by_doc.setdefault(str(row.document_id), []).append(row)
    out["preview"] = preview
    # A preview is rolled back: its event, entries and documents never get their ids.
    out["event_id"] = result.event.id if result.event and not preview else None
    out["entries"] = [entry_out(row, preview=preview) for row in result.posting.entries]
    documents = []
    today = result.loaded.today  # the documents are the loaded subscription's customer's
    customer = result.loaded.customer
    for doc in result.posting.documents:
        # The customer as loaded (the session's same row), not read again: the answer is
        # built while the change still holds the feed counter (benchmarks/RESULTS.md).
        shown = document_out(
            session,
            doc,
            by_doc.get(doc.id, []),
            customer=customer if doc.customer_id == customer.id else None,
            today=lambda _zone: today,
        )
        if preview:
            # Nothing is committed: the document would get its id and number (and with it its
            # payment reference) when posted.
            shown["id"] = None
            shown["number"] = None
            shown["payment_reference"] = None
            for line in shown["lines"]:
                line["entry_id"] = None
        documents.append(shown)
    out["documents"] = documents
    return out


def timeline_out(v: Viewed) -> dict[str, Any]:
    """The timeline as ``GET …/timeline`` shows it: events as recorded, the derived segments."""
    revoked_by = v.schedule.revoked_by
    events = [
        {
            "id": e.id,
            "seq": e.seq,
            "type": e.type.value,
            "effective_date": e.effective_date,
            "recorded_at": e.recorded_at,
            "recorded_by": e.recorded_by,
            "reason": e.reason,
            # The payload through the one codec: every field of its kind, also for events
            # stored before a field existed.
            "data": codec.encode(e.payload),
            "revoked_by": revoked_by.get(e.id),
        }
        for e in v.events
    ]
    segments = [
        {
            "start": s.start,
            "end": s.end,
            "state": s.state,
            "unit_amount": s.unit_amount,
            "quantity": s.quantity,
        }
        for s in v.schedule.segments()
    ]
    return {"subscription_id": v.id, "events": events, "segments": segments}


def entry_out(r: Any, *, preview: bool = False) -> dict[str, Any]:
    """One ledger row with the ledger's sign (credits negative). In a preview what only
    posting gives it (id, document, event, time) is null: the transaction is rolled back.
    ``r``: a :class:`~billing.storage.models.LedgerEntry` (a change's) or a Core row of its
    table (a read's): anything with its columns as attributes."""
    posted = not preview
    return {
        "id": str(r.id) if posted else None,
        "kind": r.kind,
        "item": r.item,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "service_start": r.service_start,
        "service_end": r.service_end,
        "quantity": r.quantity,
        "unit_amount": r.unit_amount,
        "amount": r.amount,
        "currency": r.currency,
        "document_type": r.document_type,
        "document_id": r.document_id if posted else None,
        "event_id": r.event_id if posted else None,
        "credits_entry_id": str(r.credits_entry_id) if r.credits_entry_id else None,
        "posted_at": r.posted_at if posted else None,
    }


def ledger_out(session: Session, v: Viewed) -> dict[str, Any]:
    """The ledger as ``GET …/ledger`` shows it: every posted entry (one Core query) and the
    balance in the customer's locale."""
    rows = ledger_repo.posted_entry_rows(session, v.id)
    balance = sum(r.amount for r in rows)
    return {
        "data": [entry_out(r) for r in rows],
        "balance": balance,
        "currency": v.currency,
        "balance_formatted": format_money(balance, v.currency, v.locale),
    }
