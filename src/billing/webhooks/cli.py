"""``billing webhooks``: deliver the event feed to webhook endpoints, once or continuously."""

from __future__ import annotations

import json
import time

from billing.settings import get_settings, session_info
from billing.storage.db import make_engine, make_session_factory
from billing.storage.migrate import upgrade
from billing.webhooks.service import dispatch


def run_webhooks_cli(*, once: bool, interval: float) -> int:
    settings = get_settings()
    upgrade(settings.database_url)
    factory = make_session_factory(make_engine(settings.database_url))
    # The sessions carry the webhook target policy (billing.webhooks.targets) of the settings.
    factory.configure(info=session_info(settings))
    while True:
        result = dispatch(factory)
        if once or result["sent"]:
            print(json.dumps({"sent": result["sent"]}), flush=True)
        if once:
            return 0
        time.sleep(max(0.2, interval))
