"""The console's message catalogs against its code: extract the messages afresh (as
``pybabel extract -F babel.cfg`` would, into a temporary .pot) and fail on a message that a
catalog lacks, leaves untranslated or fuzzy, translates with other placeholders, or keeps
after the code dropped it; and the pages come out in the language asked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from billing.console.i18n import LANGUAGES, LOCALE_DIR, choose, from_accept_language, words
from tests.conftest import Api
from tests.console.helpers import invoiced_subscription, sign_in

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted(tmp_path: Path) -> Catalog:
    """The messages in the console's code and templates now, through a .pot file."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    pot = Catalog(domain="messages")
    for filename, line, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        pot.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    path = tmp_path / "messages.pot"
    with path.open("wb") as f:
        write_po(f, pot)
    with path.open("rb") as f:
        return read_po(f)


def catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def ids(cat: Catalog) -> set[object]:
    return {m.id for m in cat if m.id}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_each_catalog_holds_exactly_the_messages_of_the_code(language: str, tmp_path: Path) -> None:
    pot = extracted(tmp_path)
    assert len(ids(pot)) > 200  # the extraction found the templates and the code
    cat = catalog(language)
    missing = ids(pot) - ids(cat)
    stale = ids(cat) - ids(pot)
    assert not missing, (
        f"{language}: not in the catalog (pybabel update): {sorted(map(str, missing))}"
    )
    assert not stale, f"{language}: no longer in the code: {sorted(map(str, stale))}"
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings), f"{language}: untranslated {m.id!r}"
        assert not m.fuzzy, f"{language}: fuzzy {m.id!r}"
        wanted = set(PLACEHOLDER.findall(m.id if isinstance(m.id, str) else m.id[1]))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == wanted, f"{language}: placeholders of {m.id!r}"


def test_an_untranslated_or_stale_string_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a catalog without one message, or with one the code lacks."""
    pot = ids(extracted(tmp_path))
    sv = catalog("sv")
    some = next(iter(sorted(map(str, pot))))
    sv.delete(some)
    sv.add("A message the code no longer has", "Ett meddelande som koden inte längre har")
    assert pot - ids(sv) == {some}
    assert ids(sv) - pot == {"A message the code no longer has"}


def test_swedish_norwegian_and_danish_words() -> None:
    assert words("sv").gettext("Customers") == "Kunder"
    assert words("nb").gettext("Sign out") == "Logg ut"
    assert words("da").gettext("Sign out") == "Log ud"
    assert words("sv").ngettext("%(num)s licence", "%(num)s licences", 3) == "3 licenser"
    assert words("sv").gettext("overdue %(amount)s", amount="1 kr") == "förfallet 1 kr"
    assert words("xx").language == "en"


def test_the_language_from_the_choice_or_the_browser() -> None:
    assert from_accept_language("da-DK,da;q=0.9,en;q=0.8") == "da"
    assert from_accept_language("de-DE, nn;q=0.7, en;q=0.3") == "nb"
    assert from_accept_language("en;q=0.2, sv-SE;q=0.9") == "sv"
    assert from_accept_language("de, fr;q=0.5") is None
    assert from_accept_language("sv;q=0, da;q=x") is None
    assert choose(None, "nb-NO") == "nb"
    assert choose("da", "sv-SE") == "da"  # the person's choice wins
    assert choose("xx", "fr") == "en"


def test_pages_in_the_chosen_language(api: Api) -> None:
    sub = invoiced_subscription(api)
    client = api.client
    sign_in(client)
    r = client.get("/console/customers", headers={"Accept-Language": "sv-SE,sv;q=0.9"})
    assert '<html lang="sv">' in r.text and ">Kunder</h1>" in r.text
    assert r.headers["content-language"] == "sv"
    r = client.post(
        "/console/language",
        data={"language": "nb", "back": f"/console/subscriptions/{sub['id']}"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/console/subscriptions/{sub['id']}"
    page = client.get(r.headers["location"], headers={"Accept-Language": "sv"}).text
    assert '<html lang="nb">' in page and "Hendelser" in page and "Oppsigelsesgrunnlag" in page
    assert "Startet" in page  # the started event, named in Norwegian
    # Never a redirect off the console.
    r = client.post(
        "/console/language",
        data={"language": "da", "back": "//evil.example/x"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/console/customers"
    assert "Kunder" in client.get("/console/customers").text
