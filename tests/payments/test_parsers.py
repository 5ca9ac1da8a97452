"""The parsers on the formats' published sample files, and what they refuse (pure: no
database). Amounts in öre / øre, added up by hand from the samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from billing.domain.errors import InvalidInput
from billing.payments import bgmax, camt054, ocr_giro
from billing.payments.formats import parse_file
from billing.payments.records import FileFormat, LineKind
from tests.payments.builders import Entry, Pay
from tests.payments.builders import bgmax as build_bgmax
from tests.payments.builders import camt054 as build_camt

FILES = Path(__file__).parent / "files"


def refused(code: str, where: str, content: bytes, fmt: FileFormat | None = None) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_file(content, fmt)
    assert caught.value.code == code, caught.value.detail
    assert caught.value.detail.startswith(where), caught.value.detail


class TestBankgirotSample:
    def test_sections_payments_and_deductions(self) -> None:
        parsed = bgmax.parse((FILES / "bgmax_bankgirot_sample.txt").read_bytes())
        assert parsed.key == "bgmax:20040525173035010331"
        # Section 1: 1000.00 + 1400.00 − 500.00 (TK21) = 1900.00; section 2: 1100 + 1200 +
        # 700 + 5000 = 8000.00. The file: 9900.00 SEK.
        assert parsed.total == 990000
        assert [line.amount for line in parsed.lines] == [
            100000,
            -50000,
            140000,
            110000,
            120000,
            70000,
            500000,
        ]
        assert parsed.lines[1].kind is LineKind.DEDUCTION
        # Reference code 3 (several references) and the TK22 extra references, once each.
        assert parsed.lines[2].references == ("657866", "658765", "657767", "657965")
        assert parsed.lines[4].references == ()  # reference code 1: none
        assert {str(line.receiver) for line in parsed.lines} == {"bankgiro:9912346"}

    def test_a_wrong_end_count_names_the_end_record(self) -> None:
        text = (FILES / "bgmax_bankgirot_sample.txt").read_bytes()
        broken = text.replace(b"7000000006", b"7000000007")
        refused("bank_file_checksum", "line 50", broken)

    def test_a_wrong_deposit_sum_names_the_deposit_record(self) -> None:
        content = build_bgmax("5050-1055", [Pay("12345", 100)], deposit_amount=101)
        refused("bank_file_checksum", "line 5", content)

    def test_a_wrong_deposit_count(self) -> None:
        content = build_bgmax("5050-1055", [Pay("12345", 100)], deposit_count=2)
        refused("bank_file_checksum", "line 5", content)

    def test_a_bad_record(self) -> None:
        good = build_bgmax("5050-1055", [Pay("12345", 100)]).split(b"\r\n")
        good[2] = good[2][:40] + b"12X" + good[2][43:]
        refused("bank_file_invalid", "line 3", b"\r\n".join(good))

    def test_an_unknown_record_and_a_long_line(self) -> None:
        good = build_bgmax("5050-1055", [Pay("12345", 100)]).split(b"\r\n")
        refused("bank_file_invalid", "line 3", b"\r\n".join([*good[:2], b"99", *good[2:]]))
        refused("bank_file_invalid", "line 2", b"\r\n".join([good[0], good[1] + b"x", *good[2:]]))

    def test_a_test_file_and_a_missing_end(self) -> None:
        good = build_bgmax("5050-1055", [Pay("12345", 100)])
        refused("bank_file_invalid", "line 1", good.replace(b"0331P", b"0331T"))
        refused("bank_file_invalid", "line 5", b"\r\n".join(good.split(b"\r\n")[:5]))


class TestNetsSample:
    def test_transactions_and_totals(self) -> None:
        parsed = ocr_giro.parse((FILES / "ocr_giro_nets_sample.txt").read_bytes())
        assert parsed.key == "ocr_giro:00008080:0170031"
        assert len(parsed.lines) == 20
        assert parsed.total == 5144900  # the 88 and 89 records' total: 51 449.00 NOK
        assert parsed.lines[0].references == ("0000531",)
        assert parsed.lines[0].amount == 102000
        assert str(parsed.lines[0].receiver) == "account:99991042764"

    def test_wrong_sums_and_counts_name_the_end_record(self) -> None:
        text = (FILES / "ocr_giro_nets_sample.txt").read_bytes()
        refused(
            "bank_file_checksum",
            "line 44",
            text.replace(b"00000005144900200192200", b"00000005144901200192200"),
        )
        refused(
            "bank_file_checksum",
            "line 45",
            text.replace(b"NY00008900000020000000450", b"NY00008900000020000000460"),
        )

    def test_a_bad_record(self) -> None:
        lines = (FILES / "ocr_giro_nets_sample.txt").read_bytes().split(b"\n")
        lines[5] = lines[5][:30] + b"X" + lines[5][31:]
        refused("bank_file_invalid", "line 6", b"\n".join(lines))

    def test_the_format_named_must_be_the_files(self) -> None:
        text = (FILES / "ocr_giro_nets_sample.txt").read_bytes()
        refused("bank_file_format", "the file is ocr_giro", text, FileFormat.BGMAX)


class TestCamt054:
    def test_a_batch_must_add_up(self) -> None:
        content = build_camt("123", [Entry("3.50", "DKK", ("1", "2"), ("1.00", "2.00"))])
        refused("bank_file_checksum", "Ntfctn[1]/Ntry[1]/Amt", content)

    def test_amounts_are_exact(self) -> None:
        parsed = camt054.parse(build_camt("123", [Entry("1234.05", "SEK", ("18",))]))
        assert parsed.lines[0].amount == 123405
        refused(
            "bank_file_invalid", "Ntfctn[1]/Ntry[1]/Amt", build_camt("1", [Entry("1.005", "SEK")])
        )
        refused(
            "bank_file_invalid", "Ntfctn[1]/Ntry[1]/Amt", build_camt("1", [Entry("1e3", "SEK")])
        )

    def test_malformed_xml_names_the_line(self) -> None:
        content = build_camt("123", [Entry("1.00", "SEK")]).replace(b"</Ntfctn>", b"</Ntfctn")
        refused("bank_file_invalid", "line ", content)

    def test_missing_elements_name_their_path(self) -> None:
        content = build_camt("123", [Entry("1.00", "SEK")]).replace(
            b"<CdtDbtInd>CRDT</CdtDbtInd>", b""
        )
        refused("bank_file_invalid", "Ntfctn[1]/Ntry[1]/CdtDbtInd", content)
        other = build_camt("1", []).replace(b"camt.054.001.02", b"camt.053.001.02")
        refused("bank_file_invalid", "Document", other)
