"""Request and response shapes of people, their tokens and signing in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictStr

from billing.schemas_common import Name
from billing.schemas_common import Request as Body
from billing.schemas_common import Response as Out


def _login(value: str) -> str:
    local, at, domain = value.strip().partition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in value.strip()):
        raise ValueError("a login is an e-mail address")
    return value.strip().lower()


Login = Annotated[
    StrictStr,
    Field(
        min_length=3,
        max_length=254,
        description="The person's e-mail address, used to sign in (compared lower-case).",
        examples=["anna.berg@example.se"],
    ),
    AfterValidator(_login),
]
Password = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=1000,
        description="The password (at least 12 characters); stored only as an Argon2id hash.",
        examples=["correct horse battery staple"],
    ),
]
RoleName = Literal["staff", "integration", "portal"]


class PersonCreate(Body):
    """A new person who signs in as themselves."""

    name: Name = Field(description="The person's full name.", examples=["Anna Berg"])
    login: Login
    role: RoleName = Field(
        description="What the person may do, as an API key's role.", examples=["staff"]
    )
    customer_id: StrictStr | None = Field(
        default=None, description="The customer a portal person belongs to (portal only)."
    )
    password: Password | None = Field(
        default=None,
        description="A password to sign in with; without one the person uses issued tokens.",
    )


class PersonOut(Out):
    """A person (never their password)."""

    id: str = Field(description="The person's id.", examples=["person_0193a1b2c3d4e5f6a7b8c9d0"])
    name: str = Field(description="The person's full name.", examples=["Anna Berg"])
    login: str = Field(description="The e-mail address they sign in with.")
    role: RoleName = Field(description="What the person may do.")
    customer_id: str | None = Field(description="The customer of a portal person, else null.")
    has_password: bool = Field(description="Whether the person can sign in with a password.")
    created_at: datetime = Field(description="When the person was added.")
    created_by: str | None = Field(description="Who added them (a person or key id).")
    disabled_at: datetime | None = Field(
        description="When the person was disabled (their tokens stopped), else null."
    )


class PeoplePage(Out):
    """A page of people in id order."""

    data: list[PersonOut] = Field(description="The people on this page.")
    next_cursor: str | None = Field(
        description="Pass as after for the next page; null when there are no more."
    )


class SignIn(Body):
    """A person's login and password, exchanged for a token of their own."""

    login: Login
    password: Password


class PersonToken(Out):
    """A token issued to a person: send it as ``Authorization: Bearer <token>``."""

    key_id: str = Field(description="The id of the token's key (to revoke it).")
    token: str = Field(description="The bearer token; shown only this once.")
    person: PersonOut = Field(description="The person the token acts as.")
