"""Money: the one rounding rule, currencies through Babel, formatting for people, splitting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision

from billing.domain.errors import InvalidInput, UnknownCurrency
from billing.domain.money import (
    MAX_AMOUNT,
    Money,
    currency_digits,
    format_money,
    round_half_up,
    split_largest_remainder,
    validate_amount,
    validate_currency,
)

# Babel separates thousands and the currency sign with a no-break space (U+00A0) in the Nordic
# locales; some CLDR versions use a narrow one (U+202F). Both are "a space" to a reader.
SPACES = ("\xa0", "\u202f")


def plain(text: str) -> str:
    for space in SPACES:
        text = text.replace(space, " ")
    return text


class TestRoundHalfUp:
    @pytest.mark.parametrize(
        ("numerator", "denominator", "expected"),
        [
            (0, 7, 0),
            (1, 2, 1),  # 0.5 -> 1: ties go up
            (3, 2, 2),  # 1.5 -> 2
            (5, 2, 3),  # 2.5 -> 3 (half-even would give 2)
            (24995, 10, 2500),  # 2499.5 -> 2500, the domain.md example
            (4, 3, 1),
            (5, 3, 2),
            (-1, 2, -1),  # mirrored: R(-x) == -R(x)
            (-5, 2, -3),
            (-4, 3, -1),
        ],
    )
    def test_rounds_ties_away_from_zero(self, numerator: int, denominator: int, expected: int):
        assert round_half_up(numerator, denominator) == expected

    @pytest.mark.parametrize("denominator", [0, -3])
    def test_refuses_non_positive_denominator(self, denominator: int):
        with pytest.raises(ValueError):
            round_half_up(1, denominator)

    def test_returns_plain_int(self):
        result = round_half_up(10**20 + 1, 3)
        assert type(result) is int


class TestCurrencies:
    @pytest.mark.parametrize(
        ("code", "digits"), [("SEK", 2), ("NOK", 2), ("DKK", 2), ("EUR", 2), ("JPY", 0)]
    )
    def test_minor_digits_from_babel(self, code: str, digits: int):
        assert currency_digits(code) == digits

    def test_babel_alone_would_say_two_digits_for_anything(self):
        # Why validation must come first: Babel has an answer for a code that does not exist.
        assert get_currency_precision("XYZ") == 2

    @pytest.mark.parametrize("code", ["XYZ", "ABC", "sek", "SEKK", "SE", "", "12A", " SEK"])
    def test_unknown_currency_is_rejected(self, code: str):
        with pytest.raises(UnknownCurrency) as info:
            currency_digits(code)
        assert info.value.code == "unknown_currency"
        with pytest.raises(UnknownCurrency):
            validate_currency(code)

    def test_unknown_currency_is_rejected_by_money_and_formatting(self):
        with pytest.raises(UnknownCurrency):
            Money(100, "XYZ")
        with pytest.raises(UnknownCurrency):
            format_money(100, "XYZ", "sv_SE")

    def test_non_string_currency_is_rejected(self):
        with pytest.raises(UnknownCurrency):
            validate_currency(752)  # type: ignore[arg-type]


class TestFormatting:
    """Documents follow the customer's locale through Babel (domain.md: ``1 234,50 kr``)."""

    def test_swedish(self):
        text = format_money(123450, "SEK", "sv_SE")
        assert plain(text) == "1 234,50 kr"
        assert any(space in text for space in SPACES)  # not a breakable ASCII space

    def test_norwegian(self):
        assert plain(format_money(123450, "NOK", "nb_NO")) == "1 234,50 kr"

    def test_danish(self):
        assert plain(format_money(123450, "DKK", "da_DK")) == "1.234,50 kr."

    def test_english(self):
        assert format_money(123450, "EUR", "en") == "€1,234.50"
        assert format_money(123450, "SEK", "en") == "SEK1,234.50"

    def test_foreign_currency_in_a_nordic_locale_keeps_its_code(self):
        assert plain(format_money(123450, "SEK", "da_DK")) == "1.234,50 SEK"

    def test_yen_have_no_minor_unit(self):
        # 1234 minor units of JPY are 1234 yen, not 12.34.
        assert format_money(1234, "JPY", "en") == "¥1,234"
        assert Money(1234, "JPY").as_decimal() == Decimal(1234)

    def test_minor_units_are_shifted_exactly(self):
        assert plain(format_money(5, "SEK", "sv_SE")) == "0,05 kr"
        assert Money(123450, "SEK").as_decimal() == Decimal("1234.50")
        assert plain(Money(-5000, "SEK").format("sv_SE")).endswith("50,00 kr")

    def test_default_locale_is_swedish(self):
        assert plain(format_money(100, "SEK")) == "1,00 kr"


class TestMoney:
    def test_adds_and_subtracts_in_one_currency(self):
        assert Money(150, "SEK") + Money(250, "SEK") == Money(400, "SEK")
        assert Money(150, "SEK") - Money(250, "SEK") == Money(-100, "SEK")
        assert -Money(150, "SEK") == Money(-150, "SEK")

    def test_refuses_to_mix_currencies(self):
        with pytest.raises(InvalidInput):
            Money(1, "SEK") + Money(1, "NOK")
        with pytest.raises(InvalidInput):
            Money(1, "SEK") - Money(1, "EUR")

    @pytest.mark.parametrize("amount", [True, 1.5, Decimal("1"), "100"])
    def test_amount_is_an_int_of_minor_units(self, amount: object):
        with pytest.raises(InvalidInput):
            Money(amount, "SEK")  # type: ignore[arg-type]

    def test_is_immutable(self):
        m = Money(1, "SEK")
        with pytest.raises(AttributeError):
            m.amount = 2  # type: ignore[misc]


class TestValidateAmount:
    @pytest.mark.parametrize("amount", [0, 1, MAX_AMOUNT])
    def test_accepts_int_in_range(self, amount: int):
        assert validate_amount(amount) == amount

    @pytest.mark.parametrize("amount", [-1, MAX_AMOUNT + 1, True, False, 1.0])
    def test_rejects_out_of_range_and_non_int(self, amount: object):
        with pytest.raises(InvalidInput):
            validate_amount(amount)  # type: ignore[arg-type]

    def test_zero_can_be_refused(self):
        with pytest.raises(InvalidInput):
            validate_amount(0, allow_zero=False)


class TestSplitLargestRemainder:
    def test_parts_add_up(self):
        assert split_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
        assert split_largest_remainder(24995, [3, 27]) == [2500, 22495]

    def test_largest_remainder_wins_the_leftover(self):
        # shares 6.6, 3.3, 0.1 -> floors 6, 3, 0; one unit left goes to the .6
        assert split_largest_remainder(10, [66, 33, 1]) == [7, 3, 0]

    def test_zero_weights_get_nothing(self):
        assert split_largest_remainder(7, [0, 1, 0]) == [0, 7, 0]

    def test_negative_totals_add_up_too(self):
        parts = split_largest_remainder(-100, [1, 1, 1])
        assert sum(parts) == -100

    @pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
    def test_refuses_unusable_weights(self, weights: list[int]):
        with pytest.raises(ValueError):
            split_largest_remainder(10, weights)
