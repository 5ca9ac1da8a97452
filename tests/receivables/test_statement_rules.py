"""The account's rules on rows built by hand (no database), one class per rule.

Amounts in öre; one invoice of 300.00 kr (30000) issued 04-01, due 05-01, unless said.
"""

from __future__ import annotations

from datetime import date

from billing.receivables.aging import Bucket, DueInvoice, aging_rows, bucket_of, days_overdue
from billing.receivables.statement import (
    AccountRows,
    CreditRow,
    DocumentRow,
    InvoiceRow,
    PaymentRow,
    Position,
    build_statement,
)

D = date
APR_1, APR_5, APR_11 = D(2025, 4, 1), D(2025, 4, 5), D(2025, 4, 11)


def invoice(id_: str = "i1", total: int = 30000, day: date = APR_1) -> InvoiceRow:
    return InvoiceRow(id_, f"INV-{id_}", day, D(2025, 5, 1), total, "123")


def note(total: int, day: date = APR_11, of: str = "i1") -> DocumentRow:
    return DocumentRow(f"cn-{of}-{total}", f"CN-{of}", day, total, of, f"INV-{of}")


def refund(total: int, day: date = APR_11, of: str = "i1") -> DocumentRow:
    return DocumentRow(f"rf-{of}", f"RF-{of}", day, total, of, f"INV-{of}")


def payment(amount: int, day: date = APR_5, of: str = "i1") -> PaymentRow:
    return PaymentRow(f"p-{of}-{amount}", of, f"INV-{of}", day, amount, None)


def kept(amount: int, credit_note: DocumentRow) -> CreditRow:
    return CreditRow(
        1,
        "credit_kept",
        amount,
        credit_note.id,
        credit_note.number,
        credit_note.issue_date,
        credit_note.invoice_id,
        credit_note.invoice_number,
    )


def applied(amount: int, inv: InvoiceRow) -> CreditRow:
    return CreditRow(2, "applied", -amount, inv.id, inv.number, inv.issue_date, inv.id, inv.number)


def rows(**kw: list[object]) -> AccountRows:
    base: dict[str, list[object]] = {
        "invoices": [],
        "credit_notes": [],
        "refunds": [],
        "payments": [],
        "credits": [],
    }
    base.update(kw)
    return AccountRows(**base)  # type: ignore[arg-type]


def parts(s: object) -> int:
    return s.open_total - s.customer_credit - s.unallocated_credit  # type: ignore[attr-defined]


class TestPosition:
    def test_due_is_what_is_left_never_below_zero(self) -> None:
        assert Position(billed=30000, credited=20000, paid=5000).due == 5000
        assert Position(billed=30000, credited=20000, paid=15000).due == 0

    def test_unallocated_is_the_overpayment_nothing_took(self) -> None:
        # 300.00 paid, 200.00 credited: 200.00 overpaid; 50.00 refunded, 100.00 kept.
        pos = Position(billed=30000, credited=20000, paid=30000, refunded=5000, kept=10000)
        assert (pos.due, pos.unallocated) == (0, 5000)


class TestLimbo:
    """``unused: credit_note`` on a paid invoice, as the rule was before issue 13: the credit
    note gives back 200.00, nothing is refunded or kept. The customer is owed 200.00 that is
    neither a refund nor customer credit; the statement says so."""

    def test_the_money_shows_as_unallocated_and_the_account_balances(self) -> None:
        r = rows(invoices=[invoice()], payments=[payment(30000)], credit_notes=[note(20000)])
        s = build_statement(r, start=None, end=D(2025, 4, 30))
        assert s.closing_balance == -20000
        assert (s.open_total, s.customer_credit, s.unallocated_credit) == (0, 0, 20000)
        assert [(u.invoice_id, u.credit_notes, u.amount) for u in s.unallocated] == [
            ("i1", ("CN-i1",), 20000)
        ]
        assert s.closing_balance == parts(s)

    def test_with_the_rule_of_issue_13_it_is_kept_instead(self) -> None:
        cn = note(20000)
        r = rows(
            invoices=[invoice()],
            payments=[payment(30000)],
            credit_notes=[cn],
            credits=[kept(20000, cn)],
        )
        s = build_statement(r, start=None, end=D(2025, 4, 30))
        assert (s.closing_balance, s.customer_credit, s.unallocated) == (-20000, 20000, [])


