"""The VAT rules (billing.domain.vat and its use in billing.domain.posting), one class per rule,
with the amounts worked out by hand.

Amounts are öre. ``R`` is round half up. Rates are in hundredths of a percent (``2500`` is
25 %). ``V(x)`` is the VAT of ``x`` öre of lines of one tax: ``R(rate × x)`` for net prices,
``R(x × rate / (1 + rate))`` for gross (VAT-inclusive) prices.
"""

from __future__ import annotations

from datetime import date

import pytest
from builders import d

from billing.domain.errors import InvalidInput
from billing.domain.ledger import Entry, EntryKind
from billing.domain.posting import (
    DocumentType,
    Issuer,
    PostingPlan,
    TaxBook,
    lock_order,
    plan_posting,
)
from billing.domain.references import ReferenceScheme, is_valid_reference, payment_reference
from billing.domain.vat import (
    RATES,
    UNTAXED,
    BuyerTax,
    LineTax,
    SellerTax,
    TaxCategory,
    TaxCode,
    Treatment,
    VatLine,
    credit_vat,
    invoice_vat,
    line_tax,
    rate_on,
    totals,
    treatment,
    vat_of,
)

STD = LineTax(TaxCode.STANDARD, 2500)
STD_GROSS = LineTax(TaxCode.STANDARD, 2500, inclusive=True)
FOOD_12 = LineTax(TaxCode.FOOD, 1200)
FOOD_6 = LineTax(TaxCode.FOOD, 600)
EXEMPT = LineTax(TaxCode.EXEMPT, 0)
#: The breakdown rows lines taxed at 12 % and 6 % are summed in, whatever their category.
S12 = LineTax(TaxCode.STANDARD, 1200)
S6 = LineTax(TaxCode.STANDARD, 600)

SE_SELLER = SellerTax("SE", vat_registered=True)
NO_SELLER = SellerTax("NO", vat_registered=True)


def business(country: str, *, vat_number: bool = True) -> BuyerTax:
    return BuyerTax(country, business=True, has_vat_number=vat_number)


def consumer(country: str) -> BuyerTax:
    return BuyerTax(country, business=False, has_vat_number=False)


def charge(amount: int, start: date, item: str = "main") -> Entry:
    """A charge of ``amount`` for ``[start, the 1st of the next month)``: supplied from
    ``start``."""
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return Entry(item, EntryKind.CHARGE, start, end, start, end, amount, 1, amount, amount, "E1")


def credit(of: str, amount: int, start: date = date(2026, 3, 1)) -> Entry:
    end = date(2026, 4, 1)
    return Entry(
        "main", EntryKind.CREDIT, start, end, start, end, amount, 1, amount, -amount, "E2", of
    )


def se_domestic(category: TaxCategory, *, inclusive: bool = False) -> TaxBook:
    """A Swedish seller's domestic sale: every new charge of ``category``, taxed on its supply
    date (first served day)."""

    def tax(entry: Entry) -> LineTax:
        return line_tax(
            category,
            Treatment.DOMESTIC,
            country="SE",
            supply_date=entry.service_start,
            inclusive=inclusive,
        )

    return TaxBook(charge=tax)


SE_ISSUER = Issuer(seller_id="sel_se", prefix="SE")


def post(
    new: list[Entry],
    *,
    taxes: TaxBook,
    on: date = date(2026, 4, 15),
    invoice_of: dict[str, str] | None = None,
) -> PostingPlan:
    return plan_posting(
        new,
        invoice_of=invoice_of or {},
        currency="SEK",
        issue_date=on,
        payment_terms_days=30,
        taxes=taxes,
        issuer=SE_ISSUER,
    )


