"""One-off orders in a real browser, in Swedish, at desktop and phone width: place an order
after its preview, then record a delivery after its preview. Each page is scanned with
axe-core (no serious or critical WCAG 2.1 A/AA violation) and is no wider than a phone's
screen. Skips as the other browser tests do; bounded by their timeouts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, TEST_SELLER
from tests.console.conftest import WAIT
from tests.console.test_browser_swedish import AXE, LOGIN, PASSWORD, SIZES

pytestmark = pytest.mark.browser


def _seed(base: str) -> dict[str, Any]:
    """An order-only customer, and Anna Berg to sign in; today is 2 April 2025."""
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=WAIT
    ) as http:

        def post(path: str, body: dict[str, Any], method: str = "POST") -> Any:
            r = http.request(method, path, json=body)
            assert r.status_code in (200, 201), r.text
            return r.json()

        post("/v1/test-clock", {"today": "2025-04-02"}, method="PUT")
        post("/v1/sellers", TEST_SELLER)
        person = {"name": "Anna Berg", "login": LOGIN, "role": "staff", "password": PASSWORD}
        post("/v1/people", person)
        return post("/v1/customers", {"name": "Hälsokontroll Nord AB", "currency": "SEK"})  # type: ignore[no-any-return]


@pytest.mark.parametrize("size", sorted(SIZES))
def test_an_order_placed_and_delivered(driver: Any, server: str, tmp_path: Path, size: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    if not AXE.is_file():
        reason = f"axe-core not found at {AXE} (npm install --prefix .cache/axe axe-core)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    width, height = SIZES[size]
    driver.set_window_size(width, height)
    customer = _seed(server)
    wait = WebDriverWait(driver, WAIT)
    axe = AXE.read_text()

    def step(name: str) -> None:
        assert driver.save_screenshot(str(tmp_path / f"{size}-{name}.png"))
        if not driver.execute_script("return !!window.axe"):
            driver.execute_script(axe)
        result = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values:"
            " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact}))))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical'}]));"
        )
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name}: {bad}"
        wide = driver.execute_script("return document.documentElement.scrollWidth")
        assert wide <= width + 1, f"{name}: the page is {wide}px wide on a {width}px screen"

    def click(element_id: str) -> None:
        button = wait.until(ec.presence_of_element_located((By.ID, element_id)))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()

    def type_in(element_id: str, text: str) -> None:
        field = driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    driver.get(f"{server}/console/login")
    wait.until(ec.presence_of_element_located((By.ID, "login"))).send_keys(LOGIN)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click("sign-in")
    wait.until(ec.url_contains("/console/customers"))
    driver.add_cookie({"name": "billing_console_language", "value": "sv", "path": "/console"})
    driver.get(f"{server}/console/customers/{customer['id']}")
    click("new-order")

    type_in("order-description-1", "Hälsokontroll")
    type_in("order-quantity-1", "10")
    type_in("order-price-1", "1 918,00")
    click("preview-order")
    total = wait.until(ec.presence_of_element_located((By.ID, "preview-total")))
    assert "19 180,00 kr" in total.text.replace("\xa0", " ")
    step("order-preview")
    click("confirm-preview")
    wait.until(ec.text_to_be_present_in_element((By.ID, "notice"), "Beställningen är lagd."))

    driver.execute_script("document.getElementById('deliver-date').value = '2025-04-02'")
    type_in("deliver-reference", "leverans-1")
    type_in("deliver-qty-1", "4")
    click("preview-deliver")
    what = wait.until(ec.presence_of_element_located((By.ID, "preview-what")))
    assert "7 672,00 kr" in what.text.replace("\xa0", " ")
    step("delivery-preview")
    click("confirm-preview")
    wait.until(ec.text_to_be_present_in_element((By.ID, "notice"), "fakturerad"))
    assert "INV-" in driver.find_element(By.ID, "deliveries").text
    step("delivered")
