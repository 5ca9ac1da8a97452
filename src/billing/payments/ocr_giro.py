"""Nets' OCR giro file ("OCR giro – Systemspesifikasjon"): the KID payments credited to the
payee's accounts, one 80-character record a line (ISO 8859-1). Each record is parsed by the
`netsgiro <https://pypi.org/project/netsgiro/>`_ package's record classes; the order of the
records and the end records' counts and sums, which netsgiro leaves to its caller, are
checked here.

==  =====================  ====================================================================
RT  record                 what is used
==  =====================  ====================================================================
10  transmission start     data transmitter, transmission number: the file's identifiers
20  assignment start       service code 09 (OCR giro), the payee's account credited
30  amount item 1          transaction number, settlement date, sign, amount (øre), KID
31  amount item 2          same transaction number; the payer's debited account
32  amount item 3          free text (transaction types 20 and 21; not used)
88  assignment end         transactions, records (start and end included) and total amount
89  transmission end       the same over the whole file (all records)
==  =====================  ====================================================================

A transaction with the sign ``-`` (a reversal) is a deduction: kept as reported, never
matched; the end records' sums are of the signed amounts. AvtaleGiro (service code 21) and
other Nets files are not OCR giro payments and are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netsgiro import ServiceCode
from netsgiro.records import (
    AssignmentEnd,
    AssignmentStart,
    Record,
    TransactionAmountItem1,
    TransactionAmountItem2,
    TransactionAmountItem3,
    TransmissionEnd,
    TransmissionStart,
)

from billing.payments.records import (
    BankLine,
    FileFormat,
    LineKind,
    ParsedFile,
    Receiver,
    checksum,
    invalid,
)

RECORD_LENGTH = 80
CURRENCY = "NOK"
_RECORDS: dict[str, type[Record]] = {
    "10": TransmissionStart,
    "20": AssignmentStart,
    "30": TransactionAmountItem1,
    "31": TransactionAmountItem2,
    "32": TransactionAmountItem3,
    "88": AssignmentEnd,
    "89": TransmissionEnd,
}


@dataclass
class _Assignment:
    receiver: Receiver
    records: int = 1
    transactions: int = 0
    total: int = 0


@dataclass
class _Reader:
    lines: list[BankLine] = field(default_factory=list)
    assignment: _Assignment | None = None
    pending: tuple[str, TransactionAmountItem1] | None = None
    transactions: int = 0
    total: int = 0


def parse(content: bytes) -> ParsedFile:
    records = _records(content)
    first_number, first = records[0]
    if not isinstance(first, TransmissionStart):
        raise invalid(f"line {first_number}", "an OCR giro file starts with record type 10")
    last_number, last = records[-1]
    if len(records) < 2 or not isinstance(last, TransmissionEnd):
        raise invalid(f"line {last_number}", "an OCR giro file ends with record type 89")
    reader = _Reader()
    for number, record in records[1:-1]:
        _read(reader, number, record)
    if reader.assignment is not None:
        raise invalid(f"line {last_number}", "the last assignment has no end record (88)")
    _check_totals(
        f"line {last_number}",
        last,
        transactions=reader.transactions,
        records=len(records),
        total=reader.total,
    )
    key = f"ocr_giro:{first.data_transmitter}:{first.transmission_number}"
    return ParsedFile(FileFormat.OCR_GIRO, key, tuple(reader.lines))


def _records(content: bytes) -> list[tuple[int, Any]]:
    lines = content.decode("latin-1").replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise invalid("line 1", "an OCR giro file starts with record type 10")
    out: list[tuple[int, Any]] = []
    for number, line in enumerate(lines, start=1):
        where = f"line {number}"
        if len(line) != RECORD_LENGTH or not line.startswith("NY"):
            raise invalid(where, f"a record is {RECORD_LENGTH} characters starting with NY")
        cls = _RECORDS.get(line[6:8])
        if cls is None:
            raise invalid(where, f"record type {line[6:8]!r} is not one of OCR giro's")
        try:
            out.append((number, cls.from_string(line)))
        except (ValueError, TypeError) as exc:
            raise invalid(where, f"not a valid {cls.__name__} record: {exc}") from exc
    return out


def _read(reader: _Reader, number: int, record: Any) -> None:
    where = f"line {number}"
    if isinstance(record, AssignmentStart):
        if reader.assignment is not None:
            raise invalid(where, "an assignment starts before the last one ended")
        if record.service_code != ServiceCode.OCR_GIRO:
            raise invalid(where, "not an OCR giro assignment (service code 09)")
        reader.assignment = _Assignment(Receiver("account", record.assignment_account))
        return
    assignment = reader.assignment
    if assignment is None:
        raise invalid(where, "a record outside an assignment (20 … 88)")
    assignment.records += 1
    if isinstance(record, AssignmentEnd):
        _end_assignment(reader, assignment, where, record)
    elif isinstance(record, TransactionAmountItem1):
        if reader.pending is not None:
            raise invalid(where, "amount item 1 before the last transaction's amount item 2")
        reader.pending = (where, record)
    elif isinstance(record, TransactionAmountItem2):
        _transaction(reader, assignment, where, record)
    elif isinstance(record, TransactionAmountItem3):
        last = reader.lines[-1] if reader.lines else None
        if last is None or reader.pending is not None:
            raise invalid(where, "amount item 3 follows a transaction's amount item 2")
    else:
        raise invalid(where, f"record type {type(record).__name__} inside an assignment")


def _transaction(
    reader: _Reader, assignment: _Assignment, where: str, item2: TransactionAmountItem2
) -> None:
    if reader.pending is None:
        raise invalid(where, "amount item 2 without its amount item 1")
    first_where, item1 = reader.pending
    reader.pending = None
    if item2.transaction_number != item1.transaction_number:
        raise invalid(where, "amount item 2 of another transaction than the item 1 before it")
    negative = item1.sign == "-"
    amount = -item1.amount if negative else item1.amount
    assignment.transactions += 1
    assignment.total += amount
    kid = (item1.kid or "").strip()
    reader.lines.append(
        BankLine(
            location=first_where,
            references=(kid,) if kid else (),
            amount=amount,
            currency=CURRENCY,
            paid_on=item1.nets_date,
            receiver=assignment.receiver,
            payer=f"account {item2.debit_account}" if item2.debit_account else None,
            kind=LineKind.DEDUCTION if negative else LineKind.PAYMENT,
        )
    )


def _end_assignment(
    reader: _Reader, assignment: _Assignment, where: str, end: AssignmentEnd
) -> None:
    if reader.pending is not None:
        raise invalid(where, "the assignment ends inside a transaction")
    _check_totals(
        where,
        end,
        transactions=assignment.transactions,
        records=assignment.records,
        total=assignment.total,
    )
    reader.transactions += assignment.transactions
    reader.total += assignment.total
    reader.assignment = None


def _check_totals(where: str, end: Any, *, transactions: int, records: int, total: int) -> None:
    if end.num_transactions != transactions:
        said = end.num_transactions
        raise checksum(where, f"the end record counts {said} transactions, found {transactions}")
    if end.num_records != records:
        raise checksum(where, f"the end record counts {end.num_records} records, found {records}")
    if (end.total_amount or 0) != total:
        raise checksum(where, f"the end record's total is {end.total_amount}, the sum is {total}")
