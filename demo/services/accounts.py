"""Accounts: creation with an e-mailed temporary password, login sessions, password changes.

Password hashing is slow on purpose: it always runs outside any transaction, so a class
logging in together never queues behind someone's hash for the database.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..database import end_read, writing
from ..extensions import db
from ..models import ClassMember, LoginSession, Organization, Profile, User
from . import clock, mail, passwords, throttling
from .errors import Conflict, Invalid, NotFound, Throttled

#: One message for an unknown user and a wrong password, so neither can be told apart.
LOGIN_REFUSED = "Usuário ou senha incorretos."
TEMPORARY_EXPIRED = (
    "Sua senha temporária expirou. Peça ao suporte o reenvio de uma nova senha por e-mail."
)
CLASS_ENDED = "A turma {name} terminou em {day}: as contas dela não funcionam mais."


def class_ended(user: User) -> str | None:
    """The refusal for a trainee whose class ended (its end date passed), else None."""
    organization = user.organization
    classroom = organization.classroom if organization is not None else None
    if classroom is None or classroom.ends_at is None or classroom.ends_at > clock.now():
        return None
    last_day = (classroom.ends_at - timedelta(seconds=1)).astimezone(clock.LOCAL_ZONE)
    return CLASS_ENDED.format(name=classroom.name, day=last_day.strftime("%d/%m/%Y"))


def normalise_email(raw: str) -> str:
    """Validate an e-mail address and return its canonical lower-case form."""
    raw = (raw or "").strip()
    if len(raw) > 254:
        raise Invalid("O e-mail deve ter no máximo 254 caracteres.", "email")
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid(f"E-mail inválido: {raw!r}.", "email") from exc


def find_user(email: str) -> User | None:
    """The user with this e-mail (any case), or None."""
    address = email.strip().lower()
    if "\x00" in address:
        return None  # no account has one, and PostgreSQL refuses NUL in text (a 500)
    return db.session.scalar(select(User).where(User.email == address))


def create_user(email: str, name: str, organization: str, profile: str) -> User:
    """Create an account and queue the e-mail with its user name and a temporary password.

    The account and its e-mail commit together: an account whose password was never sent
    cannot exist, and the e-mail survives a mail server that is down.
    """
    address = normalise_email(email)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid("Informe o nome completo (até 200 caracteres).", "nome")
    acronym = (organization or "").strip().upper()
    try:
        role = Profile((profile or "").strip().lower())
    except ValueError as exc:
        options = ", ".join(p.value for p in Profile)
        raise Invalid(f"Perfil desconhecido: {profile!r}. Perfis: {options}.", "perfil") from exc
    temporary, temporary_hash = _new_temporary()
    try:
        with writing():
            org = db.session.scalar(select(Organization).where(Organization.acronym == acronym))
            if org is None:
                known = ", ".join(
                    db.session.scalars(select(Organization.acronym).order_by("acronym"))
                )
                raise Invalid(f"Órgão desconhecido: {organization!r}. Órgãos: {known}.", "orgao")
            if find_user(address):
                raise Conflict(f"Já existe uma conta para {address}.", "email")
            user = User(email=address, name=name, organization=org, profile=role)
            db.session.add(user)
            issue_temporary_password(user, temporary, temporary_hash, "conta_criada")
    except IntegrityError as exc:
        # Two creations of the same address at once: the UNIQUE constraint decided.
        raise Conflict(f"Já existe uma conta para {address}.", "email") from exc
    return user


def resend_password(email: str) -> User:
    """Replace the user's password by a new temporary one and queue the e-mail."""
    temporary, temporary_hash = _new_temporary()
    with writing():
        user = find_user(email)
        if user is None:
            raise NotFound(f"Nenhuma conta com o e-mail {email.strip()!r}.", "email")
        user.password_hash = None
        end_all_sessions(user)
        issue_temporary_password(user, temporary, temporary_hash, "senha_reenviada")
        # A trainee's new password also goes on the class sheet the trainer prints.
        db.session.execute(
            update(ClassMember)
            .where(ClassMember.user_id == user.id)
            .values(sheet_password=temporary)
            .execution_options(synchronize_session=False)
        )
    return user


def _new_temporary() -> tuple[str, str]:
    temporary = passwords.temporary_password()
    return temporary, passwords.hash_password(temporary)


def issue_temporary_password(user: User, temporary: str, hashed: str, template: str) -> None:
    """Inside a transaction: give the user this temporary password and queue its e-mail."""
    hours = set_temporary_hash(user, hashed)
    mail.send(user.email, template, user=user, senha=temporary, horas=hours)


def set_temporary_hash(user: User, hashed: str) -> int:
    """Inside a transaction: a temporary password (hashed) valid for the configured hours."""
    hours = int(current_app.config["TEMPORARY_PASSWORD_HOURS"])
    user.temp_password_hash = hashed
    user.temp_password_expires_at = clock.now() + timedelta(hours=hours)
    return hours


