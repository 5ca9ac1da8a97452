"""Sellers registered for VAT in Sweden, Norway and Denmark, with valid organisation, VAT and
bank numbers (python-stdnum and schwifty accept them), for tests that issue documents with VAT;
``CURRENCY`` is each country's."""

from __future__ import annotations

from typing import Any

SE_SELLER: dict[str, Any] = {
    "legal_name": "Hälsokontroll Sverige AB",
    "address": {"line1": "Kungsgatan 12", "postal_code": "111 35", "city": "Stockholm"},
    "country": "SE",
    "organisation_number": "556036-0793",
    "vat_number": "SE556036079301",
    "f_skatt": True,
    "bank": {"bankgiro": "5050-1055"},
    "number_prefix": "SE",
}
NO_SELLER: dict[str, Any] = {
    "legal_name": "Alarmsentralen Norge AS",
    "address": {"line1": "Storgata 5", "postal_code": "0155", "city": "Oslo"},
    "country": "NO",
    "organisation_number": "923 609 016",
    "vat_number": "NO923609016MVA",
    "foretaksregisteret": True,
    "bank": {"account": "8601.11.17947"},
    "number_prefix": "NO",
}
DK_SELLER: dict[str, Any] = {
    "legal_name": "Licens Danmark ApS",
    "address": {"line1": "Vesterbrogade 3", "postal_code": "1620", "city": "København V"},
    "country": "DK",
    "organisation_number": "13585628",
    "vat_number": "DK13585628",
    "bank": {"account": "4440 0440116243", "creditor": "85858585"},
    "number_prefix": "DK",
}
CURRENCY = {"SE": "SEK", "NO": "NOK", "DK": "DKK"}
