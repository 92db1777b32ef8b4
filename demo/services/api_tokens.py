"""Personal access tokens of the API: created and revoked by their owner, checked on every call.

A token is 256 random bits, shown once. The database keeps only HMAC-SHA256(token) under a key
derived from the instance's secret key. A slow password hash (argon2) exists to make guessing a
*low-entropy* password expensive; nobody can guess 256 random bits, so a fast hash loses nothing
and keeps every API call cheap (it is computed on each one). The key means that a copy of the
database alone (a backup) does not even let someone test a candidate token.

Each call is counted in the token's own row (a fixed window of one minute), with one UPDATE
that every worker and every instance of the portal share: the limit holds however many
processes serve the API, as the login throttling does (services/throttling.py).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import math
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, literal, or_, select, update

from ..database import writing
from ..extensions import db
from ..models import ApiToken, TokenScope, User, UTCDateTime
from . import clock
from .errors import Forbidden, Invalid, NotFound, Problems, Throttled, Unauthenticated

#: Every token starts with this, so that secret scanners and people recognise one.
PREFIX = "pst_"
NAME_MAX = 100
#: Characters of the token kept in clear, to tell one's tokens apart.
HINT_LENGTH = len(PREFIX) + 6
WINDOW = timedelta(minutes=1)
#: How often the last use is written down when calls are not limited.
TOUCH_EVERY = timedelta(minutes=1)

MISSING = (
    "Envie um token de acesso pessoal no cabeçalho “Authorization: Bearer <token>”. "
    "Crie o seu em Minha Área › Tokens de acesso."
)
UNKNOWN = "Token de acesso inválido."
EXPIRED = "Este token de acesso venceu em {when}. Crie outro em Minha Área › Tokens de acesso."
REVOKED = "Este token de acesso foi revogado. Crie outro em Minha Área › Tokens de acesso."
READ_ONLY = (
    "Este token de acesso é somente de leitura: crie um token com o escopo “escrita” "
    "para fazer alterações."
)
TOO_MANY = (
    "Foram feitos mais de {limit} pedidos por minuto com este token. "
    "Aguarde {seconds} segundo(s) e tente novamente."
)


class TokenState(enum.StrEnum):
    """Whether a token still opens the API."""

    ACTIVE = "ativo"
    EXPIRED = "vencido"
    REVOKED = "revogado"


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"portal-api-token", hashlib.sha256).digest()


def digest(token: str) -> str:
    """The keyed hash under which a token is stored."""
    raw = token.encode("utf-8", "surrogatepass")
    return hmac.new(_key(), raw, hashlib.sha256).hexdigest()


def default_days() -> int:
    return int(current_app.config["API_TOKEN_DAYS"])


def max_days() -> int:
    return int(current_app.config["API_TOKEN_MAX_DAYS"])


def calls_per_minute() -> int:
    return int(current_app.config["API_CALLS_PER_MINUTE"])


@dataclass(frozen=True)
class Created:
    """A new token: its row, and the token itself (never stored, shown once)."""

    token: ApiToken
    secret: str


def create(user: User, name: str | None, scope: str | None, days: int | str | None) -> Created:
    """Create a token for the user; Problems lists what to fix in what was typed."""
    problems = []
    name = "".join(ch for ch in (name or "") if unicodedata.category(ch)[0] != "C").strip()
    if not name:
        problems.append(Invalid("Dê um nome ao token (por exemplo, o sistema que o usa).", "nome"))
    elif len(name) > NAME_MAX:
        problems.append(
            Invalid(f"O nome do token deve ter no máximo {NAME_MAX} caracteres.", "nome")
        )
    if scope not in {s.value for s in TokenScope}:
        problems.append(Invalid("Escolha o escopo: leitura ou escrita.", "escopo"))
    longest = max_days()
    try:
        lifetime = default_days() if days in (None, "") else int(days)
    except (TypeError, ValueError):
        lifetime = 0
    if not 1 <= lifetime <= longest:
        problems.append(
            Invalid(f"A validade deve ser um número de dias de 1 a {longest}.", "validade")
        )
    if problems:
        raise Problems(problems)
    secret = PREFIX + secrets.token_urlsafe(32)
    moment = clock.now()
    with writing():
        token = ApiToken(
            user_id=user.id,
            name=name,
            scope=TokenScope(scope),
            token_hash=digest(secret),
            hint=secret[:HINT_LENGTH],
            created_at=moment,
            expires_at=moment + timedelta(days=lifetime),
        )
        db.session.add(token)
    return Created(token, secret)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones included)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(query))


def state(token: ApiToken, at: datetime | None = None) -> TokenState:
    """Whether the token opens the API at this instant."""
    if token.revoked_at is not None:
        return TokenState.REVOKED
    if token.expires_at <= (at or clock.now()):
        return TokenState.EXPIRED
    return TokenState.ACTIVE


def revoke(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (Minha Área); revoking twice changes nothing."""
    with writing():
        token = db.session.scalar(
            select(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.user_id == user.id)
            .with_for_update()
        )
        if token is None:
            raise NotFound("Token não encontrado.")
        if token.revoked_at is None:
            token.revoked_at = clock.now()
    return token


