"""Finding customers and a customer at a glance, through FastAPI's client: names without
their diacritics, organisation numbers with or without the hyphen, invoice numbers, payment
references, pages with counts (never silently stopping at 50); an order-only customer's
orders and invoices; the badge for a customer in termination or passive."""

from __future__ import annotations

import re

from billing.console.search import fold
from tests.api.helpers import cancel
from tests.conftest import Api
from tests.console.helpers import invoiced_subscription, ok, sign_in
from tests.orders.test_orders import deliver, order


def found_names(api: Api, query: str, page: int = 1) -> list[str]:
    r = api.client.get("/console/customers", params={"q": query, "page": page})
    assert r.status_code == 200, r.text
    rows = r.text.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<tr class="customer"><td><a href="[^"]+">([^<]+)</a>', rows)


def test_fold_drops_case_and_diacritics() -> None:
    assert fold("Fjällbacka Bygg") == "fjallbacka bygg"
    assert fold("Tromsø Ærø Ålesund") == "tromso aero alesund"
    assert fold("STRAßE") == "strasse"


def test_names_without_diacritics(api: Api) -> None:
    for name in ("Fjällbacka Måleri AB", "Tromsø Rør AS", "Ærø Købmand ApS", "Bergen Alarm AS"):
        api.customer(name=name)
    sign_in(api.client)
    assert found_names(api, "Fjallbacka") == ["Fjällbacka Måleri AB"]
    assert found_names(api, "FJÄLLBACKA") == ["Fjällbacka Måleri AB"]
    assert found_names(api, "tromso ror") == ["Tromsø Rør AS"]
    assert found_names(api, "aero kobmand") == ["Ærø Købmand ApS"]
    assert found_names(api, "100%_") == []


def test_by_organisation_number_invoice_number_and_payment_reference(api: Api) -> None:
    sub = invoiced_subscription(
        api, country="SE", organisation_number="556036-0793", kind="business"
    )
    api.customer(name="Annan Kund AB")
    sign_in(api.client)
    for query in ("5560360793", "556036-0793", "556036 0793"):
        assert found_names(api, query) == ["Ängsbacka Fönster AB"], query
    [invoice] = ok(api.get("/v1/invoices"))["data"]
    for query in (invoice["number"], "inv-1", "INV 000001"):
        assert found_names(api, query) == ["Ängsbacka Fönster AB"], query
    reference = invoice["payment_reference"]
    assert reference
    html = api.client.get("/console/customers", params={"q": reference}).text
    assert found_names(api, reference) == ["Ängsbacka Fönster AB"]
    assert f"payment reference {reference}" in html
    assert found_names(api, sub["customer_id"]) == ["Ängsbacka Fönster AB"]


def test_pages_and_counts(api: Api) -> None:
    for n in range(55):
        api.customer(name=f"Kund {n:02d} AB")
    api.customer(name="Någon Annan AS")
    sign_in(api.client)
    first = found_names(api, "kund")
    assert len(first) == 50 and first[0] == "Kund 00 AB"
    html = api.client.get("/console/customers", params={"q": "kund"}).text
    assert "55 customers match “kund”." in html and "Showing 1–50." in html
    assert 'id="next-page"' in html and "Page 1 of 2" in html
    assert found_names(api, "kund", page=2) == [f"Kund {n} AB" for n in range(50, 55)]
    everyone = api.client.get("/console/customers").text
    assert "56 customers." in everyone


def test_an_order_only_customer_shows_its_orders_and_invoices(api: Api) -> None:
    api.today("2025-03-03")
    customer = api.customer(
        name="Fjordbygg AS", currency="NOK", locale="nb_NO", timezone="Europe/Oslo"
    )
    o = order(api, customer, ("HC-1", "Helsekontroll", 95900, 20))
    ok(deliver(api, o, "lev-1", "2025-03-03", (0, 20)), 201)
    sign_in(api.client)
    html = api.client.get(f"/console/customers/{customer['id']}").text
    assert 'id="orders"' in html and o["id"] in html
    assert "19\xa0180,00\xa0kr" in html  # the order's total and its invoice's
    assert 'class="document invoice"' in html and "INV-000001" in html
    assert 'id="customer-status">passive<' in html  # delivered in full, nothing running


def test_the_badge_of_a_customer_in_termination(api: Api) -> None:
    sub = invoiced_subscription(api)
    sign_in(api.client)
    path = f"/console/customers/{sub['customer_id']}"
    assert 'id="customer-status">active<' in api.client.get(path).text
    cancel(api, sub, mode="on_date", date="2025-06-02")
    assert 'id="customer-status">in termination<' in api.client.get(path).text
    api.today("2025-06-03")
    [invoice] = ok(api.get("/v1/invoices"))["data"][:1]
    assert invoice  # the April invoice is unpaid: overdue wins over everything
    assert 'id="customer-status">overdue<' in api.client.get(path).text
