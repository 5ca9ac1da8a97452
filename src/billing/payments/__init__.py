"""Payments by reference from bank files: BgMax, OCR giro and camt.054 imported, matched to
invoices by their payment reference, the rest queued for staff (:mod:`billing.payments.service`)."""