class TestRatesFollowTheSupplyDate:
    def test_swedish_food_12_then_6_then_12_again(self) -> None:
        # prop. 2025/26:55: 6 % for food supplied 2026-04-01 .. 2027-12-31, 12 % around it.
        assert rate_on("SE", TaxCategory.FOOD, d("2026-03-31")) == 1200
        assert rate_on("SE", TaxCategory.FOOD, d("2026-04-01")) == 600
        assert rate_on("SE", TaxCategory.FOOD, d("2027-12-31")) == 600
        assert rate_on("SE", TaxCategory.FOOD, d("2028-01-01")) == 1200

    def test_the_other_rates_of_each_country(self) -> None:
        assert [
            rate_on("SE", c, d("2026-06-01"))
            for c in (TaxCategory.STANDARD, TaxCategory.REDUCED, TaxCategory.REDUCED_LOW)
        ] == [2500, 1200, 600]
        assert [
            rate_on("NO", c, d("2026-06-01"))
            for c in (
                TaxCategory.STANDARD,
                TaxCategory.REDUCED,
                TaxCategory.FOOD,
                TaxCategory.REDUCED_LOW,
            )
        ] == [2500, 1500, 1500, 1200]
        assert [
            rate_on("DK", c, d("2026-06-01")) for c in (TaxCategory.STANDARD, TaxCategory.FOOD)
        ] == [2500, 2500]

    def test_supplied_the_day_before_the_change_the_old_rate_on_the_same_invoice(self) -> None:
        # Both lines issued on 2026-04-15; 10 000 supplied from 2026-03-31 at 12 %:
        # VAT 1 200; 10 000 supplied from 2026-04-01 at 6 %: VAT 600. Net 20 000, VAT 1 800.
        p = post(
            [charge(10_000, d("2026-03-31")), charge(10_000, d("2026-04-01"))],
            taxes=se_domestic(TaxCategory.FOOD),
        )
        (invoice,) = p.documents
        assert invoice.taxes == (FOOD_12, FOOD_6)
        assert invoice.vat == (
            VatLine(S12, 10_000, 10_000, 1_200),
            VatLine(S6, 10_000, 10_000, 600),
        )
        assert (invoice.net_total, invoice.vat_total, invoice.total) == (20_000, 1_800, 21_800)

    def test_the_issue_date_does_not_choose_the_rate(self) -> None:
        # Supplied in March 2026, invoiced in 2027 (6 % then): still 12 %.
        (invoice,) = post(
            [charge(10_000, d("2026-03-01"))],
            taxes=se_domestic(TaxCategory.FOOD),
            on=d("2027-01-01"),
        ).documents
        assert invoice.taxes == (FOOD_12,) and invoice.vat_total == 1_200

    def test_a_rate_table_can_be_given(self) -> None:
        table = {("SE", TaxCategory.STANDARD): ((date.min, 2500), (d("2030-01-01"), 2000))}
        assert rate_on("SE", TaxCategory.STANDARD, d("2029-12-31"), rates=table) == 2500
        assert rate_on("SE", TaxCategory.STANDARD, d("2030-01-01"), rates=table) == 2000


class TestAMissingRateIsRefused:
    @pytest.mark.parametrize("category", [TaxCategory.REDUCED, TaxCategory.REDUCED_LOW])
    def test_denmark_has_no_reduced_rate(self, category: TaxCategory) -> None:
        with pytest.raises(InvalidInput) as refused:
            rate_on("DK", category, d("2026-06-01"))
        assert refused.value.code == "vat_rate_missing"

    def test_never_billed_at_0_percent_on_a_domestic_line(self) -> None:
        with pytest.raises(InvalidInput) as refused:
            line_tax(
                TaxCategory.REDUCED, Treatment.DOMESTIC, country="DK", supply_date=d("2026-06-01")
            )
        assert refused.value.code == "vat_rate_missing"

    def test_a_country_not_in_the_table(self) -> None:
        with pytest.raises(InvalidInput) as refused:
            rate_on("FI", TaxCategory.STANDARD, d("2026-06-01"))
        assert refused.value.code == "vat_rate_missing"

    def test_no_rate_is_needed_when_the_sale_is_not_taxed_here(self) -> None:
        # A Danish reduced line reverse charged: no Danish rate is looked up.
        tax = line_tax(
            TaxCategory.REDUCED, Treatment.REVERSE_CHARGE, country="DK", supply_date=d("2026-06-01")
        )
        assert tax == LineTax(TaxCode.REVERSE_CHARGE, 0)


