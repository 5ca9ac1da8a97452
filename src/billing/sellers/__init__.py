"""Sellers: the legal entities documents are issued by, each with its own number series, bank
details and payment reference scheme (:mod:`.service` explains the default and the series)."""
