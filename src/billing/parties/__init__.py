"""Parties: the legal identity (country, organisation and VAT numbers) and the bank details of
the sellers and buyers named on documents, checked and normalized (:mod:`.identity`,
:mod:`.banks`)."""
