"""The exact arithmetic of the UBL documents: decimals, net lines of a gross price list, unit
prices that multiply back to the line (PEPPOL-EN16931-R120), and which Accept header gets XML.
One class per rule, amounts by hand; Hypothesis for the invariants.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.domain.vat import LineTax, TaxCode, vat_of
from billing.errors import Conflict
from billing.http.routers.xml import prefers_xml
from billing.peppol.amounts import (
    checked_digits,
    decimal_text,
    line_quantity,
    major,
    net_lines,
    unit_price,
)
from billing.peppol.codes import Identifier, electronic_address
from billing.peppol.payment import payment_means


class TestDecimals:
    def test_minor_units_with_the_currency_digits(self) -> None:
        assert major(12_500, 2) == "125.00"
        assert major(-1, 2) == "-0.01"
        assert major(0, 2) == "0.00"
        assert major(500, 0) == "500"

    def test_more_than_two_decimals_is_refused(self) -> None:
        assert checked_digits("SEK", 2) == 2
        with pytest.raises(Conflict) as e:
            checked_digits("KWD", 3)
        assert e.value.code == "document_not_peppol_ready"

    def test_decimal_text_has_no_trailing_zeros(self) -> None:
        assert [decimal_text(Decimal(x)) for x in ("25", "12.50", "100.000", "0.0000")] == [
            "25",
            "12.5",
            "100",
            "0",
        ]


class TestNetLines:
    def test_largest_remainder_by_hand(self) -> None:
        # Gross 9 999 + 1 001 = 11 000, taxable 8 800 (VAT 2 200): shares 7 999.2 and 800.8;
        # floors 7 999 + 800 = 8 799, the one unit left goes to the larger remainder (0.8).
        assert net_lines([9_999, 1_001], 8_800) == [7_999, 801]

    def test_credit_lines_are_split_the_same_way_negative(self) -> None:
        assert net_lines([-9_999, -1_001], -8_800) == [-7_999, -801]

    def test_zero_lines_stay_zero(self) -> None:
        assert net_lines([0, 12_500], 10_000) == [0, 10_000]
        assert net_lines([0, 0], 0) == [0, 0]

    def test_mixed_signs_still_add_up(self) -> None:
        parts = net_lines([12_500, -2_500], 8_000)
        assert sum(parts) == 8_000

    @given(
        st.lists(st.integers(0, 10**7), min_size=1, max_size=12),
        st.sampled_from([600, 1_200, 1_500, 2_500]),
    )
    def test_parts_add_up_to_the_taxable_amount(self, gross: list[int], rate: int) -> None:
        total = sum(gross)
        taxable = total - vat_of(total, LineTax(TaxCode.STANDARD, rate, inclusive=True))
        parts = net_lines(gross, taxable)
        assert sum(parts) == taxable
        # Each within one unit of its exact share, never above its gross.
        for g, p in zip(gross, parts, strict=True):
            if total:
                assert abs(p * total - g * taxable) < total
            assert 0 <= p <= g


class TestUnitPrice:
    def test_exact_division_is_exact(self) -> None:
        assert unit_price(10_000, 1, 2) == Decimal("100")
        assert unit_price(9_999, 3, 2) == Decimal("33.33")

    def test_inexact_division_gets_decimals_by_the_quantity(self) -> None:
        # 7 999 / 3 = 2 666.333… öre: 2 + 1 + 1 decimals of a krona, half up.
        assert unit_price(7_999, 3, 2) == Decimal("26.6633")

    def test_negative_lines_have_a_positive_price_and_a_negative_quantity(self) -> None:
        assert unit_price(-1_500, 3, 2) == Decimal("5")
        assert line_quantity(-1_500, 3) == -3
        assert line_quantity(1_500, 0) == 1

    @given(st.integers(-(10**10), 10**10), st.integers(0, 10**6))
    def test_quantity_times_price_is_the_line_within_r120(self, net: int, quantity: int) -> None:
        q = line_quantity(net, quantity)
        price = unit_price(net, quantity, 2)
        assert price >= 0
        assert abs(Decimal(q) * price - Decimal(net).scaleb(-2)) <= Decimal("0.0005")


class TestElectronicAddress:
    def test_organisation_number_under_its_country_scheme(self) -> None:
        assert electronic_address("SE", "5566778899", None) == Identifier("5566778899", "0007")
        assert electronic_address("NO", "988077917", None) == Identifier("988077917", "0192")
        assert electronic_address("DK", "25313704", None) == Identifier("25313704", "0184")

    def test_else_the_organisation_number_inside_the_vat_number(self) -> None:
        found = electronic_address("NO", None, "NO988077917MVA")
        assert found == Identifier("988077917", "0192")

    def test_abroad_the_vat_number_under_its_eas_vat_scheme(self) -> None:
        assert electronic_address("DE", None, "DE136695976") == Identifier("DE136695976", "9930")
        assert electronic_address("DE", "HRB 1234", None) is None
        assert electronic_address("US", None, None) is None


class TestPaymentMeans:
    def test_one_code_per_invoice(self) -> None:
        # UBL-SR-47: bankgiro first; the IBAN is the same code (30), so it follows.
        means = payment_means(
            seller_country="SE",
            buyer_country="SE",
            bank={"bankgiro": "50501055", "iban": "SE4550000000058398257466", "bic": "ESSESESS"},
            reference="1234567890",
        )
        assert [(m.code.value, m.account, m.institution) for m in means] == [
            ("30", "50501055", "SE:BANKGIRO"),
            ("30", "SE4550000000058398257466", "ESSESESS"),
        ]

    def test_danish_account_without_fik(self) -> None:
        means = payment_means(
            seller_country="DK",
            buyer_country="DK",
            bank={"account": "44400440116243"},
            reference=None,
        )
        assert [(m.code.value, m.account, m.institution) for m in means] == [
            ("42", "0440116243", "4440")
        ]


class TestAccept:
    @pytest.mark.parametrize(
        ("accept", "xml"),
        [
            ("", False),
            ("*/*", False),
            ("application/json", False),
            ("application/xml", True),
            ("text/xml", True),
            ("application/xml, */*;q=0.8", True),
            ("application/json, application/xml", False),
            ("application/xml, application/json", True),
            ("application/json;q=0.4, application/xml;q=0.5", True),
            ("application/xml;q=0", False),
            ("application/xml;q=bad", False),
        ],
    )
    def test_xml_only_when_preferred_to_json(self, accept: str, xml: bool) -> None:
        assert prefers_xml(accept) is xml
