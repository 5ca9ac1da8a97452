"""What the document routes answer: an invoice or a credit note as integrators read it
(:func:`billing.invoicing.views.document_out` builds it), a payment recorded on an invoice, and
a customer's credit.

The models describe the answers; they do not shape them. A document's ``seller`` and
``buyer`` are the parties as issued (stored with the document), so their models keep any key
an older document was issued with (``extra="allow"``), and the routes send only the keys the
document has (``response_model_exclude_unset``): a line of an order has ``order_line_id`` and
``delivery_id``, another line has neither; a document that cannot be UBL has no ``links.xml``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

INV = "inv_0193a1b2c3d4e5f6a7b8c9d0"
CUS = "cus_0193a1b2c3d4e5f6a7b8c9d0"
SUB = "sub_0193a1b2c3d4e5f6a7b8c9d0"
DAY = "2025-04-02"


class DocumentLineOut(BaseModel):
    """One line: what was billed (or given back) for which days, net of VAT."""

    entry_id: str | None = Field(
        description="The ledger entry the line bills; null in a preview.", examples=["1042"]
    )
    description: str = Field(
        description="The line in words (English), with its service days.",
        examples=["Subscription 2025-04-02 – 2025-05-01"],
    )
    product: str = Field(
        description="What is sold, in the customer's language: the plan's, add-on's, start-up "
        "fee's, order line's or delivery's name.",
        examples=["Digital licens"],
    )
    item: str = Field(
        description="What is billed: main, setup, addon:<code>, usage:<metric>:<tier>, "
        "one_off:<event id>, or a reminder invoice's reminder_fee, late_compensation, "
        "late_interest.",
        examples=["main"],
    )
    kind: str = Field(description="charge, credit, one_off or usage.", examples=["charge"])
    service_start: str = Field(description="The first day billed (ISO date).", examples=[DAY])
    service_end: str = Field(
        description="The first day after those billed (exclusive: the last day billed is the "
        "day before).",
        examples=["2025-05-02"],
    )
    period_start: str = Field(
        description="The first day of the billing period it belongs to (ISO date).",
        examples=[DAY],
    )
    period_end: str = Field(
        description="The first day after that billing period (exclusive).",
        examples=["2025-05-02"],
    )
    quantity: int = Field(description="Licences (units) billed.", examples=[5])
    unit_amount: int = Field(
        description="Price per unit and full period, in minor units (öre, øre).", examples=[24995]
    )
    amount: int = Field(
        description="The line's net amount in minor units; on a credit note the positive amount "
        "given back.",
        examples=[124975],
    )
    amount_formatted: str = Field(
        description="The amount in the customer's locale.", examples=["1 249,75 kr"]
    )
    credits_entry_id: str | None = Field(
        description="For a credit: the entry it gives back; null otherwise."
    )
    tax_code: str | None = Field(
        description="What it was taxed under: standard, reduced, food, reduced_low, exempt, "
        "reverse_charge, outside_scope, not_registered; null: posted before VAT.",
        examples=["standard"],
    )
    vat_rate: str | None = Field(
        description="The VAT rate as a percent (a decimal string); null: posted before VAT.",
        examples=["25"],
    )
    vat_rate_bps: int | None = Field(
        description="The VAT rate in hundredths of a percent; null: posted before VAT.",
        examples=[2500],
    )
    vat_inclusive: bool | None = Field(
        description="Whether its price included VAT; null: posted before VAT.", examples=[False]
    )
    order_line_id: str | None = Field(
        default=None, description="Only on an order's line: the order line it bills."
    )
    delivery_id: str | None = Field(
        default=None,
        description="Only on an order's line: the delivery that billed it (null on a credit).",
    )


class VatRowOut(BaseModel):
    """The VAT of one tax code and rate on the document."""

    code: str = Field(description="The tax code (as a line's tax_code).", examples=["standard"])
    rate: str = Field(description="The rate as a percent (a decimal string).", examples=["25"])
    rate_bps: int = Field(description="The rate in hundredths of a percent.", examples=[2500])
    inclusive: bool = Field(description="Whether its lines' prices included VAT.")
    lines: int = Field(description="How many lines it covers.", examples=[1])
    taxable: int = Field(description="The taxable (net) amount in minor units.", examples=[124975])
    taxable_formatted: str = Field(
        description="The taxable amount in the customer's locale.", examples=["1 249,75 kr"]
    )
    vat: int = Field(
        description="The VAT in minor units, rounded half up once per rate.", examples=[31244]
    )
    vat_formatted: str = Field(description="The VAT in the customer's locale.")
    note: str | None = Field(
        description="The legal note its code needs (e.g. reverse charge) in the customer's "
        "language; null: none."
    )


class NoteOut(BaseModel):
    """A legal note the document carries (e.g. why no VAT is charged)."""

    code: str = Field(description="The tax code it explains.", examples=["reverse_charge"])
    text: str = Field(description="The note in the customer's language.")


class LinksOut(BaseModel):
    """Where the document is rendered (URL paths)."""

    xml: str | None = Field(
        default=None,
        description="Its Peppol BIS Billing 3.0 UBL; only when it can be one (issued with VAT, "
        "a buyer with an organisation or VAT number).",
        examples=[f"/v1/invoices/{INV}.xml"],
    )
    html: str | None = Field(
        default=None,
        description="The document as an HTML page.",
        examples=[f"/v1/invoices/{INV}.html"],
    )
    pdf: str | None = Field(
        default=None,
        description="The document as a PDF file.",
        examples=[f"/v1/invoices/{INV}.pdf"],
    )


class PartyAddressOut(BaseModel):
    """A party's address as issued."""

    line1: str | None = Field(default=None, description="Street address.")
    line2: str | None = Field(default=None, description="A second address line; null: none.")
    postal_code: str | None = Field(default=None, description="Postal code.")
    city: str | None = Field(default=None, description="City (postal town).")


