"""The one posting plan: what new ledger entries become (billing.domain.posting).

Amounts worked out by hand; the property at the end checks the rules on any mix of entries.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.domain.ledger import Entry, EntryKind
from billing.domain.posting import DocumentType, PostingPlan, plan_posting

MAY, JUN, JUL = date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)
#: Posted entries L1, L2 on invoice inv_a; L3 on inv_b.
INVOICE_OF = {"L1": "inv_a", "L2": "inv_a", "L3": "inv_b"}


def charge(amount: int, start: date = JUN, end: date = JUL, item: str = "main") -> Entry:
    return Entry(item, EntryKind.CHARGE, start, end, start, end, amount, 1, amount, amount, "E1")


def credit(of: str, amount: int) -> Entry:
    return Entry("main", EntryKind.CREDIT, MAY, JUN, MAY, JUN, amount, 1, amount, -amount, "E2", of)


def plan(new: list[Entry], *, terms: int = 30, run: str | None = None) -> PostingPlan:
    return plan_posting(
        new,
        invoice_of=INVOICE_OF,
        currency="SEK",
        issue_date=JUN,
        payment_terms_days=terms,
        bill_run_id=run,
    )


class TestCharges:
    def test_all_charges_of_a_posting_go_on_one_invoice_due_after_the_terms(self) -> None:
        # 24 995 + 5 000 on one invoice; due 1 June + 14 days = 15 June.
        p = plan([charge(24995), charge(5000, item="addon:x")], terms=14)
        (invoice,) = p.documents
        assert (invoice.type, invoice.series, invoice.total) == (DocumentType.INVOICE, "INV", 29995)
        assert (invoice.issue_date, invoice.due_date) == (JUN, date(2025, 6, 15))
        assert (invoice.status, invoice.invoice_id) == ("open", None)
        assert p.numbers_needed == {"INV": 1}

    def test_an_invoice_of_nothing_owes_nothing(self) -> None:
        (invoice,) = plan([charge(0)]).documents
        assert (invoice.total, invoice.status) == (0, "paid")

    def test_nothing_new_plans_nothing(self) -> None:
        p = plan([])
        assert (p.documents, p.numbers_needed, p.credited_invoices) == ((), {}, ())


class TestCredits:
    def test_one_credit_note_per_invoice_given_back_each_pointing_at_it(self) -> None:
        # L1 and L2 (inv_a) give back 1 000 + 2 000; L3 (inv_b) 500.
        p = plan([credit("L1", 1000), credit("L3", 500), credit("L2", 2000)])
        a, b = p.documents
        assert (a.type, a.series, a.invoice_id, a.total) == (
            DocumentType.CREDIT_NOTE,
            "CN",
            "inv_a",
            3000,
        )
        assert [e.credits for e in a.entries] == ["L1", "L2"]
        assert (b.invoice_id, b.total, b.due_date, b.status) == ("inv_b", 500, None, "issued")
        assert p.numbers_needed == {"CN": 2}
        assert p.credited_invoices == ("inv_a", "inv_b")

    def test_the_invoice_comes_first_whatever_the_order_of_entries(self) -> None:
        p = plan([credit("L1", 1000), charge(9000)])
        assert [d.type for d in p.documents] == [DocumentType.INVOICE, DocumentType.CREDIT_NOTE]

    def test_a_credit_of_nothing_invoiced_is_refused(self) -> None:
        with pytest.raises(ValueError, match="names no invoiced entry"):
            plan([credit("L9", 100)])


class TestFeedPayload:
    def test_issued_event_of_a_credit_note_in_a_bill_run(self) -> None:
        (note,) = plan([credit("L1", 1000)], run="br_1").documents
        assert note.issued_type == "credit_note.issued"
        assert note.issued_data(42, document_id="cn_1") == {
            "document_id": "cn_1",
            "links": {
                "xml": "/v1/credit-notes/cn_1.xml",
                "html": "/v1/credit-notes/cn_1.html",
                "pdf": "/v1/credit-notes/cn_1.pdf",
            },
            "number": "CN-000042",
            "total": 1000,
            "net_total": 1000,
            "vat_total": 0,
            "currency": "SEK",
            "issue_date": "2025-06-01",
            "invoice_id": "inv_a",
            "bill_run_id": "br_1",
            "payment_reference": None,
        }


entries = st.lists(
    st.one_of(
        st.integers(0, 10**6).map(charge),
        st.tuples(st.sampled_from(sorted(INVOICE_OF)), st.integers(1, 10**6)).map(
            lambda t: credit(*t)
        ),
    ),
    max_size=12,
)


@given(entries)
def test_every_entry_on_exactly_one_document_and_the_totals_add_up(new: list[Entry]) -> None:
    p = plan(new)
    on_documents = [e for d in p.documents for e in d.entries]
    assert sorted(map(repr, on_documents)) == sorted(map(repr, new))
    signed = sum(d.total if d.type is DocumentType.INVOICE else -d.total for d in p.documents)
    assert signed == sum(e.amount for e in new)
    assert sum(p.numbers_needed.values()) == len(p.documents)
    for d in p.documents:
        if d.type is DocumentType.CREDIT_NOTE:
            assert {INVOICE_OF[str(e.credits)] for e in d.entries} == {d.invoice_id}
    assert sum(d.type is DocumentType.INVOICE for d in p.documents) <= 1
