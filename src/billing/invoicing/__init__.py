"""Invoicing: posting ledger entries as documents (invoices, credit notes), and payments."""
