"""A reminder as people read it: an HTML page and a PDF, in the customer's language.

As the statement does (:mod:`billing.receivables.render`): one :class:`ReminderView` with every
word in the customer's language (:func:`billing.documents.labels.language_of`) and every amount
and date formatted by Babel for the customer's locale, laid out by Jinja2 (HTML) or reportlab
(PDF), so the two never disagree. It shows the invoice reminded and its payment reference, what
the reminder bills (fee, compensation, interest for its days at its rate) and every open item
of the customer's account on the reminder's day (:func:`billing.receivables.statement.
build_statement`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from billing.documents.labels import language_of
from billing.domain.money import format_money
from billing.domain.posting import document_number
from billing.receivables.statement import AccountRows, build_statement
from billing.reminders.labels import reminder_texts
from billing.storage.models import Customer, Document, Reminder

TEMPLATES = Path(__file__).parent / "templates"
FONT = "RemindersVera"


@dataclass(frozen=True, slots=True)
class ReminderView:
    language: str
    t: dict[str, str]
    seller: str
    customer: str
    invoice_number: str
    sequence: int
    sent_on: str
    summary: list[tuple[str, str]]
    charges: list[tuple[str, str]]
    open_items: list[tuple[str, str, str]]
    total: str


def _day(day: date, locale: str) -> str:
    return str(format_date(day, "medium", locale=locale))


def _charges(r: Reminder, t: dict[str, str], locale: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if r.fee:
        rows.append((t["fee"], format_money(r.fee, r.currency, locale)))
    if r.compensation:
        rows.append((t["compensation"], format_money(r.compensation, r.currency, locale)))
    if r.interest:
        days = (r.interest_to - r.interest_from).days
        rate = format_decimal(r.rate / 100, format="0.00", locale=locale)
        label = f"{t['interest']} {rate} %, {days} {t['days']}"
        rows.append((label, format_money(r.interest, r.currency, locale)))
    return rows


def reminder_view(
    rows: AccountRows,
    *,
    reminder: Reminder,
    invoice: Document,
    customer: Customer,
) -> ReminderView:
    """The reminder in ``customer``'s words, its open items from the account's rows."""
    locale = customer.locale
    language = language_of(locale)
    t = reminder_texts(language)
    statement = build_statement(rows, start=None, end=reminder.sent_on)
    items = [
        (
            i.number,
            _day(i.due_date, locale) if i.due_date else "",
            format_money(i.amount_due, reminder.currency, locale),
        )
        for i in statement.open_items
    ]
    summary = [
        (t["invoice"], document_number(invoice.series, invoice.number)),
        (t["due_date"], _day(invoice.due_date, locale) if invoice.due_date else ""),
        (t["overdue"], format_money(reminder.overdue, reminder.currency, locale)),
        (t["reference"], invoice.payment_reference or ""),
    ]
    parties = invoice.parties or {}
    return ReminderView(
        language=language,
        t=t,
        seller=str((parties.get("seller") or {}).get("legal_name") or ""),
        customer=customer.legal_name or customer.name,
        invoice_number=document_number(invoice.series, invoice.number),
        sequence=reminder.sequence,
        sent_on=_day(reminder.sent_on, locale),
        summary=summary,
        charges=_charges(reminder, t, locale),
        open_items=items,
        total=format_money(statement.open_total, reminder.currency, locale),
    )


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def reminder_html(view: ReminderView) -> str:
    return _environment().get_template("reminder.html").render(r=view)


@lru_cache(maxsize=1)
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))


def reminder_pdf(view: ReminderView) -> bytes:
    _fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=20)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    def table(rows: list[tuple[str, ...]]) -> Table:
        return Table([[p(c) for c in row] for row in rows], hAlign="LEFT")

    t = view.t
    story = [
        p(t["reminder"], title),
        p(f"{view.seller} · {view.customer}"),
        p(f"{t['number']} {view.sequence} · {view.sent_on}"),
        p(t["intro"]),
        Spacer(1, 4 * mm),
        table(list(view.summary)),
    ]
    if view.charges:
        story += [Spacer(1, 4 * mm), p(t["charges"]), table(list(view.charges)), p(t["vat_note"])]
    head = (t["invoice"], t["due_date"], t["amount_due"])
    story += [Spacer(1, 4 * mm), p(t["open_items"]), table([head, *view.open_items])]
    story.append(p(f"{t['total']}: {view.total}"))
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"{t['reminder']} {view.invoice_number}").build(story)
    return out.getvalue()
