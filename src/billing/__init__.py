"""billing: subscription billing and proration on one timeline and one append-only ledger."""

from importlib.metadata import PackageNotFoundError, version

try:
    #: The installed distribution's version (pyproject.toml's ``version``), one source of truth.
    __version__ = version("billing")
except PackageNotFoundError:  # pragma: no cover - run from a source tree that is not installed
    __version__ = "0+unknown"
