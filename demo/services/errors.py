"""The one error model of the services: what went wrong, in Portuguese, and where.

A service refuses by raising one of these; it never knows about HTTP. The screens map the kind
to an error page or a form message (demo/errors.py), the API to a problem document, the CLI to
a line on standard error — each mapping written once.
"""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    """What sort of refusal it is (the API's problem type names these)."""

    INVALID = "invalido"
    NOT_FOUND = "nao-encontrado"
    FORBIDDEN = "proibido"
    CONFLICT = "conflito"
    TOO_LARGE = "grande-demais"
    THROTTLED = "muitas-tentativas"
    UNAUTHENTICATED = "nao-autenticado"


class ServiceError(Exception):
    """A refusal with a message for the user, in Portuguese, and the field it concerns."""

    kind = Kind.INVALID
    default_message = "O pedido não pôde ser atendido."

    def __init__(self, message: str | None = None, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(self.message)


class Invalid(ServiceError):
    """What was sent cannot be accepted as it is (a field to fix)."""


class NotFound(ServiceError):
    """It does not exist, or the user may not know that it does."""

    kind = Kind.NOT_FOUND
    default_message = "Não encontrado."


class Forbidden(ServiceError):
    """It exists and the user knows it, but may not do this."""

    kind = Kind.FORBIDDEN
    default_message = "Você não tem permissão para fazer isso."


class Conflict(ServiceError):
    """The current state does not allow it (somebody else acted, or it already happened)."""

    kind = Kind.CONFLICT


class TooLarge(Invalid):
    """A file or body over its size limit."""

    kind = Kind.TOO_LARGE


class Throttled(ServiceError):
    """Too many attempts: try again later (after `retry_after` seconds, when known)."""

    kind = Kind.THROTTLED

    def __init__(
        self, message: str | None = None, field: str | None = None, retry_after: int | None = None
    ):
        super().__init__(message, field)
        self.retry_after = retry_after


class Unauthenticated(ServiceError):
    """Who is asking is not known: no credential, or one that is forged, expired or revoked."""

    kind = Kind.UNAUTHENTICATED
    default_message = "Identifique-se para continuar."


class Problems(Invalid):
    """Several fields to fix at once (a whole form)."""

    def __init__(self, problems: list[ServiceError]):
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems
        if any(p.kind == Kind.TOO_LARGE for p in problems):
            self.kind = Kind.TOO_LARGE
