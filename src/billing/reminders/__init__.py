"""Reminders of overdue invoices, with the fees and late interest the law allows.

Floor plan:

1. :mod:`billing.domain.late_payment` — the law, pure: the dated tables, fee caps, interest
   per day and when a reminder is due.
2. :mod:`~billing.reminders.repository` — every query.
3. :mod:`~billing.reminders.service` — the scheduler's pass: each due reminder, its reminder
   invoice (:mod:`~billing.reminders.charges`) and its ``reminder.sent`` event.
4. :mod:`~billing.reminders.admin` — what staff change: the tables (``PUT
   /v1/late-payment-rules/{country}``), a customer's reminder settings (paused, fee agreed)
   and disputes of invoices.
5. :mod:`~billing.reminders.render` — the reminder as HTML and PDF in the customer's language.
"""
