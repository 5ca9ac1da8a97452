"""``billing bill-run --as-of DATE`` from the command line."""

from __future__ import annotations

import sys
from datetime import date

from billing.auth.service import Actor, Role
from billing.bill_runs.service import run_bill_run
from billing.settings import get_settings
from billing.storage.db import make_engine, make_session_factory
from billing.storage.migrate import upgrade


def run_from_cli(as_of_text: str) -> int:
    try:
        as_of = date.fromisoformat(as_of_text)
    except ValueError:
        print(f"--as-of must be YYYY-MM-DD, not {as_of_text!r}", file=sys.stderr)
        return 2
    settings = get_settings()
    upgrade(settings.database_url)
    factory = make_session_factory(make_engine(settings.database_url))
    result = run_bill_run(factory, Actor("cli", Role.STAFF), as_of=as_of)
    print(
        f"bill run {result.id} as of {as_of}: {result.subscriptions} subscriptions, "
        f"{len(result.invoices)} invoices, {len(result.credit_notes)} credit notes"
    )
    return 0