class TestExempt:
    @pytest.mark.parametrize("country", ["SE", "NO", "DK"])
    def test_exempt_is_0_percent_everywhere(self, country: str) -> None:
        assert rate_on(country, TaxCategory.EXEMPT, d("2026-06-01")) == 0
        tax = line_tax(
            TaxCategory.EXEMPT, Treatment.DOMESTIC, country=country, supply_date=d("2026-06-01")
        )
        assert tax == EXEMPT
        assert vat_of(1_000_000, tax) == 0

    def test_an_exempt_line_has_no_vat_and_its_taxable_amount_is_its_amount(self) -> None:
        assert invoice_vat([(EXEMPT, 5_000)]) == (VatLine(EXEMPT, 5_000, 5_000, 0),)


class TestTreatment:
    def test_same_country_is_domestic(self) -> None:
        assert treatment(SE_SELLER, consumer("SE")) is Treatment.DOMESTIC
        assert treatment(SE_SELLER, business("SE", vat_number=False)) is Treatment.DOMESTIC
        assert treatment(NO_SELLER, consumer("NO")) is Treatment.DOMESTIC

    def test_eu_business_with_a_vat_number_is_reverse_charged(self) -> None:
        assert treatment(SE_SELLER, business("DE")) is Treatment.REVERSE_CHARGE
        assert treatment(SellerTax("DK", True), business("SE")) is Treatment.REVERSE_CHARGE

    def test_eu_business_without_a_vat_number_is_refused(self) -> None:
        with pytest.raises(InvalidInput) as refused:
            treatment(SE_SELLER, business("DE", vat_number=False))
        assert refused.value.code == "reverse_charge_needs_vat_number"

    def test_business_outside_the_sellers_vat_area_is_outside_scope(self) -> None:
        assert treatment(SE_SELLER, business("NO")) is Treatment.OUTSIDE_SCOPE
        assert treatment(SE_SELLER, business("US", vat_number=False)) is Treatment.OUTSIDE_SCOPE
        # Norway is not in the EU: a Swedish business is abroad for a Norwegian seller.
        assert treatment(NO_SELLER, business("SE")) is Treatment.OUTSIDE_SCOPE
        assert treatment(NO_SELLER, business("SE", vat_number=False)) is Treatment.OUTSIDE_SCOPE

    def test_a_consumer_abroad_is_refused(self) -> None:
        for seller, buyer in ((SE_SELLER, consumer("DE")), (NO_SELLER, consumer("SE"))):
            with pytest.raises(InvalidInput) as refused:
                treatment(seller, buyer)
            assert refused.value.code == "vat_treatment_unsupported"

    def test_a_seller_without_vat_registration_charges_no_vat_to_anyone(self) -> None:
        unregistered = SellerTax("SE", vat_registered=False)
        assert treatment(unregistered, consumer("SE")) is Treatment.NOT_REGISTERED
        assert treatment(unregistered, consumer("DE")) is Treatment.NOT_REGISTERED
        tax = line_tax(
            TaxCategory.STANDARD,
            Treatment.NOT_REGISTERED,
            country="SE",
            supply_date=d("2026-06-01"),
        )
        assert tax == LineTax(TaxCode.NOT_REGISTERED, 0)

    def test_a_seller_in_finland_is_not_supported(self) -> None:
        with pytest.raises(InvalidInput) as refused:
            treatment(SellerTax("FI", vat_registered=True), consumer("FI"))
        assert refused.value.code == "seller_country_unsupported"

    def test_the_line_is_coded_by_its_treatment_when_not_domestic(self) -> None:
        for how, code in (
            (Treatment.REVERSE_CHARGE, TaxCode.REVERSE_CHARGE),
            (Treatment.OUTSIDE_SCOPE, TaxCode.OUTSIDE_SCOPE),
        ):
            tax = line_tax(TaxCategory.FOOD, how, country="SE", supply_date=d("2026-06-01"))
            assert tax == LineTax(code, 0)