class BankDetailsOut(BaseModel):
    """A seller's bank details (null where it has none)."""

    bankgiro: str | None = Field(default=None, description="Sweden: Bankgiro number.")
    plusgiro: str | None = Field(default=None, description="Sweden: PlusGiro number.")
    account: str | None = Field(default=None, description="Norway or Denmark: the account.")
    iban: str | None = Field(default=None, description="IBAN.")
    bic: str | None = Field(default=None, description="BIC.")
    creditor: str | None = Field(default=None, description="Denmark: the FI creditor number.")


LEGAL_NAME = "The registered name."
ADDRESS = "The address as issued; null: none."
ORG = "The organisation number, normalized; null: none."
ORG_PRINTED = "The organisation number as printed."
VAT = "The VAT number, normalized; null: none."
VAT_PRINTED = "The VAT number as printed."


class SellerPartyOut(BaseModel):
    """The seller as the document was issued by it (in the order the document stores it)."""

    model_config = ConfigDict(extra="allow")

    id: str | None = Field(default=None, description="The seller's id.")
    legal_name: str | None = Field(default=None, description=LEGAL_NAME)
    address: PartyAddressOut | None = Field(default=None, description=ADDRESS)
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2.", examples=["SE"])
    organisation_number: str | None = Field(default=None, description=ORG)
    vat_number: str | None = Field(default=None, description=VAT)
    f_skatt: bool | None = Field(default=None, description="Sweden: approved for F-tax.")
    foretaksregisteret: bool | None = Field(
        default=None, description="Norway: registered in Foretaksregisteret."
    )
    bank: BankDetailsOut | None = Field(default=None, description="Where the seller is paid.")
    email: str | None = Field(default=None, description="Contact e-mail; null: none.")
    phone: str | None = Field(default=None, description="Contact phone; null: none.")
    organisation_number_formatted: str | None = Field(default=None, description=ORG_PRINTED)
    vat_number_formatted: str | None = Field(default=None, description=VAT_PRINTED)
    bank_formatted: BankDetailsOut | None = Field(
        default=None, description="Where the seller is paid, as printed."
    )


class BuyerPartyOut(BaseModel):
    """The buyer as the document was issued to it (in the order the document stores it)."""

    model_config = ConfigDict(extra="allow")

    customer_id: str | None = Field(default=None, description="The customer.", examples=[CUS])
    customer_number: str | None = Field(default=None, description="Its customer number.")
    name: str | None = Field(default=None, description="The customer's name.")
    legal_name: str | None = Field(default=None, description=LEGAL_NAME)
    address: PartyAddressOut | None = Field(default=None, description=ADDRESS)
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2.", examples=["SE"])
    kind: str | None = Field(default=None, description="business or consumer; null: not given.")
    organisation_number: str | None = Field(default=None, description=ORG)
    vat_number: str | None = Field(default=None, description=VAT)
    organisation_number_formatted: str | None = Field(default=None, description=ORG_PRINTED)
    vat_number_formatted: str | None = Field(default=None, description=VAT_PRINTED)


