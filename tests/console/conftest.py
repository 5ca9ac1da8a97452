"""The browser tests' fixtures: Debian's headless Chromium through chromedriver (Selenium),
and the app under uvicorn on 127.0.0.1 on a fresh SQLite file. Both skip with the reason when
chromium, chromedriver or selenium are missing, except in CI (``CI=true``), where that fails."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ADMIN_TOKEN

CHROMIUM = os.environ.get("BILLING_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("BILLING_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT = 15  # seconds, for any one thing to appear


def _missing() -> str | None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        return f"{' and '.join(missing)} not found (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the browser tests to run: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1400",
        "--lang=en-US",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(arg)
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    browser = webdriver.Chrome(service=service, options=options)
    browser.set_page_load_timeout(WAIT)
    browser.set_script_timeout(WAIT)
    try:
        yield browser
    finally:
        browser.quit()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1 in a thread, on a fresh SQLite file."""
    import uvicorn

    from billing.http.app import create_app
    from billing.settings import Settings

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'billing.sqlite3'}",
        admin_token=ADMIN_TOKEN,
        test_clock=True,
    )
    app = create_app(settings)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", workers=1)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name="uvicorn-console", daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=WAIT)
        app.state.engine.dispose()
