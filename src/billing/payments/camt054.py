"""ISO 20022 ``camt.054`` (BankToCustomerDebitCreditNotification): a bank's notice of the
entries booked on an account, any currency, read with lxml.

What is read (versions 001.02 to 001.13 share these paths; the namespace names the version)::

    Document/BkToCstmrDbtCdtNtfctn
      GrpHdr/MsgId                      the file's identifier
      Ntfctn (1..n)                     one account
        Acct/Id/IBAN | Acct/Id/Othr/Id  the account credited: finds the seller
        TxsSummry/TtlCdtNtries          if given: NbOfNtries and Sum of the credit entries
        Ntry (0..n)
          Amt[@Ccy], CdtDbtInd          only credits (CRDT) that are booked (Sts BOOK) and
          Sts | Sts/Cd, RvslInd         not reversals are payments; the rest is skipped
          BookgDt/Dt|DtTm, ValDt        the payment date (booking date, else value date)
          NtryDtls/TxDtls (0..n)        one payment each (none: the entry is one payment)
            Amt | AmtDtls/TxAmt/Amt     each one's amount; several add up to the entry's
            RmtInf/Strd/CdtrRefInf/Ref  the references (OCR, KID, FIK payment id/code line)
            RltdPties/Dbtr/Nm | Dbtr/Pty/Nm   the payer

Not validated against the ISO 20022 XSD (no copy of the schema ships with the project): the
parser refuses, element by element, anything on these paths that is missing or malformed
(``bank_file_invalid``), and a summary or batch whose figures do not add up
(``bank_file_checksum``). Entities and network access are off: the XML is read as data only.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from lxml import etree

from billing.domain.errors import InvalidInput
from billing.domain.money import currency_digits
from billing.payments.records import (
    BankLine,
    FileFormat,
    ParsedFile,
    Receiver,
    checksum,
    invalid,
    minor_units,
)

NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.054\.001\.(0[2-9]|1[0-3])")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Tree:
    """Element lookups in the document's namespace, each refusal naming its path."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def all(self, node: Any, path: str) -> list[Any]:
        steps = "/".join(f"{{{self.ns}}}{step}" for step in path.split("/"))
        return list(node.findall(steps))

    def one(self, node: Any, path: str, where: str) -> Any:
        found = self.all(node, path)
        if len(found) != 1:
            raise invalid(f"{where}/{path}", "required once" if not found else "repeated")
        return found[0]

    def maybe(self, node: Any, path: str) -> Any | None:
        found = self.all(node, path)
        return found[0] if found else None

    def text(self, node: Any, path: str, where: str, *, max_length: int = 140) -> str:
        value = (self.one(node, path, where).text or "").strip()
        if not 1 <= len(value) <= max_length:
            raise invalid(f"{where}/{path}", f"1 to {max_length} characters")
        return value


def parse(content: bytes) -> ParsedFile:
    root = _root(content)
    tree = _Tree(_namespace(root))
    message = tree.one(root, "BkToCstmrDbtCdtNtfctn", "Document")
    where = "Document/BkToCstmrDbtCdtNtfctn"
    msg_id = tree.text(message, "GrpHdr/MsgId", where, max_length=35)
    tree.text(message, "GrpHdr/CreDtTm", where)
    notifications = tree.all(message, "Ntfctn")
    if not notifications:
        raise invalid(f"{where}/Ntfctn", "at least one notification")
    lines: list[BankLine] = []
    for i, notification in enumerate(notifications, start=1):
        lines.extend(_notification(tree, notification, f"Ntfctn[{i}]"))
    return ParsedFile(FileFormat.CAMT054, f"camt054:{msg_id}", tuple(lines))


def _namespace(root: Any) -> str:
    ns = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or not NAMESPACE.fullmatch(ns):
        raise invalid("Document", f"not a camt.054 document (namespace {ns!r})")
    return ns


def _root(content: bytes) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise invalid(f"line {exc.lineno}", f"not well-formed XML: {exc.msg}") from exc


def _notification(tree: _Tree, node: Any, where: str) -> list[BankLine]:
    tree.text(node, "Id", where, max_length=35)
    receiver = _receiver(tree, node, where)
    lines: list[BankLine] = []
    credits, credit_sum = 0, 0
    for i, entry in enumerate(tree.all(node, "Ntry"), start=1):
        at = f"{where}/Ntry[{i}]"
        amount, currency = _amount(tree, entry, at)
        credit, booked = _credit_and_booked(tree, entry, at)
        if credit:
            credits += 1
            credit_sum += amount
        if not (credit and booked):
            continue
        paid_on = _entry_date(tree, entry, at)
        lines.extend(_payments(tree, entry, at, amount, currency, paid_on, receiver))
    _check_summary(tree, node, where, credits, credit_sum, lines)
    return lines


