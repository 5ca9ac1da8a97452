"""Bank files for the tests, built record by record as the published samples are.

* BgMax: the layout of Bankgirot's example file "Bankgiro Inbetalningar, exempelfil, avtal om
  OCR-kontroll, checksiffra och längd" (``files/bgmax_bankgirot_sample.txt``): TK01 start,
  per section TK05 opening, TK20 payments (each with its TK26 name), TK15 deposit, TK70 end.
* OCR giro: the record types of Nets' sample ``files/ocr_giro_nets_sample.txt``, each line
  written by netsgiro's record classes (10, 20, 30/31 per transaction, 88, 89).
* camt.054.001.02: the elements BkToCstmrDbtCdtNtfctn / GrpHdr / Ntfctn / Acct / Ntry /
  NtryDtls / TxDtls / RmtInf / Strd / CdtrRefInf / Ref of the ISO 20022 message definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from netsgiro import AssignmentType, ServiceCode, TransactionType
from netsgiro.records import (
    AssignmentEnd,
    AssignmentStart,
    TransactionAmountItem1,
    TransactionAmountItem2,
    TransmissionEnd,
    TransmissionStart,
)


@dataclass(frozen=True)
class Pay:
    reference: str
    amount: int  # öre
    payer: str = "Kalles Plåt AB"


def bgmax(
    bankgiro: str, payments: list[Pay], *, stamp: str = "20250415173035010331", **wrong: int
) -> bytes:
    """One section paid to ``bankgiro``. ``wrong``: deposit_amount, deposit_count,
    end_payments override what the records would say (to break a checksum)."""
    bg = "".join(ch for ch in bankgiro if ch.isdigit()).zfill(10)
    lines = [f"01{'BGMAX':<20}01{stamp}P", f"05{bg}{'':10}SEK"]
    for i, p in enumerate(payments, start=1):
        lines.append(f"20{'0003783511'}{p.reference:>25}{p.amount:018d}22{i:012d}0")
        lines.append(f"26{p.payer}")
    amount = wrong.get("deposit_amount", sum(p.amount for p in payments))
    count = wrong.get("deposit_count", len(payments))
    lines.append(f"15{'58410000010098232':0>35}2025041500074{amount:018d}SEK{count:08d}")
    end = wrong.get("end_payments", len(payments))
    lines.append(f"70{end:08d}{0:08d}{0:08d}{1:08d}")
    return ("\r\n".join(line.ljust(80) for line in lines) + "\r\n").encode("latin-1")


def ocr_giro(account: str, payments: list[Pay], *, number: str = "0170031", **wrong: int) -> bytes:
    """One OCR giro assignment to ``account`` (11 digits); ``wrong``: assignment_total."""
    settled = date(2025, 4, 15)
    records: list[str] = [
        TransmissionStart(
            service_code=ServiceCode.NONE,
            transmission_number=number,
            data_transmitter="00008080",
            data_recipient="00010200",
        ).to_ocr(),
        AssignmentStart(
            service_code=ServiceCode.OCR_GIRO,
            assignment_type=AssignmentType.TRANSACTIONS,
            assignment_number="0000002",
            assignment_account=account,
            agreement_id="001008566",
        ).to_ocr(),
    ]
    for i, p in enumerate(payments, start=1):
        common = {"service_code": ServiceCode.OCR_GIRO, "transaction_number": i}
        kind = TransactionType.FROM_GIRO_DEBITED_ACCOUNT
        records.append(
            TransactionAmountItem1(
                **common,
                transaction_type=kind,
                nets_date=settled,
                amount=p.amount,
                kid=p.reference,
                centre_id="13",
                day_code=15,
                partial_settlement_number=1,
                partial_settlement_serial_number="01464",
                sign="0",
            ).to_ocr()
        )
        records.append(
            TransactionAmountItem2(
                **common,
                transaction_type=kind,
                reference="099038562",
                form_number="9636827194",
                bank_date=settled,
                debit_account="99990512341",
            ).to_ocr()
        )
    total = sum(p.amount for p in payments)
    records.append(
        AssignmentEnd(
            service_code=ServiceCode.OCR_GIRO,
            assignment_type=AssignmentType.TRANSACTIONS,
            num_transactions=len(payments),
            num_records=len(records),
            total_amount=wrong.get("assignment_total", total),
            nets_date_1=settled,
            nets_date_2=settled,
            nets_date_3=settled,
        ).to_ocr()
    )
    records.append(
        TransmissionEnd(
            service_code=ServiceCode.NONE,
            num_transactions=len(payments),
            num_records=len(records) + 1,
            total_amount=total,
            nets_date=settled,
        ).to_ocr()
    )
    return ("\n".join(records) + "\n").encode("latin-1")


@dataclass(frozen=True)
class Entry:
    amount: str  # as the XML has it, "125.00"
    currency: str
    references: tuple[str, ...] = ()
    #: Amounts of the entry's transactions (several: a batch); none: one with the entry's.
    transactions: tuple[str, ...] = ()


def camt054(account: str, entries: list[Entry], *, msg_id: str = "NTFCTN-20250415-1") -> bytes:
    ntries = []
    for e in entries:
        amounts = e.transactions or (None,)
        txs = []
        for i, tx_amount in enumerate(amounts):
            refs = e.references[i : i + 1] if e.transactions else e.references
            strd = "".join(
                f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
                f"<Ref>{escape(r)}</Ref></CdtrRefInf></Strd>"
                for r in refs
            )
            amt = f'<Amt Ccy="{e.currency}">{tx_amount}</Amt>' if tx_amount else ""
            txs.append(
                f"<TxDtls>{amt}<RltdPties><Dbtr><Nm>Kunde A/S</Nm></Dbtr></RltdPties>"
                f"<RmtInf>{strd}</RmtInf></TxDtls>"
            )
        ntries.append(
            f'<Ntry><Amt Ccy="{e.currency}">{e.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>2025-04-15</Dt></BookgDt>"
            f"<ValDt><Dt>2025-04-15</Dt></ValDt><BkTxCd/>"
            f"<NtryDtls>{''.join(txs)}</NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">\n'
        f"<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>{msg_id}</MsgId>"
        "<CreDtTm>2025-04-15T18:00:00</CreDtTm></GrpHdr>\n"
        "<Ntfctn><Id>NTF-1</Id><CreDtTm>2025-04-15T18:00:00</CreDtTm>"
        f"<Acct><Id><Othr><Id>{account}</Id></Othr></Id></Acct>\n"
        + "\n".join(ntries)
        + "\n</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n"
    ).encode("utf-8")
