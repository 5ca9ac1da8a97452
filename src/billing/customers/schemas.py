from __future__ import annotations

from datetime import datetime

from billing.schemas_common import Currency, LocaleName, Name, Request, Response, Timezone


class CustomerCreate(Request):
    name: Name
    currency: Currency
    locale: LocaleName = "sv_SE"
    timezone: Timezone = "Europe/Stockholm"
    external_ref: Name | None = None


class CustomerOut(Response):
    id: str
    name: str
    currency: str
    locale: str
    timezone: str
    external_ref: str | None
    status: str
    created_at: datetime
