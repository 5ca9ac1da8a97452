"""``billing import-payments FILE``: import a bank file from the command line, as
``POST /v1/payment-files`` does, in one transaction; prints the result as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from billing.domain.errors import DomainError
from billing.payments.records import FileFormat
from billing.payments.service import import_file
from billing.settings import get_settings, session_info
from billing.storage.db import make_engine, make_session_factory, unit_of_work


def import_payments_cli(path: str, *, format: str | None = None) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    factory.configure(info=session_info(settings))
    try:
        content = Path(path).read_bytes()
        with unit_of_work(factory) as session:
            imported = import_file(session, content, FileFormat(format) if format else None)
    except DomainError as exc:
        print(f"refused ({exc.code}): {exc.detail}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    summary = {"imported": imported.new, **imported.result}
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0
