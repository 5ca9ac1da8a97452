"""Writing a SIE typ 4 file: the journal of a period as the Swedish books import it.

SIE ("Standard Import Export", SIE-gruppen, format specification 4B) is a line-based text
format; each line is a label (``#VER``) and its fields separated by blanks. A field with a blank,
a quote or nothing in it is quoted (``"Kund AB"``), a quote inside one is escaped as ``\\"``; a
list of objects is ``{}``. Dates are ``YYYYMMDD``; amounts are decimal with a point and (here)
always two decimals, debit positive and credit negative; every verification's transactions sum
to zero. The character set is the one ``#FORMAT PC8`` names: IBM PC 8-bit extended ASCII, code
page 437 (``å`` is 0x86, ``ä`` 0x84, ``ö`` 0x94); characters it lacks are written as ``?``.
Lines end with CR LF.

The file written here is what SIE calls type 4I (verifications for import into the books): the
header, the accounts used, and one ``#VER`` with its ``#TRANS`` rows per business event, in
this order::

    #FLAGGA 0
    #FORMAT PC8
    #SIETYP 4
    #PROGRAM "billing" 0.1.0
    #GEN 20250531
    #FNAMN "Hälsokontroll Sverige AB"
    #ORGNR 556036-0793
    #RAR 0 20250101 20251231
    #VALUTA SEK
    #KONTO 1510 "Kundfordringar"
    #KTYP 1510 T
    #VER F 1 20250501 "Faktura SE-INV-000001"
    {
       #TRANS 1510 {} 125.00
       #TRANS 3001 {} -100.00
       #TRANS 2611 {} -25.00
    }

No balances (``#IB``, ``#UB``, ``#RES``): those are the books', computed from everything they
hold, not from one period of one source. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

#: The code page ``#FORMAT PC8`` names.
ENCODING = "cp437"
NEWLINE = "\r\n"


@dataclass(frozen=True, slots=True)
class Trans:
    """One row of a verification: ``amount`` in minor units, debit positive, credit negative."""

    account: str
    amount: int


@dataclass(frozen=True, slots=True)
class Verification:
    series: str
    number: int
    day: date
    text: str
    rows: tuple[Trans, ...]

    @property
    def balance(self) -> int:
        """Σ of its rows: zero for a balanced verification."""
        return sum(r.amount for r in self.rows)


@dataclass(frozen=True, slots=True)
class FiscalYear:
    """``#RAR``: ``index`` 0 is the current year, −1 the one before."""

    index: int
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class SieFile:
    program: str
    version: str
    generated: date
    company: str
    organisation_number: str
    years: tuple[FiscalYear, ...]
    currency: str
    #: Account number → name, of every account a verification uses.
    accounts: dict[str, str]
    verifications: tuple[Verification, ...]


def amount_text(minor: int) -> str:
    """Minor units (öre) as SIE writes an amount: ``-1234.05``; integers only, never floats."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def day_text(day: date) -> str:
    return day.strftime("%Y%m%d")


def field(text: str) -> str:
    """A text field: bare when it is one plain word, else quoted with quotes escaped."""
    clean = " ".join(text.split())  # no line breaks or tabs inside a field
    if clean and all(c.isalnum() or c in "-_.,:/+" for c in clean):
        return clean
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def account_type(account: str) -> str:
    """``#KTYP`` by the BAS account class: 1 assets (T), 2 equity and liabilities (S),
    3 operating income (I), 4–7 costs (K); 8 financial items: income (I) in 80–83, costs (K)
    from 84."""
    first = account[:1]
    if first == "1":
        return "T"
    if first == "2":
        return "S"
    if first == "3" or (first == "8" and account[:2] in ("80", "81", "82", "83")):
        return "I"
    return "K"


def unbalanced(verifications: Iterable[Verification]) -> list[Verification]:
    return [v for v in verifications if v.balance != 0]


def _header(f: SieFile) -> list[str]:
    lines = [
        "#FLAGGA 0",
        "#FORMAT PC8",
        "#SIETYP 4",
        f"#PROGRAM {field(f.program)} {field(f.version)}",
        f"#GEN {day_text(f.generated)}",
        f"#FNAMN {field(f.company)}",
        f"#ORGNR {field(f.organisation_number)}",
    ]
    lines += [f"#RAR {y.index} {day_text(y.start)} {day_text(y.end)}" for y in f.years]
    lines.append(f"#VALUTA {field(f.currency)}")
    for number in sorted(f.accounts):
        lines.append(f"#KONTO {field(number)} {field(f.accounts[number])}")
        lines.append(f"#KTYP {field(number)} {account_type(number)}")
    return lines


def _verification(v: Verification) -> list[str]:
    head = f"#VER {field(v.series)} {v.number} {day_text(v.day)} {field(v.text)}"
    rows = [f"   #TRANS {field(r.account)} {{}} {amount_text(r.amount)}" for r in v.rows]
    return [head, "{", *rows, "}"]


def render_lines(f: SieFile) -> Sequence[str]:
    missing = {r.account for v in f.verifications for r in v.rows} - set(f.accounts)
    if missing:
        raise ValueError(f"accounts without a #KONTO: {sorted(missing)}")
    bad = unbalanced(f.verifications)
    if bad:
        raise ValueError(f"unbalanced verifications: {[(v.series, v.number) for v in bad]}")
    lines = _header(f)
    for v in f.verifications:
        lines += _verification(v)
    return lines


def render(f: SieFile) -> bytes:
    """The file as bytes in code page 437, lines ending CR LF."""
    text = NEWLINE.join(render_lines(f)) + NEWLINE
    return text.encode(ENCODING, errors="replace")