class _Document(BaseModel):
    id: str = Field(description="The document's id.", examples=[INV])
    type: str = Field(description="invoice or credit_note.", examples=["invoice"])
    number: str = Field(description="Its number in the seller's series.", examples=["INV-000042"])
    customer_id: str = Field(description="The buyer.", examples=[CUS])
    subscription_id: str | None = Field(
        description="The subscription it bills; null: an order's or a reminder's.", examples=[SUB]
    )
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    issue_date: str = Field(description="The day it was issued (ISO date).", examples=[DAY])
    lines: list[DocumentLineOut] = Field(description="Its lines, net of VAT.")
    total: int = Field(
        description="The gross total in minor units (VAT included); on a credit note the "
        "positive amount given back.",
        examples=[156219],
    )
    total_formatted: str = Field(
        description="The total in the customer's locale.", examples=["1 562,19 kr"]
    )
    bill_run_id: str | None = Field(description="The bill run that issued it; null: none.")
    seller_id: str | None = Field(description="The seller that issued it.")
    net_total: int = Field(description="The sum of the lines (net), in minor units.")
    net_total_formatted: str = Field(description="The net total in the customer's locale.")
    vat_total: int = Field(description="The VAT in minor units (0: none).")
    vat_total_formatted: str = Field(description="The VAT in the customer's locale.")
    vat_breakdown: list[VatRowOut] = Field(description="VAT per tax code and rate.")
    treatment: str | None = Field(
        description="Who taxes the sale: domestic, reverse_charge, outside_scope or "
        "not_registered; null: issued before VAT.",
        examples=["domestic"],
    )
    seller: SellerPartyOut | None = Field(
        description="The seller as issued; null: issued before VAT."
    )
    buyer: BuyerPartyOut | None = Field(description="The buyer as issued; null: issued before VAT.")
    customer_number: str | None = Field(
        description="The buyer's customer number as printed; null: none.", examples=["10001"]
    )
    payment_reference: str | None = Field(
        description="The payment reference the bank understands (OCR, KID, FIK); null: none.",
        examples=["4211"],
    )
    notes: list[NoteOut] = Field(description="The legal notes it carries.")
    links: LinksOut = Field(description="Where it is rendered.")
    issued_by: str | None = Field(
        description="The person (or API key) whose request issued it; null: the scheduler, a "
        "worker or the CLI."
    )


class InvoiceOut(_Document):
    """An invoice, with what is still due and its status today."""

    due_date: str | None = Field(description="The day it falls due (ISO date).", examples=[DAY])
    status: str = Field(
        description="Today: open, overdue (open past the due date with something still due), "
        "paid or void.",
        examples=["open"],
    )
    days_overdue: int = Field(description="Days past the due date while overdue, else 0.")
    disputed: bool = Field(description="Whether the customer disputes it (no reminders then).")
    amount_paid: int = Field(description="Paid on it, in minor units.", examples=[0])
    balance_applied: int = Field(description="Customer credit it consumed, in minor units.")
    amount_credited: int = Field(description="What credit notes gave back on it, in minor units.")
    amount_due: int = Field(
        description="What is still due, in minor units: total − credited − paid − applied, "
        "never below 0.",
        examples=[156219],
    )
    amount_due_formatted: str = Field(description="What is due in the customer's locale.")


class CreditNoteOut(_Document):
    """A credit note: what it gives back and the invoice it credits."""

    invoice_id: str | None = Field(description="The invoice it credits.", examples=[INV])


class PaymentOut(BaseModel):
    """A payment recorded on an invoice, and the invoice after it."""

    id: str = Field(description="The payment's id.", examples=["pay_0193a1b2c3d4e5f6a7b8c9d0"])
    invoice_id: str = Field(description="The invoice paid.", examples=[INV])
    amount: int = Field(description="What was paid, in minor units.", examples=[31244])
    paid_on: str = Field(description="The day it was paid (ISO date).", examples=["2025-04-20"])
    reference: str | None = Field(description="The payer's reference; null: none.")
    recorded_by: str | None = Field(
        description="The person (or API key) who recorded it; null: the CLI or a worker."
    )
    invoice: InvoiceOut = Field(description="The invoice after the payment.")


class CreditEntryOut(BaseModel):
    """One movement of a customer's credit."""

    id: str = Field(description="The entry's id.", examples=["17"])
    kind: str = Field(
        description="credit_kept (from a credit note), applied (consumed by an invoice) or "
        "overpaid (paid beyond an invoice).",
        examples=["credit_kept"],
    )
    amount: int = Field(
        description="Minor units: + credit kept, − credit applied.", examples=[24995]
    )
    document_id: str = Field(description="The credit note or invoice it came from or went to.")
    created_at: str = Field(description="When it was recorded (ISO timestamp).")


class CustomerCreditOut(BaseModel):
    """A customer's credit and how it came and went."""

    customer_id: str = Field(description="The customer.", examples=[CUS])
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    balance: int = Field(description="The credit the customer holds, in minor units.")
    balance_formatted: str = Field(description="The credit in the customer's locale.")
    entries: list[CreditEntryOut] = Field(description="Every movement, oldest first.")
