"""Documents as PDF, laid out with reportlab's platypus.

reportlab is pure Python with wheels on PyPI and needs no system libraries, so the PDF works
wherever the service installs (WeasyPrint would render our HTML template directly, but needs
Pango from the operating system). The text uses Bitstream Vera, the TrueType font reportlab
ships, embedded in the PDF: it has every letter of Swedish, Norwegian and Danish (å ä ö æ ø)
and the non-breaking spaces Babel puts in amounts, and embedded fonts keep the text
extractable (``1 234,50 kr`` reads back as written).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.documents.service import DocumentView

FONT = "BillingVera"
FONT_BOLD = "BillingVeraBold"
INK = colors.HexColor("#1d2433")
MUTED = colors.HexColor("#5b6577")


@lru_cache(maxsize=1)
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def _style(name: str, **kw: object) -> ParagraphStyle:
    base: dict[str, object] = {"fontName": FONT, "fontSize": 9.5, "leading": 12, "textColor": INK}
    base.update(kw)
    return ParagraphStyle(name, **base)


def _p(value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(value), style)


@dataclass(frozen=True, slots=True)
class _Styles:
    body: ParagraphStyle
    muted: ParagraphStyle
    right: ParagraphStyle
    bold_right: ParagraphStyle
    title: ParagraphStyle


def render_pdf(view: DocumentView) -> bytes:
    _fonts()
    styles = _Styles(
        body=_style("body"),
        muted=_style("muted", textColor=MUTED, fontSize=8.5),
        right=_style("right", alignment=TA_RIGHT),
        bold_right=_style("boldright", alignment=TA_RIGHT, fontName=FONT_BOLD),
        title=_style("title", fontName=FONT_BOLD, fontSize=20, leading=24),
    )
    buffer = BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{view.title} {view.number}",
        author="billing",
        lang=view.language,
    )
    story: list[object] = [_header(view, styles), Spacer(1, 6 * mm)]
    story += _credited_invoice(view, styles)
    story.append(_lines(view, styles))
    pdf.build(story)
    return buffer.getvalue()


def _header(view: DocumentView, st: _Styles) -> Table:
    """Title and customer on the left, the document's number, dates and status on the right."""
    t = view.t
    facts = [
        [_p(t["number"], st.muted), _p(view.number, st.right)],
        [_p(t["date"], st.muted), _p(view.issue_date, st.right)],
    ]
    if view.due_date:
        facts.append([_p(t["due_date"], st.muted), _p(view.due_date, st.right)])
    facts.append([_p(t["status"], st.muted), _p(view.status, st.right)])
    head_left = [
        _p(view.title, st.title),
        Spacer(1, 4 * mm),
        _p(f"{t['customer']}: {view.customer_name}", st.body),
        _p(f"{t['customer_number']}: {view.customer_id}", st.muted),
    ]
    facts_table = Table(facts, colWidths=[30 * mm, 40 * mm])
    facts_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    header = Table([[head_left, facts_table]], colWidths=[100 * mm, 70 * mm])
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, INK),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return header


def _credited_invoice(view: DocumentView, st: _Styles) -> list[object]:
    """A credit note names the invoice it credits and why."""
    if view.credits_invoice is None:
        return []
    t = view.t
    credited = view.credits_invoice
    out: list[object] = [
        _p(f"{t['credits_invoice']} {credited.number} {t['dated']} {credited.issue_date}", st.body)
    ]
    for reason in view.reasons:
        out.append(_p(f"{t['reason']}: {reason}", st.body))
    out.append(Spacer(1, 5 * mm))
    return out


def _lines(view: DocumentView, st: _Styles) -> Table:
    """The lines, the total and, on an invoice, what was credited, paid and is due."""
    t = view.t
    body, muted, right, bold_right = st.body, st.muted, st.right, st.bold_right
    rows: list[list[object]] = [
        [
            _p(t["description"], muted),
            _p(t["service_period"], muted),
            _p(t["licences"], _style("mr", textColor=MUTED, fontSize=8.5, alignment=TA_RIGHT)),
            _p(t["unit_price"], _style("mr2", textColor=MUTED, fontSize=8.5, alignment=TA_RIGHT)),
            _p(t["amount"], _style("mr3", textColor=MUTED, fontSize=8.5, alignment=TA_RIGHT)),
        ]
    ]
    for line in view.lines:
        period: list[object] = [_p(line.service_period, body)]
        if line.billing_period:
            period.append(_p(f"{t['of_period']} {line.billing_period}", muted))
        rows.append(
            [
                _p(line.description, body),
                period,
                _p(line.licences, right),
                _p(line.unit_price, right),
                _p(line.amount, right),
            ]
        )
    total_label = t["total_credited"] if view.type == "credit_note" else t["total"]
    rows.append(
        [_p(total_label, _style("b", fontName=FONT_BOLD)), "", "", "", _p(view.total, bold_right)]
    )
    total_row = len(rows) - 1
    if view.amount_due is not None:
        rows.append(
            [_p(t["amount_credited"], body), "", "", "", _p(view.amount_credited or "", right)]
        )
        rows.append([_p(t["amount_paid"], body), "", "", "", _p(view.amount_paid or "", right)])
        due_label = _p(t["amount_due"], _style("b2", fontName=FONT_BOLD))
        rows.append([due_label, "", "", "", _p(view.amount_due, bold_right)])
    lines = Table(rows, colWidths=[34 * mm, 58 * mm, 18 * mm, 28 * mm, 32 * mm], repeatRows=1)
    lines.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, MUTED),
                ("LINEBELOW", (0, 1), (-1, total_row - 1), 0.3, colors.HexColor("#e3e7ee")),
                ("LINEABOVE", (0, total_row), (-1, total_row), 1.2, INK),
                ("SPAN", (0, total_row), (3, total_row)),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return lines
