"""The ``billing`` command: serve the API, migrate the database, run bills and the scheduler."""

from __future__ import annotations

import argparse
import re
import sys

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from billing import __version__
from billing.bill_runs.cli import run_from_cli
from billing.exports.cli import export_sie_cli
from billing.http.openapi import render_openapi, write_openapi
from billing.http.server import serve as run_server
from billing.payments.cli import import_payments_cli
from billing.settings import get_settings
from billing.storage.migrate import upgrade
from billing.terminations.cli import run_scheduler_cli
from billing.webhooks.cli import run_webhooks_cli


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="billing", description=__doc__)
    parser.add_argument("--version", action="version", version=f"billing {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    sub.add_parser("migrate", help="bring the database schema up to date")

    bill = sub.add_parser("bill-run", help="post everything due on or before a date")
    bill.add_argument("--as-of", required=True, help="YYYY-MM-DD")
    bill.add_argument("--workers", type=int, default=1, help="worker processes (PostgreSQL)")
    bill.add_argument("--batch-size", type=int, default=None, help="subscriptions per batch")
    bill.add_argument(
        "--new", action="store_true", help="start a new run even if one for the date is unfinished"
    )

    openapi = sub.add_parser("openapi", help="write the OpenAPI document (no database needed)")
    openapi.add_argument("--output", default="api/openapi.json", help="'-' for standard output")

    sched = sub.add_parser(
        "scheduler", help="run the scheduler: statuses, terminations, passive customers"
    )
    sched.add_argument("--once", action="store_true", help="one pass, then exit")
    sched.add_argument("--interval", type=int, default=300, help="seconds between passes")

    hooks = sub.add_parser("webhooks", help="deliver the event feed to webhook endpoints")
    hooks.add_argument("--once", action="store_true", help="one pass, then exit")
    hooks.add_argument("--interval", type=float, default=2.0, help="seconds between passes")
    payments = sub.add_parser("import-payments", help="import a bank file of payments")
    payments.add_argument("file", help="a BgMax, OCR giro or camt.054 file")
    payments.add_argument("--format", choices=["bgmax", "ocr_giro", "camt054"], default=None)
    sie = sub.add_parser("export-sie", help="write a seller's journal of a period as SIE typ 4")
    sie.add_argument("--seller", default=None, help="seller id (default: the default seller)")
    sie.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD, included")
    sie.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD, included")
    sie.add_argument("--output", default="-", help="file to write ('-': standard output)")
    return parser


def _migrate() -> int:
    upgrade(get_settings().database_url)
    return 0


def _openapi(output: str) -> int:
    if output == "-":
        sys.stdout.write(render_openapi())
    else:
        print(f"wrote {write_openapi(output)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run a command; a configuration the settings refuse, or a database that cannot be
    reached, is one line on stderr (never a traceback: those print settings' values, the
    admin token and the database URL's password among them) and exit status 2."""
    args = parser().parse_args(argv)
    try:
        return _run(args)
    except ValidationError as exc:
        problems = "; ".join(
            f"BILLING_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
        print(f"billing: the configuration is refused: {problems}", file=sys.stderr)
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        print(
            f"billing: the database cannot be reached: {_without_secrets(reason)}", file=sys.stderr
        )
    return 2


def _without_secrets(text: str) -> str:
    """``text`` with any ``scheme://user:password@`` credentials blanked."""
    return re.sub(r"(://[^:/@\s]*):[^@\s]*@", r"\1:***@", text)


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return run_server(host=args.host, port=args.port, workers=args.workers)
    if args.command == "migrate":
        return _migrate()
    if args.command == "webhooks":
        return run_webhooks_cli(once=args.once, interval=args.interval)
    if args.command == "scheduler":
        return run_scheduler_cli(once=args.once, interval=args.interval)
    if args.command == "bill-run":
        return run_from_cli(
            args.as_of, workers=args.workers, batch_size=args.batch_size, new=args.new
        )
    if args.command == "import-payments":
        return import_payments_cli(args.file, format=args.format)
    if args.command == "export-sie":
        return export_sie_cli(args.seller, start=args.start, end=args.end, output=args.output)
    if args.command == "openapi":
        return _openapi(args.output)
    return 2


if __name__ == "__main__":
    sys.exit(main())
