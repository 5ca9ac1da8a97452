"""Preview, then confirm: the console's one way of making a change that is not a
subscription's (those: :func:`billing.console.changes.preview_or_confirm`). The change's work
runs in a transaction that is rolled back, and the page shows what it would do; Confirm sends
the same form back with a token of that preview (:func:`~billing.console.changes.previewed_token`),
and only then is the work committed, as the signed-in person (:mod:`billing.console.trail`)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from billing.console.changes import Desk, previewed_token
from billing.console.problems import form_refusal, refusal
from billing.console.trail import confirming
from billing.console.web import go
from billing.domain.errors import DomainError

#: What a change's work leaves for the page (and, confirmed, the path to go to as ``go``).
Work = Callable[[Session], dict[str, Any]]


def preview_then_confirm(
    desk: Desk,
    *,
    subject: str,
    done: str,
    action: str,
    form: dict[str, str],
    previewed: str,
    work: Work,
    respond: Callable[..., Response],
    labels: dict[str, str],
    creates: bool = False,
) -> Response:
    """Run ``work`` and roll it back (preview) or commit it (confirm, only with the token of a
    preview of exactly this form, in the activity log: ``creates`` names the row it makes as
    the subject); confirmed, go to the path ``work`` returns as ``go``. A refusal, or a form
    that does not read (``labels`` name its fields), shows the page again through
    ``respond``, as does the preview."""
    token = previewed_token(desk, subject, done, form, None)
    kept = {"form": form, "form_of": done}
    if action == "confirm" and not (previewed.isascii() and hmac.compare_digest(token, previewed)):
        message = desk.lang.gettext("Preview the change first: Confirm comes with the preview.")
        return respond(status=409, error=message, **kept)
    try:
        if action == "confirm":
            with confirming(desk.request, desk.staff.actor, desk.write, creates=creates) as s:
                out = work(s)
            return go(desk.request, f"{out['go']}?done={done}")
        session = desk.write()
        try:
            preview = work(session)
        finally:
            session.rollback()
            session.close()
    except DomainError as exc:
        return respond(status=exc.status, error=refusal(desk.lang, exc), **kept)
    except ValidationError as exc:
        message = form_refusal(desk.lang, exc.errors(), labels)
        return respond(status=422, error=message, **kept)
    return respond(preview=preview, preview_of=done, previewed=token, **kept)
