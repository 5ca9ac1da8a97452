"""Bank details: one class per kind, with published numbers (the IBAN registry's examples,
python-stdnum's doctests, Bankgirot's and banktools-se's examples) and the same number with one
digit changed; then Hypothesis: refused with InvalidInput or idempotent, never another error.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from schwifty import IBAN

from billing.domain.errors import InvalidInput
from billing.parties.banks import (
    DanishAccount,
    bankgiro,
    bic,
    danish_account,
    fik_creditor_number,
    format_bankgiro,
    format_iban,
    format_norwegian_account,
    format_plusgiro,
    iban,
    norwegian_account,
    plusgiro,
)
from billing.parties.identity import MAX_INPUT_LENGTH


def refused(code: str) -> pytest.RaisesExc[InvalidInput]:
    return pytest.raises(InvalidInput, check=lambda error: error.code == code)


class TestBankgiro:
    @pytest.mark.parametrize(
        ("given_", "digits", "printed"),
        [
            ("5050-1055", "50501055", "5050-1055"),  # Bankgirot's test number
            ("5402968 1", "54029681", "5402-9681"),  # banktools-se's README
            ("902-0033", "9020033", "902-0033"),  # a 7-digit "90-konto" (fundraising)
            (" 5050 1055 ", "50501055", "5050-1055"),
            ("5050\u20131055", "50501055", "5050-1055"),
        ],
    )
    def test_valid(self, given_: str, digits: str, printed: str) -> None:
        assert bankgiro(given_) == digits
        assert format_bankgiro(given_) == printed
        assert bankgiro(printed) == digits

    @pytest.mark.parametrize(
        "given_", ["5050-1056", "902-0034", "5050-105X", "5050-1055\n", "5050\x001055", ""]
    )
    def test_refused(self, given_: str) -> None:
        with refused("invalid_bankgiro"):
            bankgiro(given_)

    @pytest.mark.parametrize("given_", ["50-5016", "1234-56782"])  # Luhn-valid, 6 and 9 digits
    def test_seven_or_eight_digits(self, given_: str) -> None:
        with pytest.raises(InvalidInput, match="7-8 digits"):
            bankgiro(given_)


class TestPlusgiro:
    @pytest.mark.parametrize(
        ("given_", "digits", "printed"),
        [
            ("28 65 43-4", "2865434", "286543-4"),  # banktools-se's README
            ("2865434", "2865434", "286543-4"),
            ("90 20 03-3", "9020033", "902003-3"),
            ("1-8", "18", "1-8"),  # the shortest form: 2 digits
        ],
    )
    def test_valid(self, given_: str, digits: str, printed: str) -> None:
        assert plusgiro(given_) == digits
        assert format_plusgiro(given_) == printed
        assert plusgiro(printed) == digits

    @pytest.mark.parametrize(
        "given_", ["28 65 43-5", "0", "12345678-2", "28 65 43-4\t", "28x65434"]
    )  # 0 and 123456782 pass the Luhn check, but have 1 and 9 digits
    def test_refused(self, given_: str) -> None:
        with refused("invalid_plusgiro"):
            plusgiro(given_)


class TestNorwegianAccount:
    @pytest.mark.parametrize(
        ("given_", "digits", "printed"),
        [
            ("8601 11 17947", "86011117947", "8601.11.17947"),  # stdnum no.kontonr
            ("8601.11.17947", "86011117947", "8601.11.17947"),
            ("0000.4090403", "00004090403", "0000.40.90403"),  # the old postgiro bank code
        ],
    )
    def test_valid(self, given_: str, digits: str, printed: str) -> None:
        assert norwegian_account(given_) == digits
        assert format_norwegian_account(given_) == printed
        assert norwegian_account(printed) == digits

    @pytest.mark.parametrize(
        "given_", ["8601 11 17949", "8601 11 1794", "4090403", "8601 11 17947 0"]
    )
    def test_refused(self, given_: str) -> None:
        with refused("invalid_bank_account"):
            norwegian_account(given_)

    def test_is_the_norwegian_iban_without_its_head(self) -> None:
        assert iban("NO93 8601 1117 947")[4:] == norwegian_account("8601 11 17947")


class TestIban:
    @pytest.mark.parametrize(
        "printed",
        [  # the IBAN registry's examples
            "SE45 5000 0000 0583 9825 7466",
            "NO93 8601 1117 947",
            "DK50 0040 0440 1162 43",
            "FI21 1234 5600 0007 85",
            "DE89 3704 0044 0532 0130 00",
            "GB29 NWBK 6016 1331 9268 19",
        ],
    )
    def test_valid(self, printed: str) -> None:
        compact = printed.replace(" ", "")
        assert iban(printed) == compact
        assert iban(printed.lower()) == compact
        assert iban(compact) == compact
        assert format_iban(compact) == printed

    @pytest.mark.parametrize(
        "given_",
        [
            "SE46 5000 0000 0583 9825 7466",  # check digits
            "SE45 5000 0000 0583 9825 7467",  # one digit of the account
            "SE45 5000 0000 0583 9825 746",  # length
            "NO93 8601 1117 9470",
            "XX45 5000 0000 0583 9825 7466",  # no such country
            "GB29 NWBK 6016 1331 9268 1X",  # a letter where the registry has digits
            "IBAN SE45 5000 0000 0583 9825 7466",
            "SE45 5000 0000 0583 9825 7466\x00",
            "ſe45 5000 0000 0583 9825 7466",
            "",
        ],
    )
    def test_refused(self, given_: str) -> None:
        with refused("invalid_iban"):
            iban(given_)


class TestBic:
    @pytest.mark.parametrize(
        ("given_", "compact"),
        [
            ("ESSESESS", "ESSESESS"),  # SEB
            ("essesess", "ESSESESS"),
            ("DABA DK KK", "DABADKKK"),  # Danske Bank
            ("DNBANOKK", "DNBANOKK"),  # DNB
            ("NDEAFIHH", "NDEAFIHH"),  # Nordea Finland
            ("DEUTDEFF500", "DEUTDEFF500"),  # with a branch
        ],
    )
    def test_valid(self, given_: str, compact: str) -> None:
        assert bic(given_) == compact
        assert bic(compact) == compact

    @pytest.mark.parametrize(
        "given_", ["ESSEXXSS", "ESSESES", "ESSESESSX", "ESSE$ESS", "ESSESESS\r", "ESSESESSABCD", ""]
    )
    def test_refused(self, given_: str) -> None:
        with refused("invalid_bic"):
            bic(given_)


class TestDanishAccount:
    def test_zero_padded_as_in_the_iban(self) -> None:
        account = danish_account("0040", "440116243")
        assert account == DanishAccount(registration_number="0040", account_number="0440116243")
        assert iban("DK50 0040 0440 1162 43")[4:] == "0040" + "0440116243"
        assert danish_account("0040", "0440116243") == account
        assert danish_account(" 0040 ", "0440 116 243") == account

    @pytest.mark.parametrize(
        ("registration", "account"),
        [("040", "440116243"), ("00400", "440116243"), ("0040", "04401162430"), ("0040", ""),
         ("O040", "440116243"), ("0040", "44011624x"), ("0040\n", "440116243")],
    )  # fmt: skip
    def test_refused(self, registration: str, account: str) -> None:
        with refused("invalid_bank_account"):
            danish_account(registration, account)


class TestFikCreditorNumber:
    def test_eight_digits(self) -> None:
        assert fik_creditor_number("12345678") == "12345678"  # Uniconta's FIK example
        assert fik_creditor_number("8574 3016") == "85743016"

    @pytest.mark.parametrize("given_", ["1234567", "123456789", "1234567X", "+12345678<", ""])
    def test_refused(self, given_: str) -> None:
        with refused("invalid_creditor_number"):
            fik_creditor_number(given_)


# -- properties ------------------------------------------------------------------------------

#: (function, its print function or None).
ONE_ARGUMENT = {
    "bankgiro": (bankgiro, format_bankgiro),
    "plusgiro": (plusgiro, format_plusgiro),
    "norwegian_account": (norwegian_account, format_norwegian_account),
    "iban": (iban, format_iban),
    "bic": (bic, None),
    "fik_creditor_number": (fik_creditor_number, None),
}

TEXT = st.one_of(
    st.text(max_size=MAX_INPUT_LENGTH + 5),
    st.text(alphabet="0123456789 -.", max_size=14),
    st.text(alphabet="0123456789", min_size=2, max_size=11),  # a tenth pass a Luhn check
    st.builds(
        str.__add__,
        st.sampled_from(["SE", "NO", "DK", "DE", "XX", "se45", "ESSE", "DABA"]),
        st.text(alphabet="0123456789 ABCDEFSEKKXnokk", max_size=24),
    ),
)


class TestProperties:
    @pytest.mark.parametrize("name", sorted(ONE_ARGUMENT))
    @settings(max_examples=300, deadline=None)
    @given(text=TEXT)
    def test_refused_or_idempotent(self, name: str, text: str) -> None:
        check, printed = ONE_ARGUMENT[name]
        try:
            compact = check(text)
        except InvalidInput:
            return
        assert check(compact) == compact
        if printed is not None:
            assert check(printed(text)) == compact

    @settings(max_examples=100, deadline=None)
    @given(registration=TEXT, account=TEXT)
    def test_danish_account_refused_or_idempotent(self, registration: str, account: str) -> None:
        try:
            result = danish_account(registration, account)
        except InvalidInput:
            return
        assert danish_account(result.registration_number, result.account_number) == result

    @settings(max_examples=200, deadline=None)
    @given(
        code=st.sampled_from(["SE", "NO", "DK", "FI", "DE", "FR", "NL", "GB", "EE", "BE"]),
        seed=st.integers(0, 2**32),
        spacing=st.sampled_from(["", " ", "  ", "-"]),
        lower=st.booleans(),
    )
    def test_any_iban_of_the_registry_however_typed(
        self, code: str, seed: int, spacing: str, lower: bool
    ) -> None:
        made = IBAN.random(country_code=code, random=random.Random(seed))
        typed = spacing.join(made.formatted.split(" "))
        typed = typed.lower() if lower else typed
        assert iban(typed) == made.compact
        assert iban(format_iban(typed)) == made.compact