class TestVatOfRoundsHalfUp:
    def test_net_prices(self) -> None:
        assert vat_of(2, STD) == 1  # 25 % of 2 = 0.5 → 1
        assert vat_of(6, STD) == 2  # 25 % of 6 = 1.5 → 2
        assert vat_of(1, STD) == 0  # 0.25 → 0
        assert vat_of(3, STD) == 1  # 0.75 → 1
        assert vat_of(1_250, FOOD_12) == 150  # 12 % of 1 250 = 150 exactly
        assert vat_of(24_995, STD) == 6_249  # 6 248.75 → 6 249

    def test_gross_prices(self) -> None:
        # VAT in 12 500 at 25 %: 12 500 × 25/125 = 2 500; taxable 10 000.
        assert vat_of(12_500, STD_GROSS) == 2_500
        assert invoice_vat([(STD_GROSS, 12_500)]) == (VatLine(STD_GROSS, 12_500, 10_000, 2_500),)
        # 14 öre at 12 % gross: 14 × 12/112 = 1.5 → 2; taxable 12.
        food_gross = LineTax(TaxCode.FOOD, 1200, inclusive=True)
        assert vat_of(14, food_gross) == 2
        assert invoice_vat([(food_gross, 14)]) == (VatLine(food_gross.group, 14, 12, 2),)
        # 7 öre at 25 % gross: 7/5 = 1.4 → 1; taxable 6.
        assert vat_of(7, STD_GROSS) == 1

    def test_a_0_percent_tax_is_no_vat(self) -> None:
        assert vat_of(999, UNTAXED) == vat_of(999, EXEMPT) == 0


class TestOneRoundingPerRateOnTheDocument:
    def test_three_lines_of_1_ore_at_25_percent(self) -> None:
        # Σ = 3; VAT R(0.75) = 1, not R(0.25) + R(0.25) + R(0.25) = 0.
        assert invoice_vat([(STD, 1), (STD, 1), (STD, 1)]) == (VatLine(STD, 3, 3, 1),)

    def test_mixed_standard_and_exempt(self) -> None:
        # 10 000 + 2 000 at 25 %: VAT 3 000; 5 000 exempt. Net 17 000, VAT 3 000, gross 20 000.
        rows = invoice_vat([(STD, 10_000), (EXEMPT, 5_000), (STD, 2_000)])
        assert rows == (VatLine(STD, 12_000, 12_000, 3_000), VatLine(EXEMPT, 5_000, 5_000, 0))
        money = totals(rows)
        assert (money.net, money.vat, money.gross) == (17_000, 3_000, 20_000)

    def test_net_and_gross_lines_are_separate_rows(self) -> None:
        # 12 500 gross → 10 000 + 2 500; 10 000 net → + 2 500. Gross 25 000.
        rows = invoice_vat([(STD_GROSS, 12_500), (STD, 10_000)])
        assert rows == (
            VatLine(STD_GROSS, 12_500, 10_000, 2_500),
            VatLine(STD, 10_000, 10_000, 2_500),
        )
        assert totals(rows).gross == 25_000

    def test_categories_at_the_same_rate_are_rounded_once(self) -> None:
        # domain.md: "VAT is computed per rate on the document and rounded half up once"
        # (EN 16931 BR-S-08: one breakdown per standard-rated rate). Danish food is 25 % like
        # everything else: 2 öre standard + 2 öre food are 4 öre at 25 %: VAT R(1.0) = 1, not
        # R(0.5) + R(0.5) = 2. (Likewise SE food and reduced at 12 % before 2026-04-01, NO food
        # and reduced at 15 %.)
        supplied = d("2026-06-01")
        standard = line_tax(
            TaxCategory.STANDARD, Treatment.DOMESTIC, country="DK", supply_date=supplied
        )
        food = line_tax(TaxCategory.FOOD, Treatment.DOMESTIC, country="DK", supply_date=supplied)
        rows = invoice_vat([(standard, 2), (food, 2)])
        assert totals(rows).vat == 1
        # one row of the rate, EN 16931 category S ("standard rated"), whatever the category
        assert rows == (VatLine(STD, 4, 4, 1),)

    def test_lines_without_vat_are_rows_of_their_reason(self) -> None:
        # Exempt and reverse-charged lines each print their own note: two rows at 0 %.
        reverse = LineTax(TaxCode.REVERSE_CHARGE, 0)
        assert invoice_vat([(EXEMPT, 100), (reverse, 200), (EXEMPT, 300)]) == (
            VatLine(EXEMPT, 400, 400, 0),
            VatLine(reverse, 200, 200, 0),
        )


