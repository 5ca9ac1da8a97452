"""``billing scheduler``: one idempotent pass, or passes every ``--interval`` seconds."""

from __future__ import annotations

import json
import time

from billing.clock import Clock
from billing.settings import get_settings
from billing.storage.db import make_engine, make_session_factory
from billing.storage.migrate import upgrade
from billing.terminations.service import run_scheduler


def run_scheduler_cli(*, once: bool, interval: int) -> int:
    settings = get_settings()
    upgrade(settings.database_url)
    factory = make_session_factory(make_engine(settings.database_url))
    clock = Clock(test_clock_enabled=settings.test_clock)
    while True:
        result = run_scheduler(factory, clock)
        print(json.dumps(result), flush=True)
        if once:
            return 0
        time.sleep(max(1, interval))
