"""Descriptions of the path parameters, written once for the whole OpenAPI document.

A path names its resource by id (``/v1/subscriptions/{subscription_id}/cancel``); what each
id is does not depend on the route, so it is described here once instead of on every handler.
The app's ``openapi()`` fills in the ones a route left undescribed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

PATH_PARAMETERS: dict[str, tuple[str, str]] = {
    "subscription_id": ("The subscription's id.", "sub_0193a1b2c3d4e5f6a7b8c9d0"),
    "customer_id": ("The customer's id.", "cus_0193a1b2c3d4e5f6a7b8c9d0"),
    "invoice_id": ("The invoice's id.", "inv_0193a1b2c3d4e5f6a7b8c9d0"),
    "credit_note_id": ("The credit note's id.", "cn_0193a1b2c3d4e5f6a7b8c9d0"),
    "order_id": ("The order's id.", "ord_0193a1b2c3d4e5f6a7b8c9d0"),
    "seller_id": ("The seller's id.", "sel_0193a1b2c3d4e5f6a7b8c9d0"),
    "endpoint_id": ("The webhook endpoint's id.", "whe_0193a1b2c3d4e5f6a7b8c9d0"),
    "person_id": ("The person's id.", "person_0193a1b2c3d4e5f6a7b8c9d0"),
    "reminder_id": ("The reminder's id.", "rem_0193a1b2c3d4e5f6a7b8c9d0"),
    "key_id": ("The API key's id.", "key_0193a1b2c3d4e5f6a7b8c9d0"),
    "bill_run_id": ("The bill run's id.", "br_0193a1b2c3d4e5f6a7b8c9d0"),
    "bank_payment_id": ("The bank payment's id.", "bkp_0193a1b2c3d4e5f6a7b8c9d0"),
    "plan_id": ("The plan's id.", "plan_0193a1b2c3d4e5f6a7b8c9d0"),
    "task_id": ("The task's id.", "task_0193a1b2c3d4e5f6a7b8c9d0"),
    "code": ("The add-on's code on the plan.", "sso"),
    "country": ("An ISO 3166 country code.", "SE"),
}


def describe_path_parameters(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every undescribed path parameter of :data:`PATH_PARAMETERS` described
    (and given its example); changed in place and returned."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                known = PATH_PARAMETERS.get(parameter.get("name", ""))
                if parameter.get("in") != "path" or known is None:
                    continue
                parameter.setdefault("description", known[0])
                parameter.setdefault("example", known[1])
    return document


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` describe the path parameters (built once, as FastAPI's is)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_path_parameters(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