def _receiver(tree: _Tree, node: Any, where: str) -> Receiver:
    account = tree.one(node, "Acct/Id", where)
    iban = tree.maybe(account, "IBAN")
    if iban is not None:
        return Receiver("iban", (iban.text or "").replace(" ", "").upper())
    other = tree.text(account, "Othr/Id", f"{where}/Acct/Id", max_length=34)
    return Receiver("account", "".join(ch for ch in other if ch.isdigit()) or other)


def _amount(tree: _Tree, node: Any, where: str, path: str = "Amt") -> tuple[int, str]:
    element = tree.one(node, path, where)
    currency = element.get("Ccy") or ""
    try:
        places = currency_digits(currency)
    except InvalidInput as exc:
        raise invalid(f"{where}/{path}", f"Ccy is not a currency: {currency!r}") from exc
    return minor_units(element.text or "", digits_after=places, where=f"{where}/{path}"), currency


def _credit_and_booked(tree: _Tree, entry: Any, where: str) -> tuple[bool, bool]:
    """(a credit, booked and not reversed): only those are payments received."""
    indicator = tree.text(entry, "CdtDbtInd", where)
    if indicator not in ("CRDT", "DBIT"):
        raise invalid(f"{where}/CdtDbtInd", f"CRDT or DBIT, not {indicator!r}")
    status = tree.one(entry, "Sts", where)
    code = tree.maybe(status, "Cd")
    value = ((code if code is not None else status).text or "").strip()
    reversal = (tree.maybe(entry, "RvslInd") is not None) and (
        (tree.one(entry, "RvslInd", where).text or "").strip() == "true"
    )
    return indicator == "CRDT", value == "BOOK" and not reversal


def _entry_date(tree: _Tree, entry: Any, where: str) -> date:
    for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
        element = tree.maybe(entry, path)
        if element is not None:
            text = (element.text or "").strip()[:10]
            if not _DATE.fullmatch(text):
                raise invalid(f"{where}/{path}", f"not a date: {element.text!r}")
            try:
                return date.fromisoformat(text)
            except ValueError as exc:
                raise invalid(f"{where}/{path}", f"not a date: {text!r}") from exc
    raise invalid(f"{where}/BookgDt", "a booked entry has a booking or value date")


def _payments(
    tree: _Tree,
    entry: Any,
    where: str,
    amount: int,
    currency: str,
    paid_on: date,
    receiver: Receiver,
) -> list[BankLine]:
    details = tree.all(entry, "NtryDtls/TxDtls")
    if not details:
        return [BankLine(where, (), amount, currency, paid_on, receiver)]
    lines = []
    for i, tx in enumerate(details, start=1):
        at = f"{where}/NtryDtls/TxDtls[{i}]"
        tx_amount, tx_currency = _tx_amount(tree, tx, at, len(details), amount, currency)
        refs = [
            (ref.text or "").strip()
            for ref in tree.all(tx, "RmtInf/Strd/CdtrRefInf/Ref")
            if (ref.text or "").strip()
        ]
        payer = _payer(tree, tx)
        lines.append(
            BankLine(at, tuple(refs), tx_amount, tx_currency, paid_on, receiver, payer=payer)
        )
    total = sum(line.amount for line in lines)
    if total != amount or any(line.currency != currency for line in lines):
        raise checksum(f"{where}/Amt", f"the entry's {amount} is not its payments' sum {total}")
    return lines


def _tx_amount(
    tree: _Tree, tx: Any, where: str, count: int, amount: int, currency: str
) -> tuple[int, str]:
    for path in ("Amt", "AmtDtls/TxAmt/Amt"):
        if tree.maybe(tx, path) is not None:
            return _amount(tree, tx, where, path)
    if count == 1:
        return amount, currency
    raise invalid(f"{where}/Amt", "each of several transactions of an entry has its amount")


def _payer(tree: _Tree, tx: Any) -> str | None:
    for path in ("RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm"):
        element = tree.maybe(tx, path)
        if element is not None and (element.text or "").strip():
            return str(element.text).strip()[:200]
    return None


def _check_summary(
    tree: _Tree, node: Any, where: str, credits: int, credit_sum: int, lines: list[BankLine]
) -> None:
    """The notification's summary of its credit entries (all of them, booked or not)."""
    summary = tree.maybe(node, "TxsSummry/TtlCdtNtries")
    if summary is None:
        return
    at = f"{where}/TxsSummry/TtlCdtNtries"
    said = tree.text(summary, "NbOfNtries", at, max_length=15)
    if not (said.isascii() and said.isdigit()) or int(said) != credits:
        raise checksum(f"{at}/NbOfNtries", f"says {said}, the notification has {credits}")
    if tree.maybe(summary, "Sum") is not None:
        places = currency_digits(lines[0].currency) if lines else 2
        total = minor_units(tree.text(summary, "Sum", at), digits_after=places, where=f"{at}/Sum")
        if total != credit_sum:
            raise checksum(f"{at}/Sum", f"says {total}, the credit entries add up to {credit_sum}")
