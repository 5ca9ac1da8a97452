"""Service-level errors, declared like domain errors (:mod:`billing.domain.errors`): each
carries the code that names the rule and the HTTP status it is answered with.

* ``not_found`` (404): no such resource, or not one the caller may see.
* ``forbidden`` (403): the caller's role may not do this.
* ``unauthorized`` (401): no token, or an unknown one.
* ``version_conflict`` (412): ``If-Match`` names a version that is no longer current.
* ``idempotency_conflict`` (422): an ``Idempotency-Key`` reused for another request.
* ``conflict`` (409): the request does not fit the current state; a raise usually names the
  precise rule (``task_closed``, ``four_eyes``, ...).
"""

from __future__ import annotations

from billing.domain.errors import DomainError


class NotFound(DomainError, code="not_found", status=404): ...


class Forbidden(DomainError, code="forbidden", status=403): ...


class Unauthorized(DomainError, code="unauthorized", status=401): ...


class VersionConflict(DomainError, code="version_conflict", status=412): ...


class IdempotencyConflict(DomainError, code="idempotency_conflict", status=422): ...


class Conflict(DomainError, code="conflict", status=409): ...