class TestMovements:
    def test_signs_dates_and_running_balance(self) -> None:
        cn = note(20000)
        later = invoice("i2", day=D(2025, 5, 1))
        r = rows(
            invoices=[invoice(), later],
            payments=[payment(30000)],
            credit_notes=[cn],
            refunds=[refund(5000)],
            credits=[kept(15000, cn), applied(15000, later)],
        )
        s = build_statement(r, start=None, end=D(2025, 5, 31))
        got = [
            (m.day.day, m.kind, m.amount, m.credit, m.balance, m.credit_balance)
            for m in s.movements
        ]
        assert got == [
            (1, "invoice", 30000, 0, 30000, 0),
            (5, "payment", -30000, 0, 0, 0),
            (11, "credit_note", -20000, 0, -20000, 0),
            (11, "credit_kept", 0, 15000, -20000, 15000),
            (11, "refund", 5000, 0, -15000, 15000),
            (1, "invoice", 30000, 0, 15000, 15000),
            (1, "credit_applied", 0, -15000, 15000, 0),
        ]
        assert s.closing_balance == parts(s) == 15000

    def test_opening_is_everything_before_from(self) -> None:
        r = rows(invoices=[invoice()], payments=[payment(10000, D(2025, 5, 3))])
        s = build_statement(r, start=D(2025, 5, 1), end=D(2025, 5, 31))
        assert (s.opening_balance, [m.kind for m in s.movements], s.closing_balance) == (
            30000,
            ["payment"],
            20000,
        )

    def test_a_payment_dated_before_its_invoice_still_balances(self) -> None:
        # paid_on is the payer's date: before the invoice exists, it is money held.
        r = rows(invoices=[invoice(day=D(2025, 4, 10))], payments=[payment(30000, D(2025, 4, 5))])
        s = build_statement(r, start=None, end=D(2025, 4, 7))
        assert (s.closing_balance, s.unallocated_credit, s.open_items) == (-30000, 30000, [])
        assert s.closing_balance == parts(s)


class TestAging:
    def test_days_and_buckets(self) -> None:
        due = D(2025, 5, 31)
        cases = [(D(2025, 5, 31), 0), (D(2025, 6, 1), 1), (D(2025, 6, 30), 30)]
        cases += [(D(2025, 7, 1), 31), (D(2025, 8, 29), 90), (D(2025, 8, 30), 91)]
        assert [days_overdue(due, d) for d, _ in cases] == [n for _, n in cases]
        assert days_overdue(None, D(2030, 1, 1)) == 0
        assert [bucket_of(n) for n in (0, 1, 30, 31, 60, 61, 90, 91)] == [
            Bucket.NOT_DUE,
            Bucket.DAYS_1_30,
            Bucket.DAYS_1_30,
            Bucket.DAYS_31_60,
            Bucket.DAYS_31_60,
            Bucket.DAYS_61_90,
            Bucket.DAYS_61_90,
            Bucket.OVER_90,
        ]

    def test_rows_per_customer_and_currency(self) -> None:
        due = [
            DueInvoice("c1", "SEK", D(2025, 5, 1), 1000, 0),
            DueInvoice("c1", "SEK", D(2025, 7, 1), 500, 0),
            DueInvoice("c1", "NOK", None, 700, 0),
            DueInvoice("c2", "DKK", D(2025, 1, 1), 0, 300),
        ]
        out = aging_rows(due, {("c1", "SEK"): 200, ("c3", "SEK"): 0}, as_of=D(2025, 6, 15))
        assert [(r.customer_id, r.currency) for r in out] == [
            ("c1", "NOK"),
            ("c1", "SEK"),
            ("c2", "DKK"),
        ]
        nok, sek, dkk = out
        assert (nok.open_total, nok.overdue_total) == (700, 0)
        assert sek.buckets[Bucket.DAYS_31_60] == 1000 and sek.buckets[Bucket.NOT_DUE] == 500
        assert (sek.overdue_total, sek.balance) == (1000, 1300)
        assert (dkk.open_total, dkk.unallocated_credit, dkk.balance) == (0, 300, -300)


class TestOverpaymentFromTheBank:
    def test_money_beyond_the_invoice_is_received_and_held_as_credit(self) -> None:
        # A bank payment of 350.00 on a 300.00 invoice: 300.00 paid, 50.00 kept (overpaid).
        inv = invoice()
        extra = CreditRow(3, "overpaid", 5000, inv.id, inv.number, inv.issue_date, inv.id, None)
        r = rows(invoices=[inv], payments=[payment(30000)], credits=[extra])
        s = build_statement(r, start=None, end=D(2025, 4, 30))
        # Dated by its invoice (its entry does not name the bank payment).
        assert [(m.kind, m.amount, m.credit) for m in s.movements if m.credit] == [
            ("payment_credit", -5000, 5000)
        ]
        assert (s.closing_balance, s.customer_credit, s.unallocated, s.open_items) == (
            -5000,
            5000,
            [],
            [],
        )
        assert s.closing_balance == parts(s)
