"""Documents for people: invoices and credit notes as HTML and PDF, in the customer's language.

A document is built once as a :class:`~billing.documents.service.DocumentView` (every text
already translated and every amount, date and number formatted by Babel for the customer's
locale), then rendered by :mod:`billing.documents.html` (Jinja2) or :mod:`billing.documents.pdf`
(reportlab). Both renderers show the same facts, so the HTML and the PDF never disagree.
"""
