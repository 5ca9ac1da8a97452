"""Signing in to the console and reading its forms, for the console tests."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from tests.api.helpers import bill, cancel, ok, setup
from tests.conftest import ADMIN_TOKEN, Api


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def version_of(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def confirm_form(html: str) -> dict[str, str]:
    """The fields of the preview's Confirm form (its hidden inputs), as the browser sends them."""
    start = html.index('class="confirm"')
    form = html[start : html.index("</form>", start)]
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    data["action"] = "confirm"
    return {k: unescape(v) for k, v in data.items()}


def sign_in(client: Any, token: str = ADMIN_TOKEN) -> Any:
    page = client.get("/console/login")
    assert page.status_code == 200
    return client.post(
        "/console/login",
        data={"token": token, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )


def invoiced_subscription(api: Api, **customer: Any) -> dict[str, Any]:
    """249,95 kr a month from 2025-04-02 for "Ängsbacka Fönster AB", the first period billed;
    today is 2025-04-02."""
    customer.setdefault("name", "Ängsbacka Fönster AB")
    sub = setup(api, today="2025-04-02", customer=customer, unit_amount=24995)
    bill(api, "2025-04-02")
    return sub  # type: ignore[no-any-return]


__all__ = ["bill", "cancel", "ok"]
