"""A SIE typ 4 reader for the tests, written from the format specification (SIE 4B), not
from the writer: lines of a ``#LABEL`` and fields separated by blanks, a field quoted when it
holds blanks (``\\"`` a quote inside), ``{...}`` an object list, ``#TRANS`` rows inside the
``{`` ``}`` block after their ``#VER``. Bytes are read as code page 437 (``#FORMAT PC8``).
Amounts are read as :class:`~decimal.Decimal` and turned into minor units exactly."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

AMOUNT_DIGITS = Decimal("0.01")


def tokens(line: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(line):
        c = line[i]
        if c == " " or c == "\t":
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while line[j] != '"':
                if line[j] == "\\":
                    j += 1
                buf.append(line[j])
                j += 1
            out.append("".join(buf))
            i = j + 1
        elif c == "{":
            j = line.index("}", i)
            out.append(line[i : j + 1])
            i = j + 1
        else:
            j = i
            while j < len(line) and line[j] not in " \t":
                j += 1
            out.append(line[i:j])
            i = j
    return out


def minor_units(text: str) -> int:
    value = Decimal(text)
    assert value == value.quantize(AMOUNT_DIGITS), f"more than 2 decimals: {text}"
    assert "." in text and len(text.split(".")[1]) == 2, f"not 2 decimals with a point: {text}"
    return int(value * 100)


@dataclass
class Ver:
    series: str
    number: str
    day: str
    text: str
    trans: list[tuple[str, int]] = field(default_factory=list)

    @property
    def balance(self) -> int:
        return sum(a for _, a in self.trans)


@dataclass
class SieDocument:
    labels: list[str]
    header: dict[str, list[list[str]]]
    accounts: dict[str, str]
    account_types: dict[str, str]
    vers: list[Ver]

    def first(self, label: str) -> list[str]:
        return self.header[label][0]

    def movement(self, account: str) -> int:
        """Σ of the account's rows (debit positive)."""
        return sum(a for v in self.vers for acc, a in v.trans if acc == account)

    def movement_of_class(self, prefix: str) -> int:
        return sum(a for v in self.vers for acc, a in v.trans if acc.startswith(prefix))


def read(content: bytes) -> SieDocument:
    text = content.decode("cp437")
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert all("\n" not in ln and "\r" not in ln for ln in lines)
    header: dict[str, list[list[str]]] = {}
    accounts: dict[str, str] = {}
    types: dict[str, str] = {}
    vers: list[Ver] = []
    labels: list[str] = []
    inside: Ver | None = None
    for raw in lines:
        stripped = raw.strip()
        parts = [stripped] if stripped in ("{", "}") else tokens(raw)
        label, fields = parts[0], parts[1:]
        labels.append(label)
        if label == "{":
            assert vers and inside is None
            inside = vers[-1]
        elif label == "}":
            assert inside is not None
            inside = None
        elif label == "#TRANS":
            assert inside is not None, raw
            assert fields[1].startswith("{") and fields[1].endswith("}")
            inside.trans.append((fields[0], minor_units(fields[2])))
        elif label == "#VER":
            vers.append(Ver(fields[0], fields[1], fields[2], fields[3] if len(fields) > 3 else ""))
        elif label == "#KONTO":
            accounts[fields[0]] = fields[1]
        elif label == "#KTYP":
            types[fields[0]] = fields[1]
        else:
            assert label.startswith("#"), raw
            header.setdefault(label, []).append(fields)
    assert inside is None
    return SieDocument(labels, header, accounts, types, vers)
