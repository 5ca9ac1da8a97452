"""The console's languages: Swedish, Norwegian bokmål, Danish and English, from Babel message
catalogs.

Every label and message of the console is a gettext message: ``_("…")`` in the templates and
in the code, ``N_("…")`` where a message is only named (a table of problem codes) and
translated where it is shown. The catalogs are ``locale/<lang>/LC_MESSAGES/messages.po`` beside
this file, kept with Babel's tools from the repository's root::

    pybabel extract -F babel.cfg -k N_ -o /tmp/messages.pot .
    pybabel update -i /tmp/messages.pot -d src/billing/console/locale
    pybabel compile -d src/billing/console/locale   # optional, see below

The ``.po`` files are the source of truth and are what the console reads: each is compiled in
memory the first time its language is asked for (Babel's own reader and ``.mo`` writer), so a
clean checkout installed with ``pip install -e`` works without a build step, and a ``.mo``
file can never be stale. ``tests/console/test_translations.py`` extracts the messages afresh
and fails on one that a catalog lacks, leaves untranslated or fuzzy, or keeps after the code
dropped it.

Which language a page is in: the one the signed-in person chose (a cookie set by the
language form on every page), else the best of the browser's ``Accept-Language``, else
English. Amounts and dates are not a matter of the console's language: they are formatted by
Babel in the customer's locale, as on the customer's documents.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANGUAGE_COOKIE = "billing_console_language"
#: The console's languages, each named in itself, and the Babel locale of its own dates.
LANGUAGES: dict[str, str] = {
    "sv": "Svenska",
    "nb": "Norsk bokmål",
    "da": "Dansk",
    "en": "English",
}
BABEL_LOCALES = {"sv": "sv_SE", "nb": "nb_NO", "da": "da_DK", "en": "en_GB"}
DEFAULT = "en"
#: Accept-Language tags that mean one of the console's languages ("no" and "nn" read bokmål).
_ALIASES = {"sv": "sv", "nb": "nb", "no": "nb", "nn": "nb", "da": "da", "en": "en"}
_TAG = re.compile(r"^([A-Za-z]{1,8})(?:[-_][A-Za-z0-9]{1,8})*$")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


@functools.cache
def translations(language: str) -> Translations:
    """The compiled catalog of ``language`` (read from its ``.po`` file once per process)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def from_accept_language(header: str | None) -> str | None:
    """The console language the browser prefers most (RFC 9110 quality values), if any."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        found = _TAG.match(tag.strip())
        if not found:
            continue
        language = _ALIASES.get(found.group(1).lower())
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if language is None or quality <= 0:
            continue
        candidate = (quality, -position, language)
        if best is None or candidate > best:
            best = candidate
    return best[2] if best else None


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The page's language: the person's choice, else the browser's, else English."""
    if cookie in LANGUAGES:
        assert cookie is not None
        return cookie
    return from_accept_language(accept_language) or DEFAULT


@dataclass(frozen=True, slots=True)
class Words:
    """The messages of one language, as the templates and the views call them."""

    language: str

    @property
    def babel_locale(self) -> str:
        return BABEL_LOCALES[self.language]

    def gettext(self, message: str, **values: Any) -> str:
        text = translations(self.language).ugettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = translations(self.language).ungettext(singular, plural, n)
        return text % {"num": n, **values}

    def moment(self, when: datetime) -> str:
        """A recorded time in the console's language (UTC, as stored)."""
        return str(format_datetime(when, "short", tzinfo=None, locale=self.babel_locale))


def words(language: str) -> Words:
    return Words(language if language in LANGUAGES else DEFAULT)
