"""The "done when" walk of the console in a real browser, in Swedish, at desktop and phone
width: a staff member signs in as herself, chooses Svenska, finds a customer by organisation
number, sees what it owes, changes its licences mid-period after seeing the preview, pauses it,
schedules and undoes a cancellation, verifies another person's four-eyes cancellation, and
reads who did what in the activity log. Each step saves
a screenshot (in the test's tmp dir) and the pages are scanned with axe-core (no serious or
critical WCAG 2.1 A/AA violation); at 390 px no page is wider than the screen.

axe-core comes from npm (``scripts/test`` installs it into ``.cache/axe``; or point
``BILLING_TEST_AXE`` at an ``axe.min.js``). Without it the test skips, except in CI.
Bounded: every wait has a timeout; each size takes well under a minute.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, TEST_SELLER
from tests.console.conftest import WAIT

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("BILLING_TEST_AXE", ROOT / ".cache/axe/node_modules/axe-core/axe.min.js"))
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


LOGIN, PASSWORD = "anna.berg@example.se", "correct horse battery staple"


def _seed(base: str) -> dict[str, Any]:
    """Fjällbacka Bygg AB (organisation number 556036-0793) on 2 licences at 249,95 kr a
    month from 2 April, April invoiced; Kungsbacka Städ AB on a four-eyes plan, whose
    cancellation a colleague, Bo Lind, recorded; Anna Berg signs in; today is 10 April 2025."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=base, headers=headers, timeout=WAIT) as http:

        def post(path: str, body: dict[str, Any], method: str = "POST", **kw: Any) -> Any:
            r = http.request(method, path, json=body, **kw)
            assert r.status_code in (200, 201), r.text
            return r.json()

        post("/v1/test-clock", {"today": "2025-04-02"}, method="PUT")
        post("/v1/sellers", TEST_SELLER)
        fjallbacka = post(
            "/v1/customers",
            {
                "name": "Fjällbacka Bygg AB",
                "currency": "SEK",
                "country": "SE",
                "kind": "business",
                "organisation_number": "556036-0793",
            },
        )
        kungsbacka = post("/v1/customers", {"name": "Kungsbacka Städ AB", "currency": "SEK"})
        plan = {"name": "Företagshälsa", "currency": "SEK", "unit_amount": 24995}
        monthly = post("/v1/plans", {"code": "m", "interval": "month", **plan})
        checked = post("/v1/plans", {"code": "m4", "interval": "month", "four_eyes": True, **plan})
        sub = post(
            "/v1/subscriptions",
            {
                "customer_id": fjallbacka["id"],
                "plan_id": monthly["id"],
                "start_date": "2025-04-02",
                "quantity": 2,
            },
        )
        other = post(
            "/v1/subscriptions",
            {"customer_id": kungsbacka["id"], "plan_id": checked["id"], "start_date": "2025-04-02"},
        )
        post("/v1/bill-runs", {"as_of": "2025-04-02"})
        post("/v1/test-clock", {"today": "2025-04-10"}, method="PUT")
        people = "/v1/people"
        post(people, {"name": "Anna Berg", "login": LOGIN, "role": "staff", "password": PASSWORD})
        bo = post(people, {"name": "Bo Lind", "login": "bo.lind@example.se", "role": "staff"})
        colleague = post(f"{people}/{bo['id']}/tokens", {})["token"]
        post(
            f"/v1/subscriptions/{other['id']}/cancel",
            {"mode": "on_date", "date": "2025-05-02"},
            headers={"Authorization": f"Bearer {colleague}"},
        )
        return {"sub": sub, "other": other}


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_swedish_staff_members_day(driver: Any, server: str, tmp_path: Path, size: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    if not AXE.is_file():
        reason = f"axe-core not found at {AXE} (npm install --prefix .cache/axe axe-core)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    width, height = SIZES[size]
    driver.set_window_size(width, height)
    seeded = _seed(server)
    wait = WebDriverWait(driver, WAIT)
    axe = AXE.read_text()
    shots: list[Path] = []

    def step(name: str) -> None:
        """A screenshot, the accessibility scan, and no sideways scrolling on a phone."""
        shot = tmp_path / f"{size}-{len(shots):02d}-{name}.png"
        assert driver.save_screenshot(str(shot))
        shots.append(shot)
        if not driver.execute_script("return !!window.axe"):
            driver.execute_script(axe)
        result = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values:"
            " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));"
        )
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name}: {bad}"
        if size == "phone":
            wide = driver.execute_script("return document.documentElement.scrollWidth")
            assert wide <= width + 1, f"{name}: the page is {wide}px wide on a {width}px screen"

    def fill_date(element_id: str, value: str) -> None:
        field = driver.find_element(By.ID, element_id)
        driver.execute_script("arguments[0].value = arguments[1]", field, value)

    def click(element_id: str) -> None:
        button = wait.until(ec.presence_of_element_located((By.ID, element_id)))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()

    def notice(text: str) -> None:
        wait.until(ec.text_to_be_present_in_element((By.ID, "notice"), text))

    # Sign in as herself, then choose Swedish in the header: her choice, kept in a cookie.
    driver.get(f"{server}/console/")
    wait.until(ec.presence_of_element_located((By.ID, "login"))).send_keys(LOGIN)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    step("sign-in")
    click("sign-in")
    wait.until(ec.url_contains("/console/customers"))
    Select(driver.find_element(By.ID, "language")).select_by_value("sv")
    click("set-language")
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Kunder"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"

    # Find the customer by its organisation number, without the hyphen.
    # By keyboard only: type in the search field and press Enter.
    driver.find_element(By.ID, "q").send_keys("5560360793", Keys.ENTER)
    wait.until(ec.text_to_be_present_in_element((By.ID, "found-count"), "1 kund matchar"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#customers tr.customer")
    assert len(rows) == 1 and "Fjällbacka Bygg AB" in rows[0].text
    assert "organisationsnummer 5560360793" in rows[0].text
    step("found-by-organisation-number")
    rows[0].find_element(By.TAG_NAME, "a").click()

    # What it owes: April's invoice, 2 × 249,95 kr, not yet due.
    owes = wait.until(ec.presence_of_element_located((By.ID, "owes")))
    assert "499,90 kr" in owes.text.replace("\xa0", " ")
    assert "inget" in driver.find_element(By.ID, "overdue").text
    step("what-it-owes")
    driver.find_element(By.LINK_TEXT, seeded["sub"]["id"]).click()
    wait.until(ec.presence_of_element_located((By.ID, "change-form")))

    # Licences from 2 to 3 on 17 April, prorated by day: the preview first, then Confirm.
    assert not driver.find_elements(By.ID, "confirm-preview")
    fill_date("change-date", "2025-04-17")
    driver.find_element(By.ID, "change-quantity").send_keys("3")
    Select(driver.find_element(By.ID, "change-proration")).select_by_value("by_day")
    Select(driver.find_element(By.ID, "change-collect")).select_by_value("now")
    click("preview-change")
    preview = wait.until(ec.presence_of_element_located((By.ID, "preview")))
    assert "Förhandsgranskning" in preview.text and "124,97 kr" in preview.text.replace(
        "\xa0", " "
    )  # one more licence for 15 of April's 30 days
    assert driver.find_element(By.ID, "preview-alternatives")
    step("licences-preview")
    # Confirm by keyboard: the button takes the focus and Enter presses it.
    confirm = driver.find_element(By.ID, "confirm-preview")
    driver.execute_script("arguments[0].focus()", confirm)
    assert driver.switch_to.active_element == confirm
    confirm.send_keys(Keys.ENTER)
    notice("Ändringen är registrerad.")
    step("licences-confirmed")

    # Pause 10–19 May.
    fill_date("pause-first", "2025-05-10")
    fill_date("pause-last", "2025-05-19")
    click("preview-pause")
    wait.until(ec.presence_of_element_located((By.ID, "confirm-preview")))
    step("pause-preview")
    click("confirm-preview")
    notice("Pausen är registrerad.")
    assert "pausad till och med 19 maj 2025" in driver.find_element(By.ID, "events").text

    # Schedule a cancellation with 30 June as the last day served, then undo it.
    fill_date("end-date", "2025-06-30")
    driver.find_element(By.ID, "reason").send_keys("Flyttar verksamheten till Oslo")
    click("preview-cancel")
    end = wait.until(ec.presence_of_element_located((By.ID, "preview-end")))
    assert end.text == "30 juni 2025"
    step("cancellation-preview")
    click("confirm-preview")
    notice("sista leveransdag är 30 juni 2025")
    step("cancellation-scheduled")
    click("preview-undo")
    wait.until(ec.text_to_be_present_in_element((By.ID, "preview"), "skulle ångras"))
    click("confirm-preview")
    notice("Uppsägningen är ångrad")
    step("cancellation-undone")

    # Verify the colleague's four-eyes cancellation of the other customer.
    driver.get(f"{server}/console/subscriptions/{seeded['other']['id']}")
    assert (
        "väntar på kontroll" in wait.until(ec.presence_of_element_located((By.ID, "status"))).text
    )
    click("preview-verify")
    wait.until(ec.text_to_be_present_in_element((By.ID, "preview"), "1 maj 2025"))
    step("verify-preview")
    click("confirm-preview")
    notice("Uppsägningen är kontrollerad.")
    assert "under uppsägning" in driver.find_element(By.ID, "status").text
    step("verified")
    driver.find_element(By.LINK_TEXT, "Ej matchade betalningar").click()
    wait.until(ec.presence_of_element_located((By.ID, "no-payments")))
    step("unmatched-payments")
    driver.find_element(By.LINK_TEXT, "Uppgifter").click()
    wait.until(ec.presence_of_element_located((By.ID, "tasks")))
    step("tasks")

    # Who did what: the activity log, newest first, each change by its person in Swedish.
    click("nav-activity")
    log = wait.until(ec.presence_of_element_located((By.ID, "activity")))
    # (On a phone each entry is a block of lines; read them as one.)
    lines = [" ".join(r.text.split()) for r in log.find_elements(By.CSS_SELECTOR, "tr.entry")]
    assert "Anna Berg Kontrollerade en uppsägning · konsolen" in lines[0], lines[:3]
    bo = next(line for line in lines if "Bo Lind" in line)
    assert "Lade in eller flyttade en uppsägning · API" in bo and "Kungsbacka Städ AB" in bo
    assert any("Ändrade licenser eller pris · konsolen" in line for line in lines)
    step("activity-log")
    assert all(s.stat().st_size > 5000 for s in shots)
    print(f"screenshots: {tmp_path}")
