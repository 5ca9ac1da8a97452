"""The statement (kontoutdrag) as people read it: an HTML page and a PDF file.

As the documents do (:mod:`billing.documents`): the statement is built once as a
:class:`StatementView` with every word in the customer's language and every amount and date
formatted by Babel for the customer's locale, then laid out by Jinja2 (HTML) or reportlab (PDF),
so the two never disagree. The PDF embeds Bitstream Vera (shipped with reportlab), whose
glyphs cover å ä ö æ ø and Babel's non-breaking spaces, so its text extracts as written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.documents.labels import language_of
from billing.domain.money import format_money
from billing.receivables.aging import BUCKETS
from billing.receivables.labels import statement_texts
from billing.receivables.service import CustomerStatement

TEMPLATES = Path(__file__).parent / "templates"
FONT = "ReceivablesVera"
FONT_BOLD = "ReceivablesVeraBold"
INK = colors.HexColor("#1d2433")
MUTED = colors.HexColor("#5b6577")


@dataclass(frozen=True, slots=True)
class Line:
    """One row of a table: its cells, formatted; the last ``numeric`` cells align right."""

    cells: tuple[str, ...]
    kind: str = ""


@dataclass(frozen=True, slots=True)
class StatementView:
    language: str
    t: dict[str, str]
    title: str
    customer_name: str
    customer_number: str
    period: str
    as_of: str
    opening_balance: str
    closing_balance: str
    movements: list[Line]
    open_items: list[Line]
    unallocated: list[Line]
    summary: list[tuple[str, str]]
    aging: list[tuple[str, str]]


def _day(day: date, locale: str) -> str:
    return str(format_date(day, "medium", locale=locale))


def _movement_lines(
    cs: CustomerStatement, t: dict[str, str], money: Callable[[int], str]
) -> list[Line]:
    """The movements' rows: a customer-credit line shows the credit's change, every other
    line the change of what is owed; both show the account's balance after them."""
    locale = cs.customer.locale
    return [
        Line(
            (
                _day(m.day, locale),
                t[f"kind_{m.kind}"],
                m.number,
                m.reference or "",
                money(m.amount) if m.amount or not m.credit else money(m.credit),
                money(m.balance),
            ),
            m.kind,
        )
        for m in cs.statement.movements
    ]


def statement_view(cs: CustomerStatement) -> StatementView:
    s, customer = cs.statement, cs.customer
    locale = customer.locale
    t = statement_texts(language_of(locale))

    def money(amount: int) -> str:
        return format_money(amount, cs.currency, locale)

    start = _day(s.start, locale) if s.start else t["from_start"]
    movements = _movement_lines(cs, t, money)
    items = [
        Line(
            (
                i.number,
                _day(i.issue_date, locale),
                _day(i.due_date, locale) if i.due_date else "",
                str(i.days_overdue) if i.overdue else "",
                money(i.amount_due),
            ),
            "overdue" if i.overdue else "",
        )
        for i in s.open_items
    ]
    unallocated = [
        Line((u.number, ", ".join(u.credit_notes), money(-u.amount)), "credit_unallocated")
        for u in s.unallocated
    ]
    summary = [(t["open_total"], money(s.open_total)), (t["overdue_total"], money(s.overdue_total))]
    if s.customer_credit:
        summary.append((t["customer_credit"], money(-s.customer_credit)))
    if s.unallocated_credit:
        summary.append((t["kind_credit_unallocated"], money(-s.unallocated_credit)))
    summary.append((t["closing_balance"], money(s.closing_balance)))
    return StatementView(
        language=language_of(locale),
        t=t,
        title=t["statement"],
        customer_name=customer.legal_name or customer.name,
        customer_number=customer.customer_number or customer.id,
        period=f"{start} – {_day(s.end, locale)}",
        as_of=_day(s.end, locale),
        opening_balance=money(s.opening_balance),
        closing_balance=money(s.closing_balance),
        movements=movements,
        open_items=items,
        unallocated=unallocated,
        summary=summary,
        aging=[(t[f"bucket_{b.value}"], money(s.buckets[b])) for b in BUCKETS],
    )