@dataclass(frozen=True)
class Authentication:
    """The outcome of checking a user name and password."""

    user: User | None
    error: str | None = None
    #: A wrong password (or unknown user) counts against the throttling; an expired one not.
    wrong: bool = False
    #: The definitive password matched a hash of an older algorithm or setting.
    rehash: bool = False


def authenticate(email: str, password: str) -> Authentication:
    """Check a user name and password (the definitive one, or a valid temporary one)."""
    user = find_user(email or "")
    if user is None or not password:
        end_read()
        # Hash anyway so an unknown user costs the same time as a wrong password.
        passwords.verify(_dummy_hash(), password or "x")
        return Authentication(None, LOGIN_REFUSED, wrong=True)
    stored, temporary, expires = (
        user.password_hash,
        user.temp_password_hash,
        user.temp_password_expires_at,
    )
    ended = class_ended(user)
    end_read()
    if ended:
        passwords.verify(_dummy_hash(), password)
        return Authentication(None, ended)
    if passwords.verify(stored, password):
        return Authentication(user, rehash=passwords.needs_rehash(stored))
    if passwords.verify(temporary, password):
        if expires and expires <= clock.now():
            return Authentication(None, TEMPORARY_EXPIRED)
        return Authentication(user)
    return Authentication(None, LOGIN_REFUSED, wrong=True)


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(passwords.hash_password(secrets.token_hex(8)))
    return _DUMMY[0]


@dataclass(frozen=True)
class Login:
    """The outcome of a login attempt on one site."""

    user: User | None
    error: str | None = None
    #: True when the attempt was refused without looking at the password (throttled).
    throttled: bool = False


def log_in(email: str, password: str, site: str, address: str | None) -> Login:
    """Entrar: throttling, the password check, and a new login session on `site`."""
    refusal = throttling.refusal(email, address)
    if refusal:
        return Login(None, refusal, throttled=True)
    result = authenticate(email, password)
    if result.user is None:
        if result.wrong:
            throttling.record_failure(email, address)
        return Login(None, result.error)
    # An older hash (scrypt, or weaker argon2 settings) is replaced now that the password
    # is known; computed here, outside the transaction.
    upgraded = passwords.hash_password(password) if result.rehash else None
    start_session(result.user, site, upgraded_hash=upgraded, forget_failures_of=email)
    return Login(result.user)


def start_session(
    user: User,
    site: str,
    *,
    upgraded_hash: str | None = None,
    forget_failures_of: str | None = None,
) -> str:
    """Record a new login of this user on one site and return its token."""
    token = secrets.token_urlsafe(32)
    moment = clock.now()
    with writing():
        db.session.add(
            LoginSession(
                token=token, user_id=user.id, site=site, created_at=moment, last_seen_at=moment
            )
        )
        if upgraded_hash:
            db.session.execute(
                update(User)
                .where(User.id == user.id, User.password_hash.is_not(None))
                .values(password_hash=upgraded_hash)
                .execution_options(synchronize_session=False)
            )
        if forget_failures_of is not None:
            throttling.forget_account(forget_failures_of)
    user.login_token = token
    return token


def load_session(token: str, site: str) -> User | None:
    """The user of an open login session of this site, or None when it ended or expired.

    A session is bound to the site it was opened on: the other site's cookie, copied over,
    opens nothing. Sessions end after a time without use and, in any case, after a maximum.
    """
    login = db.session.scalar(
        select(LoginSession).where(LoginSession.token == token, LoginSession.ended_at.is_(None))
    )
    if login is None or login.site != site:
        return None
    moment = clock.now()
    idle, longest = session_limits()
    expired = moment - login.last_seen_at >= idle or moment - login.created_at >= longest
    if expired or class_ended(login.user):
        end_session(token)
        return None
    # Note the use about once a minute, not on every request: a class clicking together
    # would otherwise queue writes for nothing.
    if moment - login.last_seen_at >= min(TOUCH_EVERY, idle / 4):
        user_id = login.user_id
        with writing():
            db.session.execute(
                update(LoginSession)
                .where(LoginSession.token == token)
                .values(last_seen_at=moment)
                .execution_options(synchronize_session=False)
            )
        user = db.session.get(User, user_id)
    else:
        user = login.user
    user.login_token = token
    return user


#: How often a session's last use is written down.
TOUCH_EVERY = timedelta(minutes=1)


