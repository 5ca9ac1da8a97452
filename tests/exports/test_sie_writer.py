"""The SIE writer and the journal's rules, without a database: amounts from minor units with a
point and two decimals, quoting, the account types, and a refusal of what would not balance."""

from __future__ import annotations

from datetime import date

import pytest

from billing.domain.vat import LineTax, TaxCode
from billing.exports.accounts import Account, Chart
from billing.exports.journal import CREDIT_NOTE, INVOICE, DocumentFacts, Line, sale_rows
from billing.exports.sie import (
    FiscalYear,
    SieFile,
    Trans,
    Verification,
    account_type,
    amount_text,
    field,
    render,
)
from tests.exports.sie_reader import read


@pytest.mark.parametrize(
    ("minor", "text"),
    [(0, "0.00"), (5, "0.05"), (-5, "-0.05"), (12_500, "125.00"), (-123_456_789, "-1234567.89")],
)
def test_amounts_are_decimals_from_minor_units(minor: int, text: str) -> None:
    assert amount_text(minor) == text


def test_fields_are_quoted_when_they_need_it() -> None:
    assert field("1510") == "1510"
    assert field("Kund AB") == '"Kund AB"'
    assert field('Säg "hej"') == '"Säg \\"hej\\""'
    assert field("") == '""'
    assert field("rad\nbrytning") == '"rad brytning"'


def test_account_types_follow_the_bas_classes() -> None:
    assert [account_type(a) for a in ("1510", "2611", "3001", "4010", "8313", "8410")] == [
        "T",
        "S",
        "I",
        "K",
        "I",
        "K",
    ]


def _file(*verifications: Verification) -> SieFile:
    return SieFile(
        program="billing",
        version="0.1.0",
        generated=date(2025, 5, 2),
        company="Åkeri & Söner AB",
        organisation_number="556036-0793",
        years=(FiscalYear(0, date(2025, 1, 1), date(2025, 12, 31)),),
        currency="SEK",
        accounts={"1510": "Kundfordringar", "3001": "Försäljning"},
        verifications=verifications,
    )


def test_a_file_is_code_page_437_with_crlf_and_reads_back() -> None:
    v = Verification(
        "F", 1, date(2025, 4, 1), "Faktura 1", (Trans("1510", 100), Trans("3001", -100))
    )
    content = render(_file(v))
    assert content.startswith(b"#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 4\r\n")
    assert b'#FNAMN "\x8fkeri & S\x94ner AB"\r\n' in content  # Å 0x8F, ö 0x94
    sie = read(content)
    assert [(v.series, v.number, v.day, v.trans) for v in sie.vers] == [
        ("F", "1", "20250401", [("1510", 100), ("3001", -100)])
    ]


def test_an_unbalanced_verification_or_an_undeclared_account_is_not_written() -> None:
    bad = Verification("F", 1, date(2025, 4, 1), "x", (Trans("1510", 100), Trans("3001", -99)))
    with pytest.raises(ValueError, match="unbalanced"):
        render(_file(bad))
    stray = Verification("F", 1, date(2025, 4, 1), "x", (Trans("1510", 1), Trans("9999", -1)))
    with pytest.raises(ValueError, match="#KONTO"):
        render(_file(stray))


def _gross_invoice(doc_type: str) -> DocumentFacts:
    """Two products on a gross price list at 25 %: 6 250 and 6 251 öre as priced, Σ 12 501;
    VAT R(12 501 × 25/125) = R(2 500.2) = 2 500; net 10 001, split 6 250 : 6 251 by largest
    remainder: 10 001 × 6 250/12 501 = 5 000.2 → 5 000; 10 001 × 6 251/12 501 = 5 000.8
    → 5 001 (the left-over öre to the larger remainder)."""
    tax = LineTax(TaxCode.STANDARD, 2500, inclusive=True)
    row = {"code": "standard", "rate": 2500, "inclusive": True, "lines": 12_501}
    return DocumentFacts(
        type=doc_type,
        number="SE-INV-000001",
        day=date(2025, 4, 1),
        total=12_501,
        net_total=10_001,
        vat_total=2_500,
        breakdown=[{**row, "taxable": 10_001, "vat": 2_500}],
        lines=(Line("plan:a", tax, 6_250), Line("plan:b", tax, 6_251)),
    )