def revoke_secret(secret: str) -> ApiToken:
    """Revoke the token given in full (the command line, for whoever holds it)."""
    with writing():
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == digest(secret.strip())).with_for_update()
        )
        if token is None:
            raise NotFound("Token não encontrado: confira se foi copiado inteiro.")
        if token.revoked_at is None:
            token.revoked_at = clock.now()
    return token


def bearer(header: str | None) -> str:
    """The token of an `Authorization: Bearer …` header; Unauthenticated when there is none."""
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated(MISSING)
    return value.strip()


def authenticate(secret: str) -> ApiToken:
    """The active token with this secret, its call counted; refused when unknown or over limit."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        raise Unauthenticated(UNKNOWN)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None:
        raise Unauthenticated(UNKNOWN)
    moment = clock.now()
    found = state(token, moment)
    if found == TokenState.REVOKED:
        raise Unauthenticated(REVOKED)
    if found == TokenState.EXPIRED:
        when = token.expires_at.astimezone(clock.LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")
        raise Unauthenticated(EXPIRED.format(when=when))
    _count_call(token, moment)
    return token


def _count_call(token: ApiToken, moment: datetime) -> None:
    limit = calls_per_minute()
    if limit <= 0:
        if token.last_used_at is None or moment - token.last_used_at >= TOUCH_EVERY:
            with writing():
                db.session.execute(
                    update(ApiToken)
                    .where(ApiToken.id == token.id)
                    .values(last_used_at=moment)
                    .execution_options(synchronize_session=False)
                )
        return
    # One statement: every SET reads the row as it was, so the window restarts atomically.
    fresh = or_(ApiToken.window_started_at.is_(None), ApiToken.window_started_at <= moment - WINDOW)
    at = literal(moment, UTCDateTime())
    with writing():
        calls, started = db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token.id)
            .values(
                window_calls=case((fresh, 1), else_=ApiToken.window_calls + 1),
                window_started_at=case((fresh, at), else_=ApiToken.window_started_at),
                last_used_at=moment,
            )
            .returning(ApiToken.window_calls, ApiToken.window_started_at)
            .execution_options(synchronize_session=False)
        ).one()
    if calls > limit:
        seconds = max(1, math.ceil((started + WINDOW - moment).total_seconds()))
        raise Throttled(TOO_MANY.format(limit=limit, seconds=seconds), retry_after=seconds)


def require_write(token: ApiToken) -> None:
    """A call that changes something needs a token with the `escrita` scope."""
    if token.scope != TokenScope.WRITE:
        raise Forbidden(READ_ONLY)
