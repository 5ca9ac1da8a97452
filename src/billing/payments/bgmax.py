"""Bankgirot's BgMax file (Bankgiro Inbetalningar, "Teknisk manual"): the payments received
on a bankgiro number, one 80-character record a line (ISO 8859-1), the transaction code
(``TK``) in positions 1-2.

========  =========================  ============================================================
TK        record                     positions used here (1-based, inclusive)
========  =========================  ============================================================
01        start (Startpost)          3-22 layout ``BGMAX``, 23-24 version, 25-44 timestamp,
                                     45 ``P`` production / ``T`` test
05        opening (Öppningspost)     3-12 receiving bankgiro number, 23-25 currency
20 / 21   payment / deduction        3-12 payer's bankgiro, 13-37 reference, 38-55 amount (öre),
                                     56 reference code, 57 channel, 58-69 BGC serial number
22 / 23   extra reference            as 20; 22 another reference of the payment, 23 a negative
25        information                3-52 text
26        name                       3-37 payer's name
27 - 29   address, organisation no.  (not used)
15        deposit (Insättningspost)  38-45 payment date, 51-68 amount, 69-71 currency,
                                     72-79 number of payments (TK20 and TK21) of the section
70        end (Slutpost)             3-10 TK20 records, 11-18 TK21, 19-26 TK22 and TK23, 27-34 TK15
========  =========================  ============================================================

A section runs from a TK05 to its TK15; the deposit is the section's payments less its
deductions. Reference codes (position 56): 0 and 1 no reference; 2 an OCR reference that passed
the agreement's check; 3 one or more references separated by blanks; 4 a reference as typed;
5 a reference that failed the check (it is still tried: it will simply match no invoice).

Checked before anything is imported: the start and end records and their order, every numeric
field, each TK15's sum and count against its section, and the TK70's counts against the file.
A test file (``T``) is refused: it carries no real money.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from billing.payments.records import (
    BankLine,
    FileFormat,
    LineKind,
    ParsedFile,
    Receiver,
    checksum,
    digits,
    invalid,
)

RECORD_LENGTH = 80
CURRENCY = "SEK"
_PAYMENT_CODES = ("20", "21")
_EXTRA_REFERENCE_CODES = ("22", "23")
_PAYER_CODES = ("25", "26", "27", "28", "29")


@dataclass
class _Payment:
    location: str
    kind: LineKind
    amount: int
    references: list[str]
    payer: str | None = None


@dataclass
class _Section:
    receiver: Receiver
    currency: str
    payments: list[_Payment] = field(default_factory=list)


@dataclass
class _Reader:
    """The file read so far: sections closed by their TK15, and the records counted."""

    lines: list[BankLine] = field(default_factory=list)
    section: _Section | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, code: str) -> None:
        key = "22" if code == "23" else code
        self.counts[key] = self.counts.get(key, 0) + 1


def parse(content: bytes) -> ParsedFile:
    records = _records(content)
    if not records or records[0][1][:2] != "01":
        raise invalid("line 1", "a BgMax file starts with its start record (TK01)")
    key = _start(records[0][1])
    reader = _Reader()
    for number, record in records[1:-1]:
        _read(reader, number, record)
    last_number, last = records[-1]
    if last[:2] != "70" or len(records) < 2:
        raise invalid(f"line {last_number}", "a BgMax file ends with its end record (TK70)")
    if reader.section is not None:
        raise invalid(f"line {last_number}", "the last section has no deposit record (TK15)")
    _check_end(reader, last_number, last)
    return ParsedFile(FileFormat.BGMAX, f"bgmax:{key}", tuple(reader.lines))


def _records(content: bytes) -> list[tuple[int, str]]:
    """(line number, record padded to 80 positions); blank lines at the end are dropped."""
    text = content.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    out: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        if len(line) > RECORD_LENGTH:
            raise invalid(where, f"a record has at most {RECORD_LENGTH} positions")
        if not line.isprintable():
            raise invalid(where, "a record holds printable characters only")
        out.append((number, line.ljust(RECORD_LENGTH)))
    return out


def _start(record: str) -> str:
    if record[2:22].rstrip() != "BGMAX" or record[22:24] != "01":
        raise invalid("line 1", "not a BgMax file of version 01")
    stamp = record[24:44]
    digits(stamp, where="line 1", what="the timestamp")
    if record[44] == "T":
        raise invalid("line 1", "a test file (T) carries no payments to import")
    if record[44] != "P":
        raise invalid("line 1", f"position 45 is P or T, not {record[44]!r}")
    return stamp


def _read(reader: _Reader, number: int, record: str) -> None:
    where = f"line {number}"
    code = record[:2]
    if code == "05":
        if reader.section is not None:
            raise invalid(where, "an opening record (TK05) before the last section's TK15")
        reader.section = _opening(record, where)
        return
    section = reader.section
    if section is None:
        raise invalid(where, f"record TK{code} outside a section (TK05 … TK15)")
    if code in _PAYMENT_CODES:
        reader.count(code)
        section.payments.append(_payment(record, where))
    elif code in _EXTRA_REFERENCE_CODES:
        reader.count(code)
        _extra_reference(section, record, where)
    elif code in _PAYER_CODES:
        _payer(section, record, where)
    elif code == "15":
        reader.count(code)
        reader.lines.extend(_deposit(section, record, where))
        reader.section = None
    else:
        raise invalid(where, f"unknown transaction code {code!r}")


def _opening(record: str, where: str) -> _Section:
    bankgiro = digits(record[2:12], where=where, what="the receiving bankgiro number")
    currency = record[22:25]
    if currency != CURRENCY:
        raise invalid(where, f"BgMax payments are in SEK, not {currency!r}")
    return _Section(Receiver("bankgiro", str(bankgiro)), currency)


def _payment(record: str, where: str) -> _Payment:
    digits(record[2:12], where=where, what="the payer's bankgiro number")
    amount = digits(record[37:55], where=where, what="the amount")
    code = record[55]
    digits(code, where=where, what="the reference code")
    kind = LineKind.PAYMENT if record[:2] == "20" else LineKind.DEDUCTION
    signed = amount if kind is LineKind.PAYMENT else -amount
    return _Payment(where, kind, signed, _references(record[12:37], code))


def _references(field_text: str, code: str) -> list[str]:
    text = field_text.strip()
    if code in ("0", "1") or not text:
        return []
    if code == "3":
        return text.split()
    return [text]


def _extra_reference(section: _Section, record: str, where: str) -> None:
    if not section.payments:
        raise invalid(where, "an extra reference (TK22/TK23) follows a payment record")
    digits(record[37:55], where=where, what="the amount")
    digits(record[55], where=where, what="the reference code")
    if record[:2] == "22":
        section.payments[-1].references.extend(_references(record[12:37], record[55]))


def _payer(section: _Section, record: str, where: str) -> None:
    if not section.payments:
        raise invalid(where, f"record TK{record[:2]} follows a payment record")
    if record[:2] == "26":
        section.payments[-1].payer = record[2:37].strip() or None


def _deposit(section: _Section, record: str, where: str) -> list[BankLine]:
    paid_on = _date(record[37:45], where)
    amount = digits(record[50:68], where=where, what="the deposit amount")
    count = digits(record[71:79], where=where, what="the number of payments")
    if record[68:71] != section.currency:
        raise invalid(where, f"the deposit is in {section.currency}, not {record[68:71]!r}")
    total = sum(p.amount for p in section.payments)
    if amount != total:
        raise checksum(where, f"the deposit amount {amount} is not the section's sum {total}")
    if count != len(section.payments):
        raise checksum(
            where, f"the deposit counts {count} payments, the section has {len(section.payments)}"
        )
    return [
        BankLine(
            location=p.location,
            references=tuple(dict.fromkeys(p.references)),
            amount=p.amount,
            currency=section.currency,
            paid_on=paid_on,
            receiver=section.receiver,
            payer=p.payer,
            kind=p.kind,
        )
        for p in section.payments
    ]


def _date(text: str, where: str) -> date:
    digits(text, where=where, what="the payment date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise invalid(where, f"not a date: {text!r}") from exc


def _check_end(reader: _Reader, number: int, record: str) -> None:
    where = f"line {number}"
    fields = (("20", 2, "payment"), ("21", 10, "deduction"), ("22", 18, "extra reference"))
    for code, start, what in (*fields, ("15", 26, "deposit")):
        said = digits(record[start : start + 8], where=where, what=f"the {what} count")
        found = reader.counts.get(code, 0)
        if said != found:
            raise checksum(where, f"the end record counts {said} {what} records, found {found}")
