"""Payment references: published examples per scheme, then the invoice rules as properties.

The examples come from the places named next to them (a bank's own page or code, a payment
provider's documentation, or another implementation's test suite that checks against the bank's
code); each is also run through python-stdnum's Luhn where the scheme is Luhn.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from billing.domain.errors import InvalidInput
from billing.domain.references import (
    CODE,
    FIK_PAYMENT_ID_LENGTH,
    MAX_LENGTH,
    NUMBER_WIDTH,
    FikReference,
    KidScheme,
    ReferenceScheme,
    fik_reference,
    invoice_number_of,
    is_valid_fik_payment_id,
    is_valid_kid,
    is_valid_ocr,
    is_valid_reference,
    kid_reference,
    mod11_check_digit,
    ocr_reference,
    parse_reference,
    payment_reference,
)

CREDITOR = "85012345"  # an FI creditor number: 8 digits (FI creditor numbers begin with 8)
NUMBERS = st.integers(min_value=1, max_value=10**9)
PREFIXES = st.sampled_from(["", "7", "42", "9001"])  # 4 digits: the most fik71 takes


def refused(match: str | None = None) -> AbstractContextManager[pytest.ExceptionInfo[InvalidInput]]:
    return pytest.raises(InvalidInput, match=match)


# -- Swedish OCR -------------------------------------------------------------------------------


class TestOcrPublishedExamples:
    # Valid under Bankgirot's own check (the JavaScript of bankgirot.se's OCR-referenskontroll,
    # run against these in zerodep/ocrgenerator test/validatorTest.js), length digit included.
    BANKGIROT_VALID_WITH_LENGTH = [
        "18108401345678778",
        "18196701475307475",
        "1018966492531",
        "1019080881039",
        "03368912618",
        "1202951008",
        "1636976",
    ]

    @pytest.mark.parametrize("ref", BANKGIROT_VALID_WITH_LENGTH)
    def test_bankgirot_valid_with_length(self, ref: str) -> None:
        assert is_valid_ocr(ref, with_length=True)
        assert is_valid_ocr(ref)
        assert luhn.is_valid(ref)
        # and our generator makes each from its base (all but the last two digits)
        assert ocr_reference(ref[:-2], with_length=True) == ref

    def test_check_digit_right_length_digit_wrong(self) -> None:
        # zerodep/ocrgenerator: "1636919" passes soft/hard control, fails the length control
        assert is_valid_ocr("1636919")
        assert not is_valid_ocr("1636919", with_length=True)

    def test_wrong_check_digit(self) -> None:
        # zerodep/ocrgenerator validatorTest.js: the first example with its last digit + 1
        assert not is_valid_ocr("18108401345678779")
        assert not is_valid_ocr("18108401345678779", with_length=True)

    def test_banktools_se_examples(self) -> None:
        # barsoom/banktools-se README: from_number("123") => "1230";
        # with length_digit: true => "12351"
        assert ocr_reference("123", with_length=False) == "1230"
        assert ocr_reference(123, with_length=True) == "12351"

    def test_more_generated_examples(self) -> None:
        # zerodep/ocrgenerator generatorTest.js: "2019121" -> "201912193", "0" -> "034"
        assert ocr_reference("2019121", with_length=True) == "201912193"
        assert ocr_reference("0", with_length=True) == "034"
        # adjob.se/ocr: invoice F-170001 is paid with 1700012 (check digit only)
        assert ocr_reference(170001, with_length=False) == "1700012"
        # briandunning.com/cf/2455 (CheckBankGiro): sample 3646124682631 is valid
        assert is_valid_ocr("3646124682631")

    def test_length_digit_is_the_length_modulo_ten(self) -> None:
        # Bankgirot: "Om referensnumret t ex är 24, 14 eller 4 tecken långt är den korrekta
        # längdsiffran 4."
        for base in ("12", "123456789012", "1234567890123456789012"):
            ref = ocr_reference(base, with_length=True)
            assert len(ref) in (4, 14, 24)
            assert ref[-2] == "4"
            assert is_valid_ocr(ref, with_length=True)


class TestOcrBounds:
    def test_two_to_twenty_five_digits(self) -> None:
        assert is_valid_ocr("00")  # the shortest (Bankgirot's check accepts "00")
        assert not is_valid_ocr("0")
        assert not is_valid_ocr("")
        longest = ocr_reference("1" * (MAX_LENGTH - 1), with_length=False)
        assert len(longest) == MAX_LENGTH and is_valid_ocr(longest)
        assert not is_valid_ocr(longest + "0")
        with refused("2 to 25"):
            ocr_reference("1" * MAX_LENGTH, with_length=False)
        with refused("2 to 25"):
            ocr_reference("1" * (MAX_LENGTH - 1), with_length=True)

    @pytest.mark.parametrize(
        "ref", ["12 30", "1230\n", "123O", "１２３０", "12³0", "-1230", "+1230"]
    )
    def test_only_ascii_digits(self, ref: str) -> None:
        assert not is_valid_ocr(ref)

    @pytest.mark.parametrize("base", ["", "12a", "٣", -1, True, 1.5, None])
    def test_bad_bases_are_refused(self, base: object) -> None:
        with refused() as caught:
            ocr_reference(base, with_length=False)  # type: ignore[arg-type]
        assert caught.value.code == CODE


# -- Norwegian KID -----------------------------------------------------------------------------


class TestKidPublishedExamples:
    @pytest.mark.parametrize(
        ("base", "kid"),
        [
            ("234567", "2345676"),  # Ondkloss/norwegian-numbers.js test (no.wikipedia's KID)
            ("0", "00"),  # the same suite: the shortest KID
            ("60224", "602243"),  # Monitor ERP help, "Getting started with KID numbers"
        ],
    )
    def test_mod10(self, base: str, kid: str) -> None:
        assert kid_reference(base, scheme=KidScheme.MOD10) == kid
        assert is_valid_kid(kid, scheme=KidScheme.MOD10)
        assert luhn.is_valid(kid)

    @pytest.mark.parametrize(
        "kid",
        # support.unimicro.no "Kid typer factoring": standard, Elcon and FactorNor KIDs
        ["000506701000172", "9123400005067009", "1231000170050677"],
    )
    def test_mod10_from_a_payee_system(self, kid: str) -> None:
        assert is_valid_kid(kid, scheme=KidScheme.MOD10)

    @pytest.mark.parametrize(
        ("base", "kid"),
        [
            ("1234567890", "12345678903"),  # Ondkloss/norwegian-numbers.js
            ("1234", "12343"),  # its README
            ("31", "310"),  # remainder 0 -> check 0
            ("1686", "16861"),  # kiowa/kid-number tests.py
            ("9778", "97780"),
            ("123123", "1231235"),
            ("000000000000100", "0000000000001007"),  # kid_mod11('100', length=15), padded
        ],
    )
    def test_mod11(self, base: str, kid: str) -> None:
        assert kid_reference(base, scheme=KidScheme.MOD11) == kid
        assert is_valid_kid(kid, scheme=KidScheme.MOD11)

    @pytest.mark.parametrize(("base", "kid"), [("40", "40-"), ("23", "23-")])
    def test_mod11_dash(self, base: str, kid: str) -> None:
        # Ondkloss: makeKidNumber('40', 'MOD11') == '40-'; kiowa: kid_mod11('23') == '000023-'.
        # Valid by the Nets rule, so a payer's "40-" is read; we never make one.
        assert mod11_check_digit(base) == "-"
        assert is_valid_kid(kid, scheme=KidScheme.MOD11)
        assert parse_reference(ReferenceScheme.KID_MOD11, kid) == kid
        with refused("would be '-'"):
            kid_reference(base, scheme=KidScheme.MOD11)

    def test_schemes_do_not_mix(self) -> None:
        # (12345678903 is both: 1234567890 has the check digit 3 by either rule)
        assert is_valid_kid("12345678903", scheme=KidScheme.MOD10)
        assert not is_valid_kid("16861", scheme=KidScheme.MOD10)
        assert not is_valid_kid("602243", scheme=KidScheme.MOD11)
        assert not is_valid_kid("40-", scheme=KidScheme.MOD10)

    def test_bounds(self) -> None:
        assert not is_valid_kid("0", scheme=KidScheme.MOD10)
        assert not is_valid_kid("-", scheme=KidScheme.MOD11)
        longest = kid_reference("1" * (MAX_LENGTH - 1), scheme=KidScheme.MOD10)
        assert is_valid_kid(longest, scheme=KidScheme.MOD10)
        assert not is_valid_kid("0" + longest, scheme=KidScheme.MOD10)
        with refused("2 to 25"):
            kid_reference("1" * MAX_LENGTH, scheme=KidScheme.MOD10)


# -- Danish FIK +71 ----------------------------------------------------------------------------


class TestFikPublishedExamples:
    def test_printers_examples(self) -> None:
        # giro-kort.dk/fi-kort5.html: "Nummer 1 vil i kodelinien fremgå som 18 ... Nummer 2 vil
        # fremgå som 26"; a +71 payment id has 15 digits (fi-kort3.html).
        assert fik_reference(1, creditor=CREDITOR).payment_id == "000000000000018"
        assert fik_reference("2", creditor=CREDITOR).payment_id == "000000000000026"

    def test_business_dk_fi(self) -> None:
        # jonasbn/bdkfi (CPAN Business::DK::FI): validate('026840149965328') is true,
        # generate(1) eq '000000000000018'.
        assert is_valid_fik_payment_id("026840149965328")
        assert not is_valid_fik_payment_id("026840149965327")
        assert fik_reference("02684014996532", creditor=CREDITOR).payment_id == "026840149965328"
        assert luhn.is_valid("026840149965328")

    def test_the_code_line(self) -> None:
        fik = fik_reference(1, creditor=CREDITOR)
        assert fik.line == "+71<000000000000018+85012345<"

    def test_bounds_and_creditor(self) -> None:
        assert not is_valid_fik_payment_id("18")  # 15 digits, not fewer
        assert not is_valid_fik_payment_id("0000000000000018")
        with refused("at most 14"):
            fik_reference("1" * 15, creditor=CREDITOR)
        for creditor in ("8501234", "850123456", "8501234a", ""):
            with refused("8 digits"):
                fik_reference(1, creditor=creditor)
        with refused("15 digits"):
            FikReference(payment_id="000000000000019", creditor=CREDITOR)


# -- invoicing: payment_reference / parse_reference / invoice_number_of -----------------------


class TestPaymentReference:
    def test_worked_examples(self) -> None:
        # invoice 1, no prefix: the number padded to 10 digits, then the check digit(s)
        assert payment_reference(ReferenceScheme.OCR, number=1) == "00000000018"
        # 12 digits in all: length digit 2, then Luhn over "000000000012" -> 5
        assert payment_reference(ReferenceScheme.OCR_LENGTH, number=1) == "000000000125"
        # prefix 7: "70000000001" -> 1*2 + 7*2 (14: 1+4) = 7, check 3
        assert payment_reference(ReferenceScheme.KID_MOD10, number=1, prefix="7") == (
            "700000000013"
        )
        # prefix 42 padded to 4: "00420000000001" -> 1*2 + 2*2 + 4*1 = 10, check 0
        fik = payment_reference(ReferenceScheme.FIK71, number=1, prefix="42", creditor=CREDITOR)
        assert fik == "004200000000010"

    def test_mod11_variant_digit(self) -> None:
        # 0000000004 + variant 0: weights 2,3 on "40" -> 4*3 = 12, remainder 1: '-'. So the
        # variant digit is 1: "00000000041" -> 1*2 + 4*3 = 14, remainder 3, check 8.
        assert mod11_check_digit("00000000040") == "-"
        assert payment_reference(ReferenceScheme.KID_MOD11, number=4) == "000000000418"
        # invoice 1: "00000000010" -> 1*3 = 3, check 8; the variant digit stays 0
        assert payment_reference(ReferenceScheme.KID_MOD11, number=1) == "000000000108"

    def test_fik_needs_a_creditor_and_a_short_prefix(self) -> None:
        with refused("creditor"):
            payment_reference(ReferenceScheme.FIK71, number=1)
        with refused("8 digits"):
            payment_reference(ReferenceScheme.FIK71, number=1, creditor="123")
        with refused("at most 4"):
            payment_reference(ReferenceScheme.FIK71, number=1, prefix="12345", creditor=CREDITOR)
        # the other schemes do not use it
        assert payment_reference(ReferenceScheme.OCR, number=1, creditor="x") == "00000000018"

    @pytest.mark.parametrize("number", [0, -1, 10**NUMBER_WIDTH, True, 1.0, "1"])
    def test_bad_numbers(self, number: object) -> None:
        with refused("invoice number"):
            payment_reference(ReferenceScheme.OCR, number=number)  # type: ignore[arg-type]

    @pytest.mark.parametrize("prefix", ["a", "1 2", "１", "-1"])
    def test_bad_prefixes(self, prefix: str) -> None:
        with refused("prefix"):
            payment_reference(ReferenceScheme.OCR, number=1, prefix=prefix)

    def test_a_prefix_that_makes_it_too_long(self) -> None:
        with refused("2 to 25"):
            payment_reference(ReferenceScheme.OCR_LENGTH, number=1, prefix="1" * 14)
        assert len(payment_reference(ReferenceScheme.OCR_LENGTH, number=1, prefix="1" * 13)) == 25


class TestParseReference:
    def test_spaces_are_removed(self) -> None:
        assert parse_reference(ReferenceScheme.OCR, " 1810 8401 3456 78778 ") == (
            "18108401345678778"
        )
        assert parse_reference(ReferenceScheme.KID_MOD10, "234\u00a0567\t6") == "2345676"

    @pytest.mark.parametrize(
        "text",
        [
            "000000000000018",
            "+71<000000000000018+85012345<",
            "+71 <000000000000018 +85012345<",
            "+71 000000000000018 +85012345",
            "+71<000000000000018",
        ],
    )
    def test_fik_accepts_the_code_line(self, text: str) -> None:
        assert parse_reference(ReferenceScheme.FIK71, text) == "000000000000018"

    @pytest.mark.parametrize(
        ("scheme", "text"),
        [
            (ReferenceScheme.OCR, "18108401345678779"),
            (ReferenceScheme.OCR_LENGTH, "1636919"),
            (ReferenceScheme.KID_MOD10, "2345677"),
            (ReferenceScheme.KID_MOD11, "12345678904"),
            (ReferenceScheme.FIK71, "+71<000000000000019+85012345<"),
            (ReferenceScheme.FIK71, "71000000000000018"),
            (ReferenceScheme.OCR, ""),
            (ReferenceScheme.OCR, "1230-"),
            (ReferenceScheme.OCR, "1" * 26),
        ],
    )
    def test_refused(self, scheme: ReferenceScheme, text: str) -> None:
        with refused() as caught:
            parse_reference(scheme, text)
        assert caught.value.code == CODE

    def test_long_hostile_text_is_cut_in_the_message(self) -> None:
        with refused() as caught:
            parse_reference(ReferenceScheme.OCR, "\x00" * 10_000)
        assert len(caught.value.detail) < 120

    def test_invoice_number_of_refuses_valid_references_that_are_not_ours(self) -> None:
        assert invoice_number_of(ReferenceScheme.OCR, "000000000 18") == 1
        with refused("not an invoice reference"):
            invoice_number_of(ReferenceScheme.OCR, "1230")  # valid, but not 10 digits + check
        with refused("not an invoice reference"):
            invoice_number_of(ReferenceScheme.OCR, "00000000018", prefix="7")
        with refused("not an invoice reference"):
            invoice_number_of(ReferenceScheme.OCR, "00000000000")  # invoice 0
        # a valid MOD11 KID ("00000000011": 1*2 + 1*3 = 5, check 6) with the wrong variant
        assert is_valid_kid("000000000116", scheme=KidScheme.MOD11)
        with refused("not an invoice reference"):
            invoice_number_of(ReferenceScheme.KID_MOD11, "000000000116")


# -- properties over invoice numbers 1 .. 10**9 ------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(ReferenceScheme), number=NUMBERS, prefix=PREFIXES)
def test_every_reference_validates_and_gives_its_number_back(
    scheme: ReferenceScheme, number: int, prefix: str
) -> None:
    ref = payment_reference(scheme, number=number, prefix=prefix, creditor=CREDITOR)
    assert is_valid_reference(scheme, ref)
    assert parse_reference(scheme, ref) == ref
    assert invoice_number_of(scheme, ref, prefix=prefix) == number
    assert ref.isascii() and ref.isdigit()  # MOD11 included: never "-"
    if scheme is not ReferenceScheme.KID_MOD11:
        assert luhn.is_valid(ref)  # every other scheme is Luhn over the whole reference


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(ReferenceScheme), prefix=PREFIXES, data=st.data())
def test_one_length_per_seller_and_distinct_numbers_distinct_references(
    scheme: ReferenceScheme, prefix: str, data: st.DataObject
) -> None:
    a, b = data.draw(st.lists(NUMBERS, min_size=2, max_size=2, unique=True))
    ref_a, ref_b = (
        payment_reference(scheme, number=n, prefix=prefix, creditor=CREDITOR) for n in (a, b)
    )
    assert ref_a != ref_b
    expected = {
        ReferenceScheme.OCR: len(prefix) + NUMBER_WIDTH + 1,
        ReferenceScheme.OCR_LENGTH: len(prefix) + NUMBER_WIDTH + 2,
        ReferenceScheme.KID_MOD10: len(prefix) + NUMBER_WIDTH + 1,
        ReferenceScheme.KID_MOD11: len(prefix) + NUMBER_WIDTH + 2,
        ReferenceScheme.FIK71: FIK_PAYMENT_ID_LENGTH,
    }[scheme]
    assert len(ref_a) == len(ref_b) == expected


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(ReferenceScheme), number=NUMBERS, data=st.data())
def test_any_one_wrong_digit_is_refused(
    scheme: ReferenceScheme, number: int, data: st.DataObject
) -> None:
    # Luhn and MOD11 (weights 2..7, all prime to 11) both catch every single-digit error.
    ref = payment_reference(scheme, number=number, creditor=CREDITOR)
    at = data.draw(st.integers(min_value=0, max_value=len(ref) - 1))
    digit = data.draw(st.sampled_from("0123456789").filter(lambda d: d != ref[at]))
    wrong = ref[:at] + digit + ref[at + 1 :]
    assert not is_valid_reference(scheme, wrong)
    with refused():
        parse_reference(scheme, wrong)


@settings(max_examples=300, deadline=None)
@given(number=NUMBERS, prefix=PREFIXES)
def test_mod11_variant_is_one_only_when_zero_would_give_a_dash(number: int, prefix: str) -> None:
    ref = payment_reference(ReferenceScheme.KID_MOD11, number=number, prefix=prefix)
    base = prefix + str(number).zfill(NUMBER_WIDTH)
    variant = ref[-2]
    assert variant == ("1" if mod11_check_digit(base + "0") == "-" else "0")
    assert mod11_check_digit(ref[:-1]) == ref[-1] != "-"


@settings(max_examples=200, deadline=None)
@given(base=st.text(alphabet="0123456789", min_size=1, max_size=MAX_LENGTH - 2))
def test_generators_agree_with_stdnum(base: str) -> None:
    for with_length in (False, True):
        ref = ocr_reference(base, with_length=with_length)
        assert luhn.is_valid(ref) and is_valid_ocr(ref, with_length=with_length)
        assert ref[-1] == luhn.calc_check_digit(ref[:-1])
    kid = kid_reference(base, scheme=KidScheme.MOD10)
    assert kid == base + luhn.calc_check_digit(base)
    if len(base) <= FIK_PAYMENT_ID_LENGTH - 1:
        payment_id = fik_reference(base, creditor=CREDITOR).payment_id
        assert luhn.is_valid(payment_id) and int(payment_id[:-1]) == int(base)
