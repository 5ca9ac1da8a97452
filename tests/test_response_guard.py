"""tests/response_guard.py, the check every API test runs under, catches a dropped key."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tests.response_guard import KeyDropped, dropped, install


def test_dropped_finds_the_keys_a_model_left_out() -> None:
    answered = {"a": 1, "b": {"c": 2, "d": 3}, "e": [{"f": 1, "g": 2}]}
    sent = {"a": 1, "b": {"c": 2}, "e": [{"f": 1}], "h": None}
    assert list(dropped(answered, sent)) == ["$.b.d", "$.e[0].g"]
    assert list(dropped(answered, answered)) == []


class Thin(BaseModel):
    a: int


def test_a_route_whose_model_drops_a_key_fails() -> None:
    install()
    app = FastAPI()

    @app.get("/full", response_model=Thin)
    def full() -> Any:
        return {"a": 1}

    @app.get("/more", response_model=Thin)
    def more() -> Any:
        return {"a": 1, "b": 2}

    client = TestClient(app)
    assert client.get("/full").json() == {"a": 1}
    with pytest.raises(KeyDropped, match=r"\$\.b"):
        client.get("/more")
