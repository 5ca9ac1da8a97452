"""The activity log as the API answers it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from billing.schemas_common import Response as Out


class AuditEntryOut(Out):
    """One write made through the API."""

    seq: int = Field(description="The entry's number, in commit order (the cursor).")
    actor: str = Field(
        description="Who: the person's id if a person's token made it, else the API key's.",
        examples=["person_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    person_id: str | None = Field(description="The person, or null for a service key.")
    operation: str = Field(
        description="What: the method and route.",
        examples=["POST /v1/subscriptions/{subscription_id}/cancel"],
    )
    subject_id: str | None = Field(
        description="The resource written: the one the route names, or the one it created.",
        examples=["sub_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    customer_id: str | None = Field(description="The customer it concerns, if one.")
    created_at: datetime = Field(description="When it was committed.")


class AuditPage(Out):
    """A page of the activity log, oldest first, and the cursors to read on from."""

    data: list[AuditEntryOut] = Field(description="The page's entries, in commit order.")
    next_cursor: str | None = Field(
        description="Set when the page came back full: pass it as after for the next page."
    )
    resume_cursor: str | None = Field(
        description="Where to read on from: the last entry's seq, or the after you sent."
    )
