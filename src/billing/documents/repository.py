"""Queries the documents need beyond the ledger's own: the events that caused their entries."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.storage.models import TimelineEvent


def events_by_id(session: Session, event_ids: Collection[str]) -> dict[str, TimelineEvent]:
    if not event_ids:
        return {}
    rows = session.scalars(select(TimelineEvent).where(TimelineEvent.id.in_(list(event_ids))))
    return {row.id: row for row in rows}
