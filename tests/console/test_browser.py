"""The console in a real browser: Debian's headless Chromium driven by Selenium through
Debian's chromedriver, against a real uvicorn server on 127.0.0.1 started here.

Signs in, finds a customer, opens the subscription's timeline, previews and confirms a
cancellation, takes a screenshot of the timeline and checks it (the period boxes and the end
marker, in the DOM and in the pixels), undoes the cancellation. Skips with the reason when
chromium or chromedriver are missing, except in CI (``CI=true``), where that fails.
Bounded: every wait has a timeout and the whole test takes well under a minute.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, TEST_SELLER
from tests.console.conftest import WAIT

#: Fills of billed and credited (striped) period boxes, and the end marker (_timeline.svg).
PERIOD_BLUES = ((0x38, 0x67, 0xD6), (0x1D, 0x3F, 0x8F))
END_RED = (0xEB, 0x3B, 0x5A)

pytestmark = pytest.mark.browser


def _seed(base: str) -> dict[str, Any]:
    """A Swedish customer on 249,95 kr a month from 2025-04-02, the first month invoiced."""
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=WAIT
    ) as http:

        def post(path: str, body: dict[str, Any], method: str = "POST") -> Any:
            r = http.request(method, path, json=body)
            assert r.status_code in (200, 201), r.text
            return r.json()

        post("/v1/test-clock", {"today": "2025-04-02"}, method="PUT")
        post("/v1/sellers", TEST_SELLER)
        customer = post("/v1/customers", {"name": "Ängsbacka Fönster AB", "currency": "SEK"})
        post("/v1/customers", {"name": "Bergen Alarm AS", "currency": "NOK", "locale": "nb_NO"})
        plan = post(
            "/v1/plans",
            {
                "code": "monthly",
                "name": "Företagshälsa",
                "currency": "SEK",
                "unit_amount": 24995,
                "interval": "month",
            },
        )
        sub = post(
            "/v1/subscriptions",
            {"customer_id": customer["id"], "plan_id": plan["id"], "start_date": "2025-04-02"},
        )
        post("/v1/bill-runs", {"as_of": "2025-04-02"})
        return {"customer": customer, "subscription": sub}


def _colour_near(image: Any, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    """How many pixels of the screenshot are (about) this colour."""
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=1 << 20)
        if all(abs(int(c) - t) <= tolerance for c, t in zip(pixel[:3], rgb, strict=True))
    )


def test_staff_cancel_and_undo_in_a_real_browser(driver: Any, server: str, tmp_path: Path) -> None:
    from PIL import Image
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.monotonic()
    seeded = _seed(server)
    sub_id = seeded["subscription"]["id"]
    wait = WebDriverWait(driver, WAIT)

    def svg_elements(css: str) -> list[Any]:
        return driver.find_elements(By.CSS_SELECTOR, f"svg#timeline {css}")  # type: ignore[no-any-return]

    # Sign in with the staff token.
    driver.get(f"{server}/console/")
    wait.until(ec.presence_of_element_located((By.ID, "token"))).send_keys(ADMIN_TOKEN)
    driver.find_element(By.ID, "sign-in").click()
    wait.until(ec.url_contains("/console/customers"))
    cookie = driver.get_cookie("billing_console")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert ADMIN_TOKEN not in cookie["value"]

    # Find the customer by part of its name, in lower case.
    search = driver.find_element(By.ID, "q")
    search.send_keys("ängs")
    driver.find_element(By.ID, "search").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#customers tr.customer")))
    rows = driver.find_elements(By.CSS_SELECTOR, "#customers tr.customer")
    assert [r.find_element(By.TAG_NAME, "a").text for r in rows] == ["Ängsbacka Fönster AB"]
    rows[0].find_element(By.TAG_NAME, "a").click()

    # Open the subscription's timeline.
    wait.until(ec.element_to_be_clickable((By.LINK_TEXT, sub_id))).click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "svg#timeline")))
    boxes = svg_elements("g.period rect.period-box")
    assert len(boxes) >= 2  # the billed first month and the next
    assert svg_elements("g.period")[0].get_attribute("data-start") == "2025-04-02"
    assert svg_elements("g.period.billed")
    assert not svg_elements("g.end-marker")

    # Preview a cancellation on 2025-04-05: the credit it would post, nothing saved.
    driver.execute_script(
        "arguments[0].value = arguments[1]", driver.find_element(By.ID, "end-date"), "2025-04-04"
    )
    driver.find_element(By.ID, "reason").send_keys("Flyttar verksamheten till Oslo")
    driver.find_element(By.ID, "preview-cancel").click()
    preview = wait.until(ec.presence_of_element_located((By.ID, "preview")))
    assert "224,95" in preview.text and "INV-000001" in preview.text
    assert "4 apr. 2025" in driver.find_element(By.ID, "preview-end").text
    assert not svg_elements("g.end-marker")  # a preview changes nothing

    # Confirm: the end marker is drawn on the end date.
    driver.find_element(By.ID, "confirm-preview").click()
    wait.until(ec.presence_of_element_located((By.ID, "notice")))
    [end] = svg_elements("g.end-marker")
    assert end.get_attribute("data-date") == "2025-04-05"
    assert "4 apr. 2025" in end.text  # the last day served
    assert svg_elements("g.period rect.period-tail")  # the rest of the period, not served
    assert svg_elements("g.period.credited")

    # A screenshot of the timeline: the period boxes and the end marker are on it.
    timeline = driver.find_element(By.ID, "timeline")
    shot = tmp_path / "timeline.png"
    assert timeline.screenshot(str(shot))
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        assert rgb.width > 600 and rgb.height > 100
        blue = sum(_colour_near(rgb, colour) for colour in PERIOD_BLUES)
        assert blue > 500, "no period box in the screenshot"
        assert _colour_near(rgb, END_RED) > 50, "no end marker in the screenshot"
    print(f"timeline screenshot: {shot}")

    # The credit note opens from the documents list.
    links = driver.find_elements(By.CSS_SELECTOR, "#documents tr.credit_note a")
    assert [a.text for a in links] == ["HTML", "PDF"]
    documents_page = driver.current_url
    links[0].click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "article.credit_note")))
    assert "Kreditfaktura" in driver.page_source and "224,95" in driver.page_source
    driver.get(documents_page)

    # Undo: preview, then confirm; the end marker is gone, the old end drawn as undone.
    wait.until(ec.element_to_be_clickable((By.ID, "preview-undo"))).click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "preview"), "would be undone"))
    driver.find_element(By.ID, "confirm-preview").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "notice"), "Cancellation undone"))
    assert not svg_elements("g.end-marker")
    assert [m.get_attribute("data-date") for m in svg_elements("g.marker.revoked-end")] == [
        "2025-04-05"
    ]
    assert time.monotonic() - started < 60
