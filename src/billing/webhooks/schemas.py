"""What the webhook routes answer: an endpoint (with its secret once, when it is made), its
delivery log, and a dispatch pass.

A dispatch pass answers each endpoint with the keys that apply to it (``skipped``,
``waiting`` or ``failed``), so its route sends only the keys given
(``response_model_exclude_unset``).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

WHE = "whe_0193a1b2c3d4e5f6a7b8c9d0"


class WebhookEndpointOut(BaseModel):
    """A receiver of the event feed and where its delivery stands."""

    id: str = Field(description="The endpoint's id.", examples=[WHE])
    url: str = Field(
        description="Where deliveries are POSTed.",
        examples=["https://erp.example.se/hooks/billing"],
    )
    description: str | None = Field(description="Your note on what it is for; null: none.")
    types: list[str] | None = Field(
        description="The event types it receives; null: all.", examples=[["invoice.issued"]]
    )
    active: bool = Field(description="Whether it is delivered to (false: disabled).")
    cursor: str = Field(
        description="The last event (seq) delivered to it, in feed order.", examples=["1042"]
    )
    failures: int = Field(description="Failed attempts in a row (0 after a success).")
    next_attempt_at: str | None = Field(
        description="After a failure, when it is tried again (ISO timestamp); null: now."
    )
    created_at: str = Field(description="When it was registered (ISO timestamp).")


class WebhookEndpointCreated(WebhookEndpointOut):
    """A new endpoint, with its signing secret (shown this once)."""

    secret: str = Field(description="The secret its deliveries are signed with; shown once.")


class WebhookEndpointPage(BaseModel):
    """Every webhook endpoint, in id order."""

    data: list[WebhookEndpointOut] = Field(description="The endpoints.")
    next_cursor: str | None = Field(description="Always null: the list comes whole.")


class WebhookDeliveryOut(BaseModel):
    """One delivery attempt of one event to one endpoint."""

    id: str = Field(description="The attempt's id (its cursor in the log).", examples=["77"])
    event_seq: str = Field(description="The event delivered (its seq in the feed).")
    event_type: str = Field(description="The event's type.", examples=["invoice.issued"])
    attempt: int = Field(description="Which attempt at this event (1 first).", examples=[1])
    status_code: int | None = Field(
        description="The receiver's HTTP status; null: no answer (refused, timed out)."
    )
    error: str | None = Field(description="What went wrong; null: nothing.")
    succeeded: bool = Field(description="Whether the receiver took it (a 2xx answer).")
    duration_ms: int = Field(description="How long the attempt took, in milliseconds.")
    attempted_at: str = Field(description="When it was attempted (ISO timestamp).")


class WebhookDeliveryPage(BaseModel):
    """A page of an endpoint's delivery log, oldest first."""

    data: list[WebhookDeliveryOut] = Field(description="The page's attempts.")
    next_cursor: str | None = Field(
        description="Set when the page came back full: pass it as after for the next page; "
        "null: the log is drained."
    )


class DispatchEndpointOut(BaseModel):
    """What one endpoint's pass did (only the keys that apply are sent)."""

    endpoint_id: str = Field(description="The endpoint.", examples=[WHE])
    sent: int = Field(description="Events delivered in this pass.", examples=[3])
    skipped: bool | None = Field(default=None, description="Sent only true: it is disabled.")
    waiting: bool | None = Field(
        default=None, description="Sent only true: it waits for its next attempt after a failure."
    )
    failed: bool | None = Field(
        default=None, description="Whether a delivery failed (it is retried later)."
    )


class DispatchOut(BaseModel):
    """One dispatch pass over every endpoint that is due."""

    endpoints: list[DispatchEndpointOut] = Field(description="Each endpoint's pass.")
    sent: int = Field(description="Events delivered in all.", examples=[3])