def test_revenue_is_split_over_products_exactly() -> None:
    chart = Chart({"plan:a": Account("3011", "Licens A"), "plan:b": Account("3012", "Licens B")})
    rows = sale_rows(_gross_invoice(INVOICE), chart)
    assert rows == (
        Trans("1510", 12_501),
        Trans("3011", -5_000),
        Trans("3012", -5_001),
        Trans("2611", -2_500),
    )
    reversed_rows = sale_rows(_gross_invoice(CREDIT_NOTE), chart)
    assert reversed_rows == tuple(Trans(r.account, -r.amount) for r in rows)


def _reminder_invoice() -> DocumentFacts:
    """A reminder invoice: fee 6 000, förseningsersättning 45 000, interest 41, one row
    outside the scope of VAT (51 041, no VAT)."""
    tax = LineTax(TaxCode.OUTSIDE_SCOPE, 0)
    row = {"code": "outside_scope", "rate": 0, "inclusive": False, "lines": 51_041}
    return DocumentFacts(
        type=INVOICE,
        number="SE-INV-000009",
        day=date(2025, 4, 11),
        total=51_041,
        net_total=51_041,
        vat_total=0,
        breakdown=[{**row, "taxable": 51_041, "vat": 0}],
        lines=(
            Line("reminder_fee", tax, 6_000),
            Line("late_compensation", tax, 45_000),
            Line("late_interest", tax, 41),
        ),
    )


def test_a_reminder_invoice_books_its_charges_on_their_own_accounts() -> None:
    # Defaults: fee and compensation 3990, interest 8313; nothing on 3305, the outside-the-
    # scope row's account (exports of services).
    assert sale_rows(_reminder_invoice(), Chart({})) == (
        Trans("1510", 51_041),
        Trans("3990", -51_000),
        Trans("8313", -41),
    )
    # A seller's own account for one of them; a changed account of the row's revenue key
    # does not move them.
    chart = Chart(
        {
            "late_compensation": Account("3999", "Förseningsersättning"),
            "revenue:outside_scope": Account("3306", "Tjänster utanför EU"),
        }
    )
    assert sale_rows(_reminder_invoice(), chart) == (
        Trans("1510", 51_041),
        Trans("3990", -6_000),
        Trans("3999", -45_000),
        Trans("8313", -41),
    )


def _usage_invoice(code: TaxCode, rate: int) -> DocumentFacts:
    """A licence line of 10 000 and a usage charge of 3 000, both in one VAT row."""
    tax = LineTax(code, rate)
    vat = 13_000 * rate // 10_000
    row = {"code": code.value, "rate": rate, "inclusive": False, "lines": 13_000}
    return DocumentFacts(
        type=INVOICE,
        number="SE-INV-000010",
        day=date(2025, 4, 1),
        total=13_000 + vat,
        net_total=13_000,
        vat_total=vat,
        breakdown=[{**row, "taxable": 13_000, "vat": vat}],
        lines=(Line("plan:a", tax, 10_000), Line("usage", tax, 3_000)),
    )


def test_usage_is_booked_on_the_usage_key_of_its_vat_row() -> None:
    assert sale_rows(_usage_invoice(TaxCode.STANDARD, 1200), Chart({})) == (
        Trans("1510", 14_560),
        Trans("3002", -10_000),
        Trans("3012", -3_000),
        Trans("2621", -1_560),
    )
    assert sale_rows(_usage_invoice(TaxCode.EXEMPT, 0), Chart({}))[2] == Trans("3014", -3_000)
    # No usage default where the VAT return reads the row's own account: reverse charge
    # stays on 3308, unless the seller's chart names one.
    assert sale_rows(_usage_invoice(TaxCode.REVERSE_CHARGE, 0), Chart({})) == (
        Trans("1510", 13_000),
        Trans("3308", -13_000),
    )
    chart = Chart({"usage:reverse_charge": Account("3309", "Förbrukning, EU")})
    assert sale_rows(_usage_invoice(TaxCode.REVERSE_CHARGE, 0), chart)[2] == Trans("3309", -3_000)
