"""How to pay an invoice (BG-16), from the seller's bank details as the invoice keeps them.

The ways the seller can be paid, in the order a payer should prefer, each with the invoice's
payment reference (OCR, KID, FIK payment id) as the remittance (BT-83). UBL allows several
payment means only with one code and one payment id (UBL-SR-44, UBL-SR-47): the first way
chooses the code, and the others of that code follow it (a bankgiro, then PlusGiro and IBAN):

* Sweden: bankgiro, then PlusGiro, as credit transfers (``30``) to the giro number with
  ``SE:BANKGIRO`` / ``SE:PLUSGIRO`` as the financial institution (Swedish Peppol practice,
  SE-R-011); then an IBAN with its BIC;
* Norway: the account number (11 digits), then an IBAN, as credit transfers (``30``);
* Denmark: FIK (``93``: the creditor number as the account, ``71#`` + the payment id,
  DK-R-010/011) when the reference is a FIK +71 payment id; the account (``42``: account
  number and reg.nr., DK-R-006); an IBAN (``31`` with its BIC between Danish parties, who may
  not use ``30``: DK-R-005; ``30`` abroad). An IBAN without a BIC is left out between Danish
  parties (DK-R-006).

Credit notes carry none: the seller pays back, or keeps it as credit. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

from billing.domain.references import ReferenceScheme, is_valid_reference
from billing.peppol.codes import FIK_CARD_TYPE, SE_BANKGIRO, SE_PLUSGIRO, MeansCode
from billing.peppol.model import PaymentMeans

#: A Danish account as stored: reg.nr. (4 digits) then the account number.
_DK_REGISTRATION = 4


def _iban(bank: Mapping[str, str], reference: str | None, *, code: MeansCode) -> list[PaymentMeans]:
    if not bank.get("iban"):
        return []
    return [PaymentMeans(code, bank["iban"], reference, bank.get("bic"))]


def _swedish(bank: Mapping[str, str], reference: str | None) -> list[PaymentMeans]:
    out = [
        PaymentMeans(MeansCode.CREDIT_TRANSFER, bank[name], reference, institution)
        for name, institution in (("bankgiro", SE_BANKGIRO), ("plusgiro", SE_PLUSGIRO))
        if bank.get(name)
    ]
    return out + _iban(bank, reference, code=MeansCode.CREDIT_TRANSFER)


def _norwegian(bank: Mapping[str, str], reference: str | None) -> list[PaymentMeans]:
    out = []
    if bank.get("account"):
        out.append(PaymentMeans(MeansCode.CREDIT_TRANSFER, bank["account"], reference))
    return out + _iban(bank, reference, code=MeansCode.CREDIT_TRANSFER)


def _danish(
    bank: Mapping[str, str], reference: str | None, *, domestic: bool
) -> list[PaymentMeans]:
    out = []
    creditor = bank.get("creditor")
    if creditor and reference and is_valid_reference(ReferenceScheme.FIK71, reference):
        payment_id = f"{FIK_CARD_TYPE}#{reference}"
        out.append(PaymentMeans(MeansCode.REFERENCE_GIRO, creditor, payment_id))
    account = bank.get("account")
    if account:
        reg, number = account[:_DK_REGISTRATION], account[_DK_REGISTRATION:]
        out.append(PaymentMeans(MeansCode.BANK_ACCOUNT, number, reference, reg))
    if domestic and not bank.get("bic"):
        return out
    code = MeansCode.DEBIT_TRANSFER if domestic else MeansCode.CREDIT_TRANSFER
    return out + _iban(bank, reference, code=code)


def payment_means(
    *,
    seller_country: str,
    buyer_country: str,
    bank: Mapping[str, str],
    reference: str | None,
) -> tuple[PaymentMeans, ...]:
    """The ways to pay an invoice of a seller in ``seller_country`` (module docstring)."""
    if seller_country == "SE":
        ways = _swedish(bank, reference)
    elif seller_country == "NO":
        ways = _norwegian(bank, reference)
    elif seller_country == "DK":
        ways = _danish(bank, reference, domestic=buyer_country == "DK")
    else:
        ways = _iban(bank, reference, code=MeansCode.CREDIT_TRANSFER)
    return tuple(w for w in ways if (w.code, w.payment_id) == (ways[0].code, ways[0].payment_id))
