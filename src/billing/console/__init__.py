"""The staff console: server-rendered pages for billing staff, served by the same app.

Staff sign in with their staff API token; the console then calls the services directly (the
same functions the API's handlers call, with the same :class:`~billing.auth.service.Actor`),
never the HTTP API. A subscription's page shows its whole life on one screen: the timeline as
a picture (periods, pauses, changes, the end date, and per period what was billed and
credited), the events, the ledger and its documents, the cancellation brief with the offers
staff may make, and forms to schedule, move and undo a cancellation with a preview of the
money first. Mounted at ``/console`` by :func:`billing.console.app.create_console`.
"""
