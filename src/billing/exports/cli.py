"""``billing export-sie --from D --to D [--seller ID] [--output FILE]``: the SIE file of a
seller's period, as ``GET /v1/exports/sie`` makes it, in one read transaction. A refusal
prints its code and writes nothing (the file is made whole before it is written)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from billing.clock import Clock
from billing.domain.errors import DomainError, InvalidInput
from billing.exports.service import export_sie
from billing.settings import get_settings
from billing.storage.db import make_engine, make_session_factory, unit_of_work


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"--{name} {text!r} is not a date (YYYY-MM-DD)", code="date") from exc


def export_sie_cli(seller: str | None, *, start: str, end: str, output: str) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    clock = Clock(test_clock_enabled=settings.test_clock)
    try:
        first, last = _day(start, "from"), _day(end, "to")
        with unit_of_work(factory) as session:
            export = export_sie(
                session,
                seller_id=seller,
                start=first,
                end=last,
                today=clock.today(session, "Europe/Stockholm"),
            )
    except DomainError as exc:
        print(f"refused ({exc.code}): {exc.detail}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if output == "-":
        sys.stdout.buffer.write(export.content)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(export.content)
        print(f"wrote {output}: {export.verifications} verifications", file=sys.stderr)
    return 0
