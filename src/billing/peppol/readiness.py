"""Whether an issued document can be a Peppol BIS Billing 3.0 UBL document at all.

:func:`peppol_ready` asks the very rules that refuse the XML (:func:`billing.peppol.content.
ubl_document`: issued before VAT, lines posted before VAT, no electronic address for the
seller or the buyer) on a document and its ledger lines: no query, no XML written. The
documents feed cannot import it (peppol reads invoicing: a cycle), so it asks
:func:`billing.invoicing.views.ubl_possible` on the stored document, and
``tests/api/test_document_links.py`` checks the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from billing.errors import Conflict
from billing.peppol.content import ubl_document
from billing.storage.models import Document, LedgerEntry

#: The kinds of document that have a UBL form (a refund is a payment record).
UBL_TYPES = frozenset({"invoice", "credit_note"})


def peppol_ready(doc: Document, entries: Sequence[LedgerEntry]) -> bool:
    """Whether ``doc`` with its ledger ``entries`` can be written as UBL (its ``.xml`` answers
    200). A document that disagrees with itself is an error (``ValueError``), as for its XML."""
    if doc.type not in UBL_TYPES:
        return False
    try:
        ubl_document(doc, entries, number="", language="en", product=_unnamed)
    except Conflict:
        return False
    return True


def _unnamed(entry: LedgerEntry) -> str:
    return ""