class TestCreditNotesAreCumulativeAgainstTheirInvoice:
    @staticmethod
    def credited_in_notes(parts: list[int], tax: LineTax = STD) -> list[int]:
        """The VAT of each note giving back ``parts`` of one invoice, one after the other."""
        before: dict[LineTax, int] = {}
        out = []
        for part in parts:
            (row,) = credit_vat([(tax, part)], credited_before=before)
            out.append(row.vat)
            before[tax] = before.get(tax, 0) + row.lines
        return out

    def test_10_ore_credited_3_3_4(self) -> None:
        # Invoice: 10 öre at 25 %: VAT R(2.5) = 3. V(3) = R(0.75) = 1; V(6) = R(1.5) = 2;
        # V(10) = 3. Credited: 1 − 0, 2 − 1, 3 − 2 = 1, 1, 1: Σ 3, the invoice's VAT.
        assert vat_of(10, STD) == 3
        assert self.credited_in_notes([3, 3, 4]) == [1, 1, 1]

    def test_10_ore_credited_in_five_notes_of_2(self) -> None:
        # Each note alone would be R(0.5) = 1: 5 öre of VAT given back on an invoice of 3.
        # Cumulatively: V(2, 4, 6, 8, 10) = 1, 1, 2, 2, 3 → 1, 0, 1, 0, 1: Σ 3.
        assert self.credited_in_notes([2, 2, 2, 2, 2]) == [1, 0, 1, 0, 1]

    def test_3_ore_credited_1_1_1(self) -> None:
        # Invoice: 3 öre: VAT R(0.75) = 1. Each note alone R(0.25) = 0, Σ 0 of 1.
        # Cumulatively: V(1, 2, 3) = 0, 1, 1 → 0, 1, 0: Σ 1.
        assert self.credited_in_notes([1, 1, 1]) == [0, 1, 0]

    def test_a_partial_credit_never_gives_back_more_than_the_invoice(self) -> None:
        # Invoice 10 öre, VAT 3; 6 öre credited: V(6) = 2 ≤ 3.
        assert sum(self.credited_in_notes([2, 2, 2])) == 2

    def test_gross_prices(self) -> None:
        # Invoice 7 öre gross at 25 %: VAT R(1.4) = 1, taxable 6. Credited 3 then 4:
        # V(3) = R(0.6) = 1, V(7) = 1 → VAT 1, 0; taxable 3 − 1 = 2, 4 − 0 = 4: Σ 6 and 1.
        before: dict[LineTax, int] = {}
        (first,) = credit_vat([(STD_GROSS, 3)], credited_before=before)
        (second,) = credit_vat([(STD_GROSS, 4)], credited_before={STD_GROSS: 3})
        assert first == VatLine(STD_GROSS, 3, 2, 1)
        assert second == VatLine(STD_GROSS, 4, 4, 0)
        assert first.gross + second.gross == 7  # a gross price list gives back what it said

    def test_each_tax_is_cumulative_on_its_own(self) -> None:
        # Before: 2 öre at 25 % credited (V = 1). Now 2 at 25 %: V(4) − V(2) = 1 − 1 = 0;
        # and 5 at 12 %, none before at 12 % (100 at 6 % do not count): R(0.6) = 1.
        rows = credit_vat([(STD, 2), (FOOD_12, 5)], credited_before={STD: 2, S6: 100})
        assert rows == (VatLine(STD, 2, 2, 0), VatLine(S12, 5, 5, 1))

    def test_categories_at_the_same_rate_are_one_row_credited_cumulatively(self) -> None:
        # Invoice: food 5 + reduced 5, both 12 %: one row of 10, VAT R(1.2) = 1. The food is
        # given back first: V(5) = R(0.6) = 1; then the reduced line, with 5 given back
        # before in the same row: V(10) − V(5) = 1 − 1 = 0. Σ 1, the invoice's VAT (row by
        # category, 1 + 1 = 2 would be given back).
        (row,) = invoice_vat([(FOOD_12, 5), (LineTax(TaxCode.REDUCED, 1200), 5)])
        assert row == VatLine(S12, 10, 10, 1)
        (first,) = credit_vat([(FOOD_12, 5)], credited_before={})
        (second,) = credit_vat([(LineTax(TaxCode.REDUCED, 1200), 5)], credited_before={S12: 5})
        assert (first, second) == (VatLine(S12, 5, 5, 1), VatLine(S12, 5, 5, 0))


