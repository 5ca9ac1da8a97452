"""Accounts receivable (kundreskontra): one account per customer and currency.

The account holds what the customer owes: every invoice (+), credit note (−), payment (−) and
refund (+) is a movement of it, on its document's date (a payment on its ``paid_on``). Customer
credit (credit kept from a credit note, spent by a later invoice) moves *inside* the account:
the credit note already lowered the balance by what it gave back, so keeping that as credit or
spending it on an invoice changes nothing the customer owes; those lines carry the change of
the customer credit instead (``credit``), with its running total.

Two identities hold on every statement, exactly, as of any day:

* ``closing = opening + Σ movements``;
* ``closing = Σ open amounts − customer credit − unallocated credit``: what invoices still ask,
  less the credit the customer holds, less what credit notes gave back beyond what was owed
  and that went neither to a refund nor to the customer credit (``credit_unallocated``: with
  ``unused: credit_note`` on a paid invoice the credit note says "to be repaid", yet nothing is
  refunded or kept; the statement shows that money rather than hide it).

Floor plan:

1. :mod:`~billing.receivables.statement` — the account of one customer from its rows (pure):
   per-invoice positions as of a day, movements, opening and closing, open items.
2. :mod:`~billing.receivables.aging` — days overdue and aging buckets (pure), and the aging of
   many accounts from their positions.
3. :mod:`~billing.receivables.repository` — every query (one customer's rows; every
   invoice's position as of a day; customer credit as of a day).
4. :mod:`~billing.receivables.service` — the statement and the aging for a caller: the
   customer as the caller may see it, the dates checked, today from the service clock;
   :mod:`~billing.receivables.account` — each customer's account summary today (balance,
   open and overdue amounts, credit: :mod:`billing.domain.overdue`), the figures the
   customers' answers, the console, the cancellation brief and the retention rule read.
5. :mod:`~billing.receivables.views` — JSON and CSV; :mod:`~billing.receivables.render`
   and :mod:`~billing.receivables.labels` — the statement (kontoutdrag) as HTML and PDF in
   the customer's language.

Nothing here writes: stored statuses stay as the invoicing rules set them; ``overdue`` is read
from the due date and the day asked about, wherever an invoice or a customer is shown.
"""
