"""How calls that change a subscription answer.

A mutating subscription call answers the subscription after the change, with its money; an
onboarding action answers the flow after it. Every one of them accepts ``?preview=true``: it
answers what the change would leave and commits nothing (:func:`billing.http.deps.get_session`
rolls it back). :data:`ChangeCall` and :data:`ActionCall` are the dependencies such a route
takes besides its caller (one capability of :mod:`billing.http.permissions`), its path and its
body, so that the handler is one service call and its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Response
from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.http.deps import ClockDep, IfMatch, Preview, SessionDep
from billing.onboarding.service import flow_out
from billing.storage.models import Onboarding
from billing.subscriptions.service import ChangeResult
from billing.subscriptions.views import change_out

P = ParamSpec("P")
BodyT = TypeVar("BodyT")


def answer(response: Response, session: Session, result: ChangeResult, *, preview: bool) -> Any:
    """A preview shows the subscription as the change would leave it (version included) but
    commits nothing, so it sends no ETag; a real change sends its new version as ETag."""
    out = change_out(session, result, preview=preview)
    if not preview:
        response.headers["ETag"] = f'"{result.loaded.subscription.version}"'
    return out


@dataclass(frozen=True, slots=True)
class Change:
    """A mutating call on one subscription: its unit of work and clock, the version the caller
    last saw (``If-Match``, checked by the command) and whether it is a preview."""

    response: Response
    session: Session
    clock: Clock
    version: int | None
    preview: bool

    def run(
        self,
        command: Callable[Concatenate[Session, Actor, Clock, P], ChangeResult],
        actor: Actor,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Any:
        """Run one subscription command and answer its result."""
        return self.answer(command(self.session, actor, self.clock, *args, **kwargs))

    def answer(self, result: ChangeResult) -> Any:
        return answer(self.response, self.session, result, preview=self.preview)


async def change_call(
    response: Response, session: SessionDep, clock: ClockDep, version: IfMatch, preview: Preview
) -> Change:
    # async, like the other pure dependencies: no worker thread to build a dataclass
    return Change(response, session, clock, version, preview)


ChangeCall = Annotated[Change, Depends(change_call)]


@dataclass(frozen=True, slots=True)
class Action:
    """An onboarding action on one subscription: the subscription, the unit of work and the
    clock (no ``If-Match``: the onboarding flow is not the timeline and has no version)."""

    subscription_id: str
    session: Session
    clock: Clock

    def run(
        self,
        act: Callable[[Session, Actor, Clock, str, BodyT], Onboarding],
        actor: Actor,
        body: BodyT,
    ) -> Any:
        """Run one onboarding action and answer the flow it leaves."""
        flow = act(self.session, actor, self.clock, self.subscription_id, body)
        return flow_out(self.session, flow)


async def action_call(
    subscription_id: str, session: SessionDep, clock: ClockDep, preview: Preview
) -> Action:
    # ``preview`` is taken for its effect (the request's transaction is rolled back) and so
    # that the OpenAPI document offers it.
    return Action(subscription_id, session, clock)


ActionCall = Annotated[Action, Depends(action_call)]
