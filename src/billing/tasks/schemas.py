"""What the task routes answer: a back-office task (a termination's follow-up, an onboarding
call) and a page of them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TaskOut(BaseModel):
    """One task of the back office."""

    id: str = Field(description="The task's id.", examples=["task_0193a1b2c3d4e5f6a7b8c9d0"])
    subscription_id: str | None = Field(
        description="The subscription it is about; null: none.",
        examples=["sub_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    customer_id: str | None = Field(
        description="The customer it is about.", examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    kind: str = Field(
        description="What kind of task: a plan's termination task kind (e.g. deactivate_access) "
        "or onboarding_call.",
        examples=["deactivate_access"],
    )
    title: str = Field(description="What to do, in words.", examples=["Stäng av kontot"])
    due_date: str = Field(description="The day it is due (ISO date).", examples=["2025-04-30"])
    status: str = Field(description="open, done or cancelled.", examples=["open"])
    completed_at: str | None = Field(
        description="When it was done (ISO timestamp); null: not done."
    )
    completed_by: str | None = Field(description="Who did it (role:person or key); null: not done.")


class TaskPage(BaseModel):
    """A page of tasks in id order."""

    data: list[TaskOut] = Field(description="The page's tasks.")
    next_cursor: str | None = Field(
        description="The last id when the page came back full: pass it as after for the next "
        "page; null: the list is drained."
    )
