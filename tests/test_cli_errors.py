"""A configuration the settings refuse, or a database that cannot be reached, is one line on
stderr and exit status 2: no traceback, and neither the admin token nor the database password
in it (a traceback prints the settings' values)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from billing.cli import main
from billing.settings import get_settings

PASSWORD = "s3cret-db-pass-4242"


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """The settings read afresh from this test's environment, and forgotten after it."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_refused_setting_is_one_line_without_its_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BILLING_DATABASE_URL", f"postgresql+psycopg://u:{PASSWORD}@127.0.0.1:1/x")
    monkeypatch.setenv("BILLING_ADMIN_TOKEN", "short-tok")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "BILLING_ADMIN_TOKEN" in err and "16 characters" in err
    assert "Traceback" not in err and "short-tok" not in err and PASSWORD not in err
    assert len(err.strip().splitlines()) == 1


def test_an_unreachable_database_is_one_line_without_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BILLING_DATABASE_URL", f"postgresql+psycopg://u:{PASSWORD}@127.0.0.1:1/x")
    monkeypatch.setenv("BILLING_ADMIN_TOKEN", "a-long-enough-admin-token")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "cannot be reached" in err
    assert "Traceback" not in err and PASSWORD not in err and "a-long-enough" not in err
