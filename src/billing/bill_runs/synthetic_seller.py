"""The seller synthetic customers buy from (load tests and benchmarks only): the default seller,
made if there is none — Swedish, registered for VAT, the plain ``INV`` series, OCR references —
so synthetic history and runs carry 25 % VAT on every line as real Swedish invoices do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select

from billing.domain.ledger import Entry
from billing.domain.posting import Issuer
from billing.domain.references import ReferenceScheme
from billing.domain.vat import LineTax, TaxCategory, Treatment, line_tax
from billing.ids import new_id
from billing.sellers.service import seller_series
from billing.storage.models import DocumentCounter, Seller


@dataclass(frozen=True, slots=True)
class SyntheticSeller:
    """The default seller the synthetic customers buy from, as history needs it."""

    issuer: Issuer
    country: str
    vat_registered: bool

    def tax(self, entry: Entry) -> LineTax:
        how = Treatment.DOMESTIC if self.vat_registered else Treatment.NOT_REGISTERED
        return line_tax(
            TaxCategory.STANDARD, how, country=self.country, supply_date=entry.service_start
        )


def default_seller(engine: Engine, now: datetime) -> SyntheticSeller:
    """The default seller (made if there is none: Swedish, registered for VAT)."""
    sellers = Seller.__table__
    with engine.begin() as conn:
        row = conn.execute(sellers.select().where(sellers.c.is_default)).first()
        if row is None:
            values = {
                "id": new_id("slr"),
                "legal_name": "Synthetic Säljare AB",
                "address_line1": "Storgatan 1",
                "postal_code": "111 22",
                "city": "Stockholm",
                "country": "SE",
                "organisation_number": "5560360793",
                "vat_number": "SE556036079301",
                "f_skatt": True,
                "foretaksregisteret": False,
                "bank": {"bankgiro": "5050-1055"},
                "number_prefix": "",
                "reference_scheme": ReferenceScheme.OCR.value,
                "reference_prefix": "",
                "is_default": True,
                "created_at": now,
            }
            conn.execute(insert(sellers).values(**values))  # type: ignore[arg-type]
            # Its counters, as billing.sellers.service makes them: without the customer
            # numbers' one, a customer made later through the API could not be numbered.
            have = set(conn.execute(select(DocumentCounter.series)).scalars())
            missing = [s for s in seller_series("") if s not in have]  # its prefix
            if missing:
                conn.execute(
                    insert(DocumentCounter), [{"series": s, "last_number": 0} for s in missing]
                )
            row = conn.execute(sellers.select().where(sellers.c.id == values["id"])).one()
    scheme = ReferenceScheme(row.reference_scheme) if row.reference_scheme else None
    issuer = Issuer(
        seller_id=row.id,
        prefix=row.number_prefix,
        reference_scheme=scheme,
        reference_prefix=row.reference_prefix,
        creditor=(row.bank or {}).get("creditor"),
    )
    return SyntheticSeller(issuer, row.country, row.vat_number is not None)
