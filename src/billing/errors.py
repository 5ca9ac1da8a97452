"""Service-level errors. Like domain errors, each carries the code that names the rule."""

from __future__ import annotations

from billing.domain.errors import DomainError


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


class VersionConflict(DomainError):
    code = "version_conflict"
    status = 412


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    status = 422


class Conflict(DomainError):
    code = "conflict"
    status = 409