def session_limits() -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetimes of a login session, from conf/portal.toml."""
    config = current_app.config
    return (
        timedelta(minutes=int(config["SESSION_IDLE_MINUTES"])),
        timedelta(hours=int(config["SESSION_MAX_HOURS"])),
    )


def session_ends_at(token: str) -> datetime | None:
    """When an open session will end if left idle (for the page that offers to extend it)."""
    login = db.session.scalar(select(LoginSession).where(LoginSession.token == token))
    if login is None or login.ended_at is not None:
        return None
    idle, longest = session_limits()
    return min(login.last_seen_at + idle, login.created_at + longest)


def extend_session(token: str, site: str) -> datetime | None:
    """Continuar conectado: count this moment as a use of the session; when it now ends.

    The warning before an idle session ends offers this (eMAG: a time limit the person may
    extend). Only an open session of this site is extended, and never past its maximum
    lifetime; None when it has already ended.
    """
    moment = clock.now()
    idle, longest = session_limits()
    with writing():
        db.session.execute(
            update(LoginSession)
            .where(
                LoginSession.token == token,
                LoginSession.site == site,
                LoginSession.ended_at.is_(None),
                LoginSession.last_seen_at > moment - idle,
                LoginSession.created_at > moment - longest,
            )
            .values(last_seen_at=moment)
            .execution_options(synchronize_session=False)
        )
    return session_ends_at(token)


def end_session(token: str | None) -> None:
    """End one login session (logout, or expiry)."""
    if not token:
        return
    with writing():
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token == token, LoginSession.ended_at.is_(None))
            .values(ended_at=clock.now())
            .execution_options(synchronize_session=False)
        )


def end_all_sessions(user: User, keep: str | None = None) -> None:
    """End every open session of a user, except `keep` (inside the caller's transaction)."""
    query = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if keep:
        query = query.where(LoginSession.token != keep)
    db.session.execute(
        query.values(ended_at=clock.now()).execution_options(synchronize_session=False)
    )


def end_expired_sessions() -> int:
    """Mark the sessions past their idle or absolute lifetime as ended (housekeeping)."""
    moment = clock.now()
    idle, longest = session_limits()
    with writing():
        result = db.session.execute(
            update(LoginSession)
            .where(
                LoginSession.ended_at.is_(None),
                (LoginSession.last_seen_at <= moment - idle)
                | (LoginSession.created_at <= moment - longest),
            )
            .values(ended_at=moment)
            .execution_options(synchronize_session=False)
        )
    return result.rowcount


def change_password(
    user: User, current: str, new: str, confirmation: str, address: str | None = None
) -> None:
    """Replace the password; on first access this retires the temporary one for good.

    A wrong *Senha atual* counts against the account like a wrong password at login.
    """
    refusal = throttling.refusal(user.email, address)
    if refusal:
        raise Throttled(refusal, "senha_atual")
    email, stored, temporary = user.email, user.password_hash, user.temp_password_hash
    first_access = stored is None
    token = user.login_token
    end_read()
    current_ok = passwords.verify(stored, current) or (
        first_access and passwords.verify(temporary, current)
    )
    if not current_ok:
        throttling.record_failure(email, address)
        raise Invalid("A senha atual não confere.", "senha_atual")
    errors = passwords.policy_errors(new, temporary_hash=temporary)
    if errors:
        raise Invalid(errors[0], "nova_senha")
    if new != confirmation:
        raise Invalid("A confirmação não é igual à nova senha.", "confirmacao")
    new_hash = passwords.hash_password(new)
    with writing():
        # Only if nobody changed the password meanwhile (another tab, a resend): the check
        # above was made against what was read then.
        changed = db.session.execute(
            update(User)
            .where(
                User.id == user.id,
                _same(User.password_hash, stored),
                _same(User.temp_password_hash, temporary),
            )
            .values(
                password_hash=new_hash,
                temp_password_hash=None,
                temp_password_expires_at=None,
                password_changed_at=clock.now(),
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:
            raise Conflict(
                "A senha desta conta foi alterada em outra janela enquanto você preenchia "
                "o formulário. Entre de novo com a senha atual.",
                "senha_atual",
            )
        # Sessions elsewhere (the other site, another browser) must log in with the new one.
        end_all_sessions(user, keep=token)
        throttling.forget_account(email)
        # The class sheet's temporary password is useless now: it is not kept.
        db.session.execute(
            update(ClassMember)
            .where(ClassMember.user_id == user.id)
            .values(sheet_password=None)
            .execution_options(synchronize_session=False)
        )


def _same(column, value):
    return column.is_(None) if value is None else column == value


def set_temporary_password(user: User, temporary: str) -> None:
    """Give a user a known temporary password (demo data only: real ones are random)."""
    hours = int(current_app.config["TEMPORARY_PASSWORD_HOURS"])
    user.password_hash = None
    user.temp_password_hash = passwords.hash_password(temporary)
    user.temp_password_expires_at = clock.now() + timedelta(hours=hours)


def set_password(user: User, new: str) -> None:
    """Set a definitive password without the e-mail step (demo data only)."""
    user.password_hash = passwords.hash_password(new)
    user.temp_password_hash = None
    user.temp_password_expires_at = None
