"""The README's "Using it" calls run as they are printed, and the invoice they make is the one
the README shows (so the README cannot claim what the service does not do).

The calls are read from the README's first ``sh`` block under "Using it": each ``curl`` line
(with its continuations) gives a method, a path and a ``-d`` body; ``cus_…``, ``plan_…`` and
``sub_…`` stand for the ids the earlier calls answered. The ``json`` block after it is an
excerpt of the invoice the bill run issued.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from tests.api.helpers import ok
from tests.conftest import Api

README = Path(__file__).resolve().parents[1] / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Using it") :].split("\n## ", 1)[0]


def calls() -> list[tuple[str, str, Any]]:
    block = re.search(r"```sh\n(.*?)```", _section(), re.S)
    assert block, "README: no sh block under Using it"
    joined = block.group(1).replace("\\\n", " ")
    out: list[tuple[str, str, Any]] = []
    # One command per line starting with curl; a body in single quotes may span lines.
    for command in re.split(r"\n(?=curl )", joined):
        words = shlex.split(command)
        if not words or words[0] != "curl":
            continue
        method = words[words.index("-X") + 1] if "-X" in words else "GET"
        url = next(w for w in words if w.startswith("localhost:8000"))
        body = json.loads(words[words.index("-d") + 1]) if "-d" in words else None
        out.append((method, url.removeprefix("localhost:8000"), body))
    return out


def shown_invoice() -> dict[str, Any]:
    block = re.search(r"```json\n(.*?)```", _section(), re.S)
    assert block, "README: no json block under Using it"
    return json.loads(block.group(1))  # type: ignore[no-any-return]


def subset(shown: Any, actual: Any) -> bool:
    if isinstance(shown, dict):
        return isinstance(actual, dict) and all(
            k in actual and subset(v, actual[k]) for k, v in shown.items()
        )
    if isinstance(shown, list):
        return isinstance(actual, list) and len(shown) == len(actual) and all(
            subset(a, b) for a, b in zip(shown, actual, strict=True)
        )
    return bool(shown == actual)


def test_the_readme_calls_make_the_invoice_it_shows(bare_api: Api) -> None:
    api = bare_api
    api.today("2025-04-02")
    ids: dict[str, str] = {}
    answers: list[Any] = []
    for method, path, body in calls():
        text = json.dumps(body, ensure_ascii=False) if body is not None else ""
        for placeholder, value in ids.items():
            path, text = path.replace(placeholder, value), text.replace(placeholder, value)
        r = api.client.request(
            method,
            path,
            content=text or None,
            headers=api.headers({"Content-Type": "application/json"} if text else None),
        )
        assert r.status_code in (200, 201), (method, path, r.text)
        answer = r.json()
        answers.append(answer)
        if isinstance(answer, dict) and isinstance(answer.get("id"), str):
            prefix = answer["id"].split("_", 1)[0]
            ids.setdefault(f"{prefix}_…", answer["id"])
    invoices = [a for a in answers if isinstance(a, dict) and "data" in a]
    assert invoices, "the README lists the customer's invoices"
    [invoice] = invoices[0]["data"]
    assert subset(shown_invoice(), invoice), (shown_invoice(), invoice)
    # And the seller it shows is valid as typed: it was made, and is the default.
    [seller] = ok(api.get("/v1/sellers"))["data"]
    assert seller["is_default"] and seller["vat_number"] == "SE556036079301"