class TestPostingWithVat:
    def test_an_invoice_totals_its_gross(self) -> None:
        # 24 995 standard: VAT R(6 248.75) = 6 249; add-on 5 000 exempt. Net 29 995,
        # VAT 6 249, gross 36 244.
        def tax(entry: Entry) -> LineTax:
            return EXEMPT if entry.item == "addon:care" else STD

        p = post(
            [charge(24_995, d("2026-05-01")), charge(5_000, d("2026-05-01"), "addon:care")],
            taxes=TaxBook(charge=tax),
        )
        (invoice,) = p.documents
        assert invoice.taxes == (STD, EXEMPT)
        assert invoice.vat == (
            VatLine(STD, 24_995, 24_995, 6_249),
            VatLine(EXEMPT, 5_000, 5_000, 0),
        )
        assert (invoice.net_total, invoice.vat_total, invoice.total) == (29_995, 6_249, 36_244)
        assert (invoice.status, invoice.due_date) == ("open", d("2026-05-15"))
        data = invoice.issued_data(42, document_id="inv_1")
        assert (data["number"], data["total"], data["net_total"], data["vat_total"]) == (
            "SE-INV-000042",
            36_244,
            29_995,
            6_249,
        )

    def test_a_gross_price_list_invoice_asks_what_the_price_list_says(self) -> None:
        # 24 995 gross at 25 %: VAT R(24 995 / 5) = 4 999; net 19 996; total 24 995.
        (invoice,) = post(
            [charge(24_995, d("2026-05-01"))],
            taxes=se_domestic(TaxCategory.STANDARD, inclusive=True),
        ).documents
        assert (invoice.net_total, invoice.vat_total, invoice.total) == (19_996, 4_999, 24_995)

    def test_an_invoice_of_nothing_with_vat_is_paid(self) -> None:
        (invoice,) = post(
            [charge(0, d("2026-05-01"))], taxes=se_domestic(TaxCategory.STANDARD)
        ).documents
        assert (invoice.total, invoice.vat_total, invoice.status) == (0, 0, "paid")

    def test_reverse_charge_invoice_asks_the_net(self) -> None:
        def tax(entry: Entry) -> LineTax:
            return line_tax(
                TaxCategory.STANDARD,
                Treatment.REVERSE_CHARGE,
                country="SE",
                supply_date=entry.service_start,
            )

        (invoice,) = post([charge(10_000, d("2026-05-01"))], taxes=TaxBook(charge=tax)).documents
        assert invoice.vat == (VatLine(LineTax(TaxCode.REVERSE_CHARGE, 0), 10_000, 10_000, 0),)
        assert (invoice.net_total, invoice.vat_total, invoice.total) == (10_000, 0, 10_000)

    def test_a_credit_gives_back_at_the_tax_it_was_charged_not_todays_rate(self) -> None:
        # L1: food supplied in March 2026, charged at 12 %. Credited 5 000 on 2026-06-01,
        # when food is 6 %: VAT back R(600) = 600 (not 300); the note gives back 5 600.
        taxes = se_domestic(TaxCategory.FOOD)
        taxes = TaxBook(charge=taxes.charge, posted={"L1": FOOD_12})
        p = post([credit("L1", 5_000)], taxes=taxes, on=d("2026-06-01"), invoice_of={"L1": "inv_a"})
        (note,) = p.documents
        assert (note.type, note.series, note.invoice_id) == (
            DocumentType.CREDIT_NOTE,
            "SE-CN",
            "inv_a",
        )
        assert note.taxes == (FOOD_12,)
        assert note.vat == (VatLine(S12, 5_000, 5_000, 600),)
        assert (note.net_total, note.vat_total, note.total, note.status) == (
            5_000,
            600,
            5_600,
            "issued",
        )
        assert p.numbers_needed == {"SE-CN": 1}

    def test_credit_notes_are_cumulative_per_invoice(self) -> None:
        # inv_a: 2 öre at 25 % already given back by an earlier note; now 2 more:
        # V(4) − V(2) = 1 − 1 = 0. inv_b: nothing before; 2 öre: V(2) = R(0.5) = 1.
        taxes = TaxBook(posted={"L1": STD, "L3": STD}, credited_before={"inv_a": {STD: 2}})
        a, b = post(
            [credit("L1", 2), credit("L3", 2)],
            taxes=taxes,
            invoice_of={"L1": "inv_a", "L3": "inv_b"},
        ).documents
        assert (a.invoice_id, a.vat_total, a.total) == ("inv_a", 0, 2)
        assert (b.invoice_id, b.vat_total, b.total) == ("inv_b", 1, 3)

    def test_a_credit_of_a_charge_posted_before_vat_is_untaxed(self) -> None:
        (note,) = post([credit("L1", 1_000)], taxes=TaxBook(), invoice_of={"L1": "inv_a"}).documents
        assert note.taxes == (UNTAXED,)
        assert (note.net_total, note.vat_total, note.total) == (1_000, 0, 1_000)

    def test_the_invoice_first_then_the_notes_in_the_sellers_series(self) -> None:
        p = post(
            [credit("L1", 1_000), charge(9_000, d("2026-05-01"))],
            taxes=TaxBook(charge=lambda e: STD, posted={"L1": STD}),
            invoice_of={"L1": "inv_a"},
        )
        assert [(doc.type, doc.series) for doc in p.documents] == [
            (DocumentType.INVOICE, "SE-INV"),
            (DocumentType.CREDIT_NOTE, "SE-CN"),
        ]
        assert p.numbers_needed == {"SE-INV": 1, "SE-CN": 1}

    def test_no_prefix_keeps_the_plain_series(self) -> None:
        p = plan_posting(
            [charge(100, d("2026-05-01"))],
            invoice_of={},
            currency="SEK",
            issue_date=d("2026-05-01"),
            payment_terms_days=30,
        )
        assert p.documents[0].series == "INV"

    def test_an_invoice_carries_its_sellers_payment_reference_a_credit_note_none(self) -> None:
        issuer = Issuer(seller_id="sel_se", prefix="SE", reference_scheme=ReferenceScheme.OCR)
        invoice, note = plan_posting(
            [charge(100, d("2026-05-01")), credit("L1", 50)],
            invoice_of={"L1": "inv_a"},
            currency="SEK",
            issue_date=d("2026-05-01"),
            payment_terms_days=30,
            issuer=issuer,
        ).documents
        ref = invoice.reference(42)
        assert ref == payment_reference(ReferenceScheme.OCR, number=42)
        assert ref is not None and is_valid_reference(ReferenceScheme.OCR, ref)
        assert invoice.issued_data(42, document_id="inv_1")["payment_reference"] == ref
        assert note.reference(42) is None


class TestLockOrder:
    def test_by_seller_prefix_invoices_before_credit_notes(self) -> None:
        assert lock_order(["SE-CN", "NO-INV", "SE-INV", "NO-CN", "CN", "INV", "SE-INV"]) == [
            "INV",
            "CN",
            "NO-INV",
            "NO-CN",
            "SE-INV",
            "SE-CN",
        ]

    def test_an_unknown_series_comes_after_the_sellers_known_ones(self) -> None:
        assert lock_order(["SE-RF", "SE-CN", "SE-INV"]) == ["SE-INV", "SE-CN", "SE-RF"]


def test_every_rate_in_the_table_is_in_hundredths_of_a_percent_and_ascending() -> None:
    for (country, _), dated in RATES.items():
        assert country in {"SE", "NO", "DK"}
        froms = [since for since, _ in dated]
        assert froms == sorted(froms) and len(set(froms)) == len(froms)
        assert all(rate is None or (type(rate) is int and 0 < rate < 10_000) for _, rate in dated)
