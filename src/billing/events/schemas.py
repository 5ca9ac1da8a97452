"""A page of a feed read by cursor: ``GET /v1/events``, ``/v1/credit-notes`` and ``/v1/invoices``.

A feed is read in order (event ``seq``, document number), and both orders are the commit order,
so a cursor never skips an item that commits later nor repeats one. Reading it is one loop:

1. pull with ``after=<resume_cursor of your previous pull>`` (leave ``after`` out the first time);
2. keep the page's ``resume_cursor`` and process its ``data``;
3. while ``next_cursor`` is set the page came back full: pull again at once from it;
4. when ``next_cursor`` is null you have caught up: wait, then pull again from ``resume_cursor``.

``resume_cursor`` is the last item the page gave you, or the ``after`` you sent when it gave you
nothing, so every item arrives exactly once however often you poll. (Resuming from the last
*non-null* ``next_cursor`` instead repeats every item after it on each poll.)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FeedPage(BaseModel):
    """One page of a feed, oldest first, and the cursors to go on reading from."""

    data: list[dict[str, Any]] = Field(description="The page's items, in feed order.")
    next_cursor: str | None = Field(
        description=(
            "Set only when the page came back full (as many items as limit): pass it as after "
            "to get the next page now. Null once you have caught up; poll on from resume_cursor."
        )
    )
    resume_cursor: str | None = Field(
        description=(
            "Where to read on from, on every page: the cursor of the page's last item, or the "
            "after you sent when the page is empty (null only when the feed had nothing and "
            "you sent no after). Store it and pass it as after on your next pull, caught up or "
            "not: every item then arrives exactly once."
        )
    )
