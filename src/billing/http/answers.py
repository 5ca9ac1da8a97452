"""How mutating subscription calls answer: the subscription after the change, with its money."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from sqlalchemy.orm import Session

from billing.subscriptions.service import ChangeResult
from billing.subscriptions.views import change_out


def answer(response: Response, session: Session, result: ChangeResult, *, preview: bool) -> Any:
    """A preview shows the subscription as the change would leave it (version included) but
    commits nothing, so it sends no ETag; a real change sends its new version as ETag."""
    out = change_out(session, result, preview=preview)
    if not preview:
        response.headers["ETag"] = f'"{result.loaded.subscription.version}"'
    return out
