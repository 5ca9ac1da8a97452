"""Invoices and credit notes as Peppol BIS Billing 3.0 UBL 2.1 documents (EN 16931).

* :mod:`.codes`: the code lists used (categories, schemes, payment means) and how our tax codes,
  identifiers and bank details map to them;
* :mod:`.model`: the business terms of one document;
* :mod:`.amounts`: decimals, net lines of a gross price list, unit prices, exactly;
* :mod:`.payment`: the payment means of an invoice from the seller's bank details;
* :mod:`.content`: an issued document (as stored) → its terms, or a 409 when it cannot be one;
* :mod:`.ubl`: the terms → UBL 2.1 XML (lxml);
* :mod:`.service`: read a document for a caller and answer its XML.

Validated in ``tests/peppol`` by the official CEN EN 16931 and Peppol BIS Billing 3.0
Schematron rules (release 3.0.19).
"""
