"""Every request in api/examples/ runs against the app, so the published examples can't rot.

Each example is a JSON file: ``description``, ``method``, ``path``, ``headers``, ``body``,
``status`` (the expected status code), ``response_excerpt`` and optionally ``given`` (examples
that run first, each only checked for its status code) and ``content_type`` (the start of the
answer's media type, for an answer that is not JSON). They all start from one world, built here:
the test clock at 2025-04-10, customer Acme AB (a business with organisation number 556677-8899,
SEK, sv_SE), plan team-monthly (249.95 kr a licence a month, billed in advance) and a
subscription of 5 licences from 2025-04-02; the seller is the test seller (Testbolaget AB, not
registered for VAT).

Placeholders ``{name}`` in the path, headers and excerpt stand for: ``token`` (staff),
``customer_id``, ``plan_id``, ``subscription_id``, ``version`` (the subscription's current one),
``invoice_id`` (its first invoice) and ``cursor`` (``resume_cursor`` of the first one-item page
of the credit-note feed, as a reader stores it). In the excerpt, ``"..."`` stands for any value;
objects match when every key shown is there with a matching value; lists match item by item and
must be as long. An answer that is not JSON (UBL XML, a SIE file) has a text excerpt: its lines,
stripped, are found among the answer's lines in that order (``...`` lines stand for any lines).

api/examples/README.md shows each example as the curl command :func:`curl` renders.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api

EXAMPLES = Path(__file__).resolve().parents[1] / "api" / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))
FIELDS = {"description", "method", "path", "headers", "body", "status", "response_excerpt"}
OPTIONAL = {"given", "content_type"}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
ANY = "..."


def load(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


class World:
    """The customer, plan and subscription the examples act on; placeholders resolved lazily."""

    def __init__(self, api: Api) -> None:
        self.api = api
        api.today("2025-04-10")
        customer = api.customer(
            name="Acme AB",
            kind="business",
            organisation_number="5566778899",
            currency="SEK",
            locale="sv_SE",
            timezone="Europe/Stockholm",
        )
        plan = api.plan(code="team-monthly", name="Team", unit_amount=24995, interval="month")
        sub = api.subscription(customer, plan, quantity=5, start_date="2025-04-02")
        self.fixed = {
            "token": api.token,
            "customer_id": customer["id"],
            "plan_id": plan["id"],
            "subscription_id": sub["id"],
        }

    def value(self, name: str) -> str:
        if name in self.fixed:
            return str(self.fixed[name])
        sub_id = self.fixed["subscription_id"]
        if name == "version":
            r = self.api.get(f"/v1/subscriptions/{sub_id}")
            assert r.status_code == 200, r.text
            return str(r.json()["version"])
        if name == "invoice_id":
            r = self.api.get(f"/v1/invoices?subscription_id={sub_id}")
            assert r.status_code == 200 and r.json()["data"], f"no invoice yet: {r.text}"
            return str(r.json()["data"][0]["id"])
        if name == "cursor":
            r = self.api.get("/v1/credit-notes?limit=1")
            assert r.status_code == 200 and r.json()["resume_cursor"], f"no cursor: {r.text}"
            return str(r.json()["resume_cursor"])
        raise AssertionError(f"unknown placeholder {{{name}}}")

    def fill(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda m: self.value(m.group(1)), text)

    def fill_all(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.fill(value)
        if isinstance(value, list):
            return [self.fill_all(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill_all(v) for k, v in value.items()}
        return value

    def run(self, example: dict[str, Any]) -> Any:
        headers = {k: self.fill(v) for k, v in example["headers"].items()}
        return self.api.client.request(
            example["method"],
            self.fill(example["path"]),
            headers=headers,
            json=example["body"],
        )


def mismatches(expected: Any, actual: Any, where: str = "$") -> list[str]:
    if expected == ANY:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        found: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{where}.{key}: missing")
            else:
                found += mismatches(value, actual[key], f"{where}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} items, got {actual!r}"]
        pairs = enumerate(zip(expected, actual, strict=True))
        return [m for i, (e, a) in pairs for m in mismatches(e, a, f"{where}[{i}]")]
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


def text_mismatches(expected: str, actual: str) -> list[str]:
    """The excerpt's lines (stripped; ``...`` skipped) that are not among ``actual``'s lines in
    the excerpt's order."""
    lines = iter(line.strip() for line in actual.splitlines())
    wanted = [line.strip() for line in expected.splitlines() if line.strip() not in ("", ANY)]
    return [f"line not found (in order): {w!r}" for w in wanted if w not in lines]


def curl(example: dict[str, Any]) -> str:
    """The example as a shell command; placeholders become shell variables ($SUBSCRIPTION_ID)."""

    def shell(text: str) -> str:
        text = text.replace("{token}", "{billing_token}")
        return PLACEHOLDER.sub(lambda m: "$" + m.group(1).upper(), text)

    parts = [f'curl -sS -X {example["method"]} "$BILLING_URL{shell(example["path"])}"']
    for key, value in example["headers"].items():
        parts.append(f'-H "{key}: {shell(value)}"')
    if example["body"] is not None:
        parts.append('-H "Content-Type: application/json"')
        parts.append(f"-d '{json.dumps(example['body'], ensure_ascii=False)}'")
    return " \\\n  ".join(parts)


def test_there_are_examples() -> None:
    assert len(NAMES) >= 8, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_example_is_well_formed_and_in_the_readme(name: str) -> None:
    example = load(name)
    assert FIELDS <= set(example), f"{name}: missing {sorted(FIELDS - set(example))}"
    unknown = sorted(set(example) - FIELDS - OPTIONAL)
    assert not unknown, f"{name}: unknown {unknown}"
    assert isinstance(example["response_excerpt"], str) == ("content_type" in example), (
        f"{name}: a text excerpt goes with a content_type, a JSON one without"
    )
    for given in example.get("given", []):
        assert given in NAMES, f"{name}: given {given} is not an example"
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert curl(example) in readme, (
        f"api/examples/README.md does not show {name} as:\n\n{curl(example)}\n"
    )


@pytest.mark.parametrize("name", NAMES)
def test_example_runs(api: Api, name: str) -> None:
    world = World(api)
    example = load(name)
    for given in example.get("given", []):
        r = world.run(load(given))
        assert r.status_code == load(given)["status"], f"given {given}: {r.text}"
    r = world.run(example)
    assert r.status_code == example["status"], f"{name}: {r.status_code} {r.text}"
    expected = world.fill_all(example["response_excerpt"])
    if isinstance(expected, str):
        assert r.headers["content-type"].startswith(example["content_type"]), r.headers
        problems = text_mismatches(expected, r.text)
    else:
        problems = mismatches(expected, r.json())
    assert not problems, f"{name}:\n" + "\n".join(problems) + f"\n\nresponse: {r.text}"
