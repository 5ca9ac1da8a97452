"""Which parser reads a file: the format named by the caller, else the one its first bytes
show (a BgMax start record, an OCR giro transmission start, an XML document). A file that is
not of the format named is ``bank_file_format``."""

from __future__ import annotations

from collections.abc import Callable

from billing.domain.errors import InvalidInput
from billing.payments import bgmax, camt054, ocr_giro
from billing.payments.records import FileFormat, ParsedFile

_PARSERS: dict[FileFormat, Callable[[bytes], ParsedFile]] = {
    FileFormat.BGMAX: bgmax.parse,
    FileFormat.OCR_GIRO: ocr_giro.parse,
    FileFormat.CAMT054: camt054.parse,
}


def detected(content: bytes) -> FileFormat | None:
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if head.startswith(b"01BGMAX"):
        return FileFormat.BGMAX
    if head.startswith(b"NY000010"):
        return FileFormat.OCR_GIRO
    if head.startswith(b"<"):
        return FileFormat.CAMT054
    return None


def parse_file(content: bytes, format: FileFormat | None) -> ParsedFile:
    """The whole file, checked, or the refusal naming what is wrong."""
    found = detected(content)
    if format is None and found is None:
        raise InvalidInput(
            "not a BgMax, OCR giro or camt.054 file; name the format", code="bank_file_format"
        )
    chosen = format or found
    assert chosen is not None
    if found is not None and found is not chosen:
        raise InvalidInput(
            f"the file is {found.value}, not {chosen.value}", code="bank_file_format"
        )
    return _PARSERS[chosen](content)
