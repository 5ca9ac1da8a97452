"""``billing export-sie``: the same file as the API, written whole or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from billing import cli
from billing.exports import cli as export_cli
from billing.settings import Settings
from tests.conftest import Api, Database
from tests.exports.sie_reader import read
from tests.exports.test_sie_api import APRIL, april, export


def _settings(monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    settings = Settings(database_url=database.url, test_clock=True)
    monkeypatch.setattr(export_cli, "get_settings", lambda: settings)


def test_the_command_writes_the_api_s_file(
    api: Api, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = april(api)
    sid = world["seller"]["id"]
    _settings(monkeypatch, database)
    out = tmp_path / "april.se"
    args = ["export-sie", "--seller", sid, "--from", APRIL["from"], "--to", APRIL["to"]]
    assert cli.main([*args, "--output", str(out)]) == 0
    assert out.read_bytes() == export(api, sid).content
    assert all(v.balance == 0 for v in read(out.read_bytes()).vers)


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (["--from", "2025-05-01", "--to", "2025-04-30"], "export_range_reversed"),
        (["--from", "2025-01-01", "--to", "2026-02-01"], "export_range_too_long"),
        (
            ["--seller", "sel_nope", "--from", "2025-04-01", "--to", "2025-04-30"],
            "seller_not_found",
        ),
        (["--from", "2025-04-31", "--to", "2025-05-01"], "date"),
    ],
)
def test_a_refusal_prints_its_code_and_writes_nothing(
    api: Api,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    extra: list[str],
    code: str,
) -> None:
    _settings(monkeypatch, database)
    out = tmp_path / "nothing.se"
    assert cli.main(["export-sie", *extra, "--output", str(out)]) == 1
    assert f"refused ({code})" in capsys.readouterr().err
    assert not out.exists()
