"""Failed logins, counted per account (both sites together) and per client address.

The counters live in the database, so every worker and every instance of the portal sees
the same ones. An account that collects too many failures is refused for a cool-down, whatever
the password, while colleagues behind the same address still get in: the per-address limit is
generous, because a whole classroom often shares one address. Only real wrong passwords count;
an error of the portal never does.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, literal, null, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..database import writing
from ..extensions import db
from ..models import LoginFailure, UTCDateTime
from . import clock

ACCOUNT_LOCKED = (
    "Por segurança, esta conta não aceita novas tentativas de entrada até {until} "
    "(horário de Brasília), porque a senha foi errada muitas vezes. Se esqueceu a senha, peça "
    "ao suporte técnico o reenvio de uma senha temporária."
)
ADDRESS_LOCKED = (
    "Por segurança, este endereço de rede não aceita novas tentativas de entrada até {until} "
    "(horário de Brasília), porque muitas senhas erradas vieram dele."
)


def _account_key(email: str) -> str:
    # Any text typed as the user name is counted, known or not, so the answer never tells
    # whether an account exists; hashing keeps the key short and the address out of the table.
    typed = (email or "").strip().lower().encode("utf-8", "surrogatepass")
    return "conta:" + hashlib.sha256(typed).hexdigest()[:40]


def _address_key(address: str | None) -> str:
    return "ip:" + (address or "desconhecido")[:60]


def _settings() -> tuple[int, int, timedelta, timedelta]:
    config = current_app.config
    return (
        int(config["LOGIN_FAILURES_PER_ACCOUNT"]),
        int(config["LOGIN_FAILURES_PER_ADDRESS"]),
        timedelta(minutes=int(config["LOGIN_FAILURE_WINDOW_MINUTES"])),
        timedelta(minutes=int(config["LOGIN_LOCK_MINUTES"])),
    )


def refusal(email: str, address: str | None) -> str | None:
    """The message refusing a login attempt now, or None when it may be tried."""
    moment = clock.now()
    rows = db.session.execute(
        select(LoginFailure.key, LoginFailure.locked_until).where(
            LoginFailure.key.in_([_account_key(email), _address_key(address)]),
            LoginFailure.locked_until > moment,
        )
    ).all()
    locks = {key: until for key, until in rows}
    if until := locks.get(_account_key(email)):
        return ACCOUNT_LOCKED.format(until=_local(until))
    if until := locks.get(_address_key(address)):
        return ADDRESS_LOCKED.format(until=_local(until))
    return None


def record_failure(email: str, address: str | None) -> None:
    """Count one wrong password for the account and for the address, atomically."""
    per_account, per_address, window, lock = _settings()
    moment = clock.now()
    with writing():
        _count(_account_key(email), per_account, moment, window, lock)
        _count(_address_key(address), per_address, moment, window, lock)


def _count(key: str, limit: int, moment: datetime, window: timedelta, lock: timedelta) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The window restarts when it is over, or when a lock has run out.
    over = or_(
        LoginFailure.window_started_at <= moment - window,
        and_(LoginFailure.locked_until.is_not(None), LoginFailure.locked_until <= moment),
    )
    at = literal(moment, UTCDateTime())
    until = literal(moment + lock, UTCDateTime())
    statement = insert(LoginFailure).values(
        key=key,
        failures=1,
        window_started_at=moment,
        locked_until=moment + lock if limit <= 1 else None,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[LoginFailure.key],
        set_={
            "failures": case((over, 1), else_=LoginFailure.failures + 1),
            "window_started_at": case((over, at), else_=LoginFailure.window_started_at),
            "locked_until": case(
                (over, until if limit <= 1 else null()),
                (LoginFailure.failures + 1 >= limit, until),
                else_=LoginFailure.locked_until,
            ),
        },
    )
    db.session.execute(statement)


def forget_account(email: str) -> None:
    """A successful login clears the account's failures (inside the caller's transaction)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == _account_key(email)))


def purge(before: datetime) -> int:
    """Delete counters whose window and lock both ended before `before` (housekeeping)."""
    _per_account, _per_address, window, _lock = _settings()
    with writing():
        result = db.session.execute(
            delete(LoginFailure).where(
                LoginFailure.window_started_at <= before - window,
                or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until <= before),
            )
        )
    return result.rowcount


def _local(moment: datetime) -> str:
    return moment.astimezone(clock.LOCAL_ZONE).strftime("%H:%M")
