"""Documents as PDF, laid out with reportlab's platypus.

reportlab is pure Python with wheels on PyPI and needs no system libraries, so the PDF works
wherever the service installs (WeasyPrint would render our HTML template directly, but needs
Pango from the operating system). The text uses Bitstream Vera, the TrueType font reportlab
ships, embedded in the PDF: it has every letter of Swedish, Norwegian and Danish (å ä ö æ ø)
and the non-breaking spaces Babel puts in amounts, and embedded fonts keep the text
extractable (``1 234,50 kr`` reads back as written).

A document issued since VAT (``view.legal``) adds the seller and buyer blocks, a VAT column on
its lines, net and VAT above the gross total, the VAT breakdown, the legal notes and how to
pay (:mod:`billing.documents.legal`); one issued before VAT is laid out as it always was.
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

from billing.documents.legal import LegalContent
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
    if view.legal is not None:
        story += [_parties(view.legal, styles), Spacer(1, 6 * mm)]
    story += _credited_invoice(view, styles)
    story.append(_lines(view, styles))
    if view.legal is not None:
        story += _legal_footer(view, view.legal, styles)
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
    head_left: list[object] = [_p(view.title, st.title)]
    if view.legal is not None:  # the buyer is in its own block below
        facts.append([_p(t["customer_number"], st.muted), _p(view.customer_number, st.right)])
    else:
        head_left += [
            Spacer(1, 4 * mm),
            _p(f"{t['customer']}: {view.customer_name}", st.body),
            _p(f"{t['customer_number']}: {view.customer_number}", st.muted),
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


def _head_style(name: str, *, align_right: bool) -> ParagraphStyle:
    if align_right:
        return _style(name, textColor=MUTED, fontSize=8.5, alignment=TA_RIGHT)
    return _style(name, textColor=MUTED, fontSize=8.5)


def _lines(view: DocumentView, st: _Styles) -> Table:
    """The lines, the total and, on an invoice, what was credited, paid and is due. Since VAT:
    each line's product (its kind below) and rate, and net and VAT above the gross total."""
    t, taxed = view.t, view.legal is not None and view.legal.taxed
    body, muted, right = st.body, st.muted, st.right
    heads = ["description", "service_period", "licences", "unit_price", "amount"]
    if taxed:
        heads.insert(4, "vat")
    rows: list[list[object]] = [
        [_p(t[h], _head_style(f"h{i}", align_right=i > 1)) for i, h in enumerate(heads)]
    ]
    for line in view.lines:
        period: list[object] = [_p(line.service_period, body)]
        if line.billing_period:
            period.append(_p(f"{t['of_period']} {line.billing_period}", muted))
        what: list[object] = [_p(line.description, body)]
        if line.detail:
            what.append(_p(line.detail, muted))
        cells: list[object] = [what, period, _p(line.licences, right), _p(line.unit_price, right)]
        if taxed:
            cells.append(_p(line.vat_rate, right))
        rows.append([*cells, _p(line.amount, right)])
    first_total = len(rows)
    total_row = first_total + _totals(view, st, rows, blank=len(heads) - 2)
    widths = [30, 53, 18, 24, 14, 31] if taxed else [34, 58, 18, 28, 32]
    # Since VAT every label of the totals spans the columns before the amount (before VAT only
    # the total's did, and such a document keeps its layout).
    spanned = range(first_total, len(rows)) if view.legal is not None else [total_row]
    lines = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    lines.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, MUTED),
                ("LINEBELOW", (0, 1), (-1, first_total - 1), 0.3, colors.HexColor("#e3e7ee")),
                ("LINEABOVE", (0, first_total), (-1, first_total), 1.2, INK),
                *(("SPAN", (0, r), (len(heads) - 2, r)) for r in spanned),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return lines


def _totals(view: DocumentView, st: _Styles, rows: list[list[object]], *, blank: int) -> int:
    """Append the totals to ``rows``: since VAT net and VAT, then the (gross) total and, on an
    invoice, what was credited, paid and is due. Returns the total's offset among them."""
    t, legal, body, right, bold_right = view.t, view.legal, st.body, st.right, st.bold_right
    empty = [""] * blank
    taxed = legal is not None and legal.taxed
    if legal is not None and taxed:
        rows.append([_p(t["net_total"], body), *empty, _p(legal.net_total or "", right)])
        rows.append([_p(t["vat"], body), *empty, _p(legal.vat_total or "", right)])
    label = t["total_credited"] if view.type == "credit_note" else t["total"]
    if view.type != "credit_note" and taxed:
        label = t["gross_total"]
    rows.append([_p(label, _style("b", fontName=FONT_BOLD)), *empty, _p(view.total, bold_right)])
    if view.amount_due is not None:
        rows.append([_p(t["amount_credited"], body), *empty, _p(view.amount_credited or "", right)])
        rows.append([_p(t["amount_paid"], body), *empty, _p(view.amount_paid or "", right)])
        due_label = _p(t["amount_due"], _style("b2", fontName=FONT_BOLD))
        rows.append([due_label, *empty, _p(view.amount_due, bold_right)])
    return 2 if taxed else 0


def _block(heading: str, name: str, lines: list[str], st: _Styles) -> list[object]:
    out: list[object] = [_p(heading, st.muted), _p(name, _style("n", fontName=FONT_BOLD))]
    return out + [_p(line, st.body) for line in lines]


def _parties(legal: LegalContent, st: _Styles) -> Table:
    """The seller and the buyer, side by side, as the document was issued."""
    seller, buyer = legal.seller, legal.buyer
    table = Table(
        [
            [
                _block(seller.heading, seller.name, seller.lines, st),
                _block(buyer.heading, buyer.name, buyer.lines, st),
            ]
        ],
        colWidths=[85 * mm, 85 * mm],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _legal_footer(view: DocumentView, legal: LegalContent, st: _Styles) -> list[object]:
    """The VAT breakdown, the legal notes and how to pay."""
    t = view.t
    out: list[object] = []
    if legal.vat_rows:
        rows: list[list[object]] = [
            [
                _p(t["vat_rate"], st.muted),
                _p(t["taxable_amount"], _head_style("vt", align_right=True)),
                _p(t["vat"], _head_style("vv", align_right=True)),
            ]
        ]
        rows += [
            [_p(r.rate, st.body), _p(r.taxable, st.right), _p(r.vat, st.right)]
            for r in legal.vat_rows
        ]
        table = Table(rows, colWidths=[40 * mm, 40 * mm, 40 * mm], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [("LINEBELOW", (0, 0), (-1, 0), 0.6, MUTED), ("VALIGN", (0, 0), (-1, -1), "TOP")]
            )
        )
        out += [Spacer(1, 6 * mm), _p(t["vat_breakdown"], _style("vb", fontName=FONT_BOLD)), table]
    if legal.notes:
        out.append(Spacer(1, 4 * mm))
        out += [_p(note, st.body) for note in legal.notes]
    if legal.payment:
        facts = [[_p(f.label, st.muted), _p(f.value, st.body)] for f in legal.payment]
        table = Table(facts, colWidths=[40 * mm, 90 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        out += [Spacer(1, 6 * mm), _p(t["payment"], _style("pb", fontName=FONT_BOLD)), table]
    return out
