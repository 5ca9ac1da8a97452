"""The ledger: what should be billed (the target) and what must be posted to get there.

The ledger is append-only. What *should* have been billed follows from the timeline
(:class:`~billing.domain.timeline.Schedule`): the target pieces of
:mod:`billing.domain.target`. What *was* billed is the list of posted entries
(:mod:`billing.domain.entries`). :func:`post_difference` (:mod:`billing.domain.difference`)
returns the new entries that make the second equal the first. Cancellation, undo, moves,
pauses, price and licence changes all go through this one difference.

This module is the public face of the three: import from here.
"""

from billing.domain.difference import difference, net_coverage, post_difference
from billing.domain.entries import (
    MAIN_ITEM,
    SETUP_ITEM,
    Entry,
    EntryKind,
    GroupKey,
    Piece,
    Scope,
    total,
)
from billing.domain.target import Target, target_pieces, target_total

__all__ = [
    "MAIN_ITEM",
    "SETUP_ITEM",
    "Entry",
    "EntryKind",
    "GroupKey",
    "Piece",
    "Scope",
    "Target",
    "difference",
    "net_coverage",
    "post_difference",
    "target_pieces",
    "target_total",
    "total",
]
