"""One-off orders and the onboarding in a real browser, in Swedish, at desktop and phone width:
place an order after its preview, then record a delivery after its preview; book a
subscription's start meeting after its preview. Each page is scanned with
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


class Browser:
    """The driver at one size, signed in as Anna Berg in Swedish: screenshots with the axe
    scan and the width check, clicks and typing."""

    def __init__(self, driver: Any, server: str, tmp_path: Path, size: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        if not AXE.is_file():
            reason = f"axe-core not found at {AXE} (npm install --prefix .cache/axe axe-core)"
            if os.environ.get("CI") == "true":
                pytest.fail(reason)
            pytest.skip(reason)
        self.driver, self.tmp_path, self.size = driver, tmp_path, size
        self.by, self.ec, self.wait = By, ec, WebDriverWait(driver, WAIT)
        self.width = SIZES[size][0]
        driver.set_window_size(*SIZES[size])
        self.axe = AXE.read_text()
        driver.get(f"{server}/console/login")
        self.present("login").send_keys(LOGIN)
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.click("sign-in")
        self.wait.until(ec.url_contains("/console/customers"))
        driver.add_cookie({"name": "billing_console_language", "value": "sv", "path": "/console"})

    def present(self, element_id: str) -> Any:
        return self.wait.until(self.ec.presence_of_element_located((self.by.ID, element_id)))

    def step(self, name: str) -> None:
        driver = self.driver
        assert driver.save_screenshot(str(self.tmp_path / f"{self.size}-{name}.png"))
        if not driver.execute_script("return !!window.axe"):
            driver.execute_script(self.axe)
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
        assert wide <= self.width + 1, f"{name}: {wide}px wide on a {self.width}px screen"

    def click(self, element_id: str) -> None:
        button = self.present(element_id)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()

    def type_in(self, element_id: str, text: str) -> None:
        field = self.driver.find_element(self.by.ID, element_id)
        field.clear()
        field.send_keys(text)

    def notice(self, text: str) -> None:
        self.wait.until(self.ec.text_to_be_present_in_element((self.by.ID, "notice"), text))


@pytest.mark.parametrize("size", sorted(SIZES))
def test_an_order_placed_and_delivered(driver: Any, server: str, tmp_path: Path, size: str) -> None:
    customer = _seed(server)
    b = Browser(driver, server, tmp_path, size)
    step, click, type_in = b.step, b.click, b.type_in
    driver.get(f"{server}/console/customers/{customer['id']}")
    click("new-order")

    type_in("order-description-1", "Hälsokontroll")
    type_in("order-quantity-1", "10")
    type_in("order-price-1", "1 918,00")
    click("preview-order")
    total = b.present("preview-total")
    assert "19 180,00 kr" in total.text.replace("\xa0", " ")
    step("order-preview")
    click("confirm-preview")
    b.notice("Beställningen är lagd.")

    driver.execute_script("document.getElementById('deliver-date').value = '2025-04-02'")
    type_in("deliver-reference", "leverans-1")
    type_in("deliver-qty-1", "4")
    click("preview-deliver")
    what = b.present("preview-what")
    assert "7 672,00 kr" in what.text.replace("\xa0", " ")
    step("delivery-preview")
    click("confirm-preview")
    b.notice("fakturerad")
    assert "INV-" in b.present("deliveries").text
    step("delivered")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_start_meeting_booked(driver: Any, server: str, tmp_path: Path, size: str) -> None:
    customer = _seed(server)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=server, headers=headers, timeout=WAIT) as http:
        plan = {"code": "assist", "name": "Assist", "currency": "SEK", "unit_amount": 49900}
        plan_id = http.post("/v1/plans", json={"interval": "month", **plan}).json()["id"]
        body = {"customer_id": customer["id"], "plan_id": plan_id, "start_date": "2025-04-01"}
        sub = http.post("/v1/subscriptions", json=body).json()
        assert http.post("/v1/scheduler/run").status_code == 200  # the welcome
    b = Browser(driver, server, tmp_path, size)
    driver.get(f"{server}/console/subscriptions/{sub['id']}")
    b.click("onboarding-link")
    assert "introduktion" in b.present("stage").text
    b.step("onboarding")
    driver.execute_script("document.getElementById('meeting-date').value = '2025-04-09'")
    b.click("preview-meeting")
    assert "stängd (möte bokat)" in b.present("preview-stage").text
    b.step("meeting-preview")
    b.click("confirm-preview")
    b.notice("Introduktionen är uppdaterad.")
    assert "9 apr. 2025" in b.present("meeting").text