# -- HTML ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def statement_html(cs: CustomerStatement) -> str:
    return environment().get_template("statement.html").render(doc=statement_view(cs))


# -- PDF -----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def _style(name: str, **kw: object) -> ParagraphStyle:
    base: dict[str, object] = {"fontName": FONT, "fontSize": 9, "leading": 11.5, "textColor": INK}
    base.update(kw)
    return ParagraphStyle(name, **base)


_BODY = _style("body")
_RIGHT = _style("right", alignment=TA_RIGHT)
_BOLD = _style("bold", fontName=FONT_BOLD)
_HEAD = _style("head", textColor=MUTED, fontSize=8.5)
_TITLE = _style("title", fontName=FONT_BOLD, fontSize=18, leading=22)


def _p(value: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(value), style)


def _table(heads: list[str], lines: list[Line], *, numeric: int, widths: list[float]) -> Table:
    """A table with ``heads`` and one row per line; the last ``numeric`` columns right."""
    first = len(heads) - numeric

    def row(cells: list[str] | tuple[str, ...], style: ParagraphStyle) -> list[object]:
        return [_p(c, _RIGHT if i >= first else style) for i, c in enumerate(cells)]

    rows = [row(heads, _HEAD)] + [row(line.cells, _BODY) for line in lines]
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, MUTED),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _pairs(pairs: list[tuple[str, str]], *, bold_last: bool = False) -> Table:
    rows = [[_p(k), _p(v, _RIGHT)] for k, v in pairs]
    if bold_last and rows:
        rows[-1] = [_p(pairs[-1][0], _BOLD), _p(pairs[-1][1], _RIGHT)]
    table = Table(rows, colWidths=[60 * mm, 40 * mm], hAlign="RIGHT")
    table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 1)]))
    return table


def statement_pdf(cs: CustomerStatement) -> bytes:
    _fonts()
    v = statement_view(cs)
    t = v.t
    buffer = BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{v.title} {v.customer_number} {v.as_of}",
        author="billing",
        lang=v.language,
    )
    story: list[object] = [
        _p(v.title, _TITLE),
        Spacer(1, 3 * mm),
        _p(f"{t['customer']}: {v.customer_name}"),
        _p(f"{t['customer_number']}: {v.customer_number}"),
        _p(f"{t['period']}: {v.period}"),
        Spacer(1, 5 * mm),
        _pairs([(t["opening_balance"], v.opening_balance)]),
        Spacer(1, 2 * mm),
    ]
    heads = [t["date"], t["kind"], t["number"], t["reference"], t["amount"], t["balance"]]
    if v.movements:
        story.append(_table(heads, v.movements, numeric=2, widths=[22, 40, 26, 30, 28, 28]))
    else:
        story.append(_p(t["no_movements"]))
    story += [
        Spacer(1, 2 * mm),
        _pairs([(t["closing_balance"], v.closing_balance)]),
        Spacer(1, 6 * mm),
    ]
    story.append(_p(f"{t['open_items']} ({t['as_of']} {v.as_of})", _BOLD))
    item_heads = [t["invoice"], t["date"], t["due_date"], t["days_overdue"], t["amount_due"]]
    story.append(_table(item_heads, v.open_items, numeric=2, widths=[34, 30, 30, 30, 40]))
    if v.unallocated:
        story += [Spacer(1, 4 * mm), _p(t["kind_credit_unallocated"], _BOLD)]
        un_heads = [t["invoice"], t["credit_note"], t["amount"]]
        story.append(_table(un_heads, v.unallocated, numeric=1, widths=[40, 60, 40]))
    story += [Spacer(1, 4 * mm), _pairs(v.summary, bold_last=True), Spacer(1, 4 * mm)]
    story += [_p(t["aging"], _BOLD), _pairs(v.aging)]
    pdf.build(story)
    return buffer.getvalue()
