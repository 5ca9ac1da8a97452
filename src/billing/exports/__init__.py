"""Documents out to the books: the SIE typ 4 journal of a seller's period (:mod:`.service`),
booked to a chart of accounts (:mod:`.accounts`) as :mod:`.journal` says, written by
:mod:`.sie`."""
