"""Changing subscriptions: the commands the API, the console and the CLI call.

Every change is a new timeline event (never an edit), recorded through the one path in
:mod:`billing.subscriptions.recording`, which checks it against the timeline, bumps the
version once per request and posts the ledger's difference for periods already billed at once
(domain.md: "a cancellation inside an invoiced period issues its credit note then and
there"). Periods not billed yet wait for bill runs. Services never commit: the caller's unit of
work does (or rolls back, for a preview). The commands live by concern:

* :mod:`~billing.subscriptions.creation`: ``create``;
* :mod:`~billing.subscriptions.changes`: price, licences, plan, interval, with proration;
* :mod:`~billing.subscriptions.cancellation`: cancel, move, undo;
* :mod:`~billing.subscriptions.pauses`: pause, resume;
* :mod:`~billing.subscriptions.addons`: attach, detach;
* :mod:`~billing.subscriptions.one_offs`: a one-off delivered;
* :mod:`~billing.subscriptions.state`: what every command starts from.
"""

from __future__ import annotations

from billing.subscriptions.addons import attach_addon, detach_addon
from billing.subscriptions.cancellation import cancel, resolve_end_date, undo_cancel
from billing.subscriptions.changes import change, plan_change, proration_alternatives
from billing.subscriptions.creation import create
from billing.subscriptions.one_offs import deliver_one_off
from billing.subscriptions.pauses import pause, resume
from billing.subscriptions.recording import Change, ChangeResult, record
from billing.subscriptions.state import (
    Loaded,
    Viewed,
    contract_terms,
    current_period,
    load,
    load_for_change,
    next_period_start,
    view,
    viewed,
)

__all__ = [
    "Change",
    "ChangeResult",
    "Loaded",
    "Viewed",
    "attach_addon",
    "cancel",
    "change",
    "contract_terms",
    "create",
    "deliver_one_off",
    "current_period",
    "detach_addon",
    "load",
    "load_for_change",
    "next_period_start",
    "pause",
    "plan_change",
    "proration_alternatives",
    "record",
    "resolve_end_date",
    "resume",
    "undo_cancel",
    "view",
    "viewed",
]
