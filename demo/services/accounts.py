"""Accounts: creation with an e-mailed temporary password, login sessions, password changes."""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import LoginSession, Organization, Profile, User
from . import clock, mail, passwords

#: One message for an unknown user and a wrong password, so neither can be told apart.
LOGIN_REFUSED = "Usuário ou senha incorretos."
TEMPORARY_EXPIRED = (
    "Sua senha temporária expirou. Peça ao suporte o reenvio de uma nova senha por e-mail."
)


class AccountError(Exception):
    """A refusal with a message for the user, in Portuguese."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def normalise_email(raw: str) -> str:
    """Validate an e-mail address and return its canonical lower-case form."""
    raw = (raw or "").strip()
    if len(raw) > 254:
        raise AccountError("O e-mail deve ter no máximo 254 caracteres.", "email")
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"E-mail inválido: {raw!r}.", "email") from exc


def find_user(email: str) -> User | None:
    """The user with this e-mail (any case), or None."""
    address = email.strip().lower()
    if "\x00" in address:
        return None  # no account has one, and PostgreSQL refuses NUL in text (a 500)
    return db.session.scalar(select(User).where(User.email == address))


def create_user(email: str, name: str, organization: str, profile: str) -> User:
    """Create an account and e-mail its user name and a temporary password."""
    address = normalise_email(email)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise AccountError("Informe o nome completo (até 200 caracteres).", "nome")
    org = db.session.scalar(
        select(Organization).where(Organization.acronym == organization.strip().upper())
    )
    if org is None:
        known = ", ".join(db.session.scalars(select(Organization.acronym).order_by("acronym")))
        raise AccountError(f"Órgão desconhecido: {organization!r}. Órgãos: {known}.", "orgao")
    try:
        role = Profile(profile.strip().lower())
    except ValueError as exc:
        options = ", ".join(p.value for p in Profile)
        raise AccountError(
            f"Perfil desconhecido: {profile!r}. Perfis: {options}.", "perfil"
        ) from exc
    if find_user(address):
        raise AccountError(f"Já existe uma conta para {address}.", "email")
    user = User(email=address, name=name, organization=org, profile=role)
    db.session.add(user)
    _issue_temporary_password(user, template="conta_criada")
    return user


def resend_password(email: str) -> User:
    """Replace the user's password by a new temporary one and e-mail it."""
    user = find_user(email)
    if user is None:
        raise AccountError(f"Nenhuma conta com o e-mail {email.strip()!r}.", "email")
    user.password_hash = None
    end_all_sessions(user)
    _issue_temporary_password(user, template="senha_reenviada")
    return user


def _issue_temporary_password(user: User, template: str) -> None:
    temporary = passwords.temporary_password()
    hours = int(current_app.config["TEMPORARY_PASSWORD_HOURS"])
    user.temp_password_hash = passwords.hash_password(temporary)
    user.temp_password_expires_at = clock.now() + timedelta(hours=hours)
    db.session.flush()
    # Send before committing: an account whose password never left is no account at all.
    try:
        mail.send(user.email, template, user=user, senha=temporary, horas=hours)
    except (OSError, smtplib.SMTPException) as exc:
        db.session.rollback()
        raise AccountError(f"Não foi possível enviar o e-mail ({exc}); nada foi alterado.") from exc
    db.session.commit()


@dataclass(frozen=True)
class Authentication:
    """The outcome of a login attempt."""

    user: User | None
    error: str | None = None


def authenticate(email: str, password: str) -> Authentication:
    """Check a user name and password (the definitive one, or a valid temporary one)."""
    user = find_user(email or "")
    if user is None or not password:
        # Hash anyway so an unknown user costs the same time as a wrong password.
        passwords.verify(_dummy_hash(), password or "x")
        return Authentication(None, LOGIN_REFUSED)
    if passwords.verify(user.password_hash, password):
        return Authentication(user)
    if passwords.verify(user.temp_password_hash, password):
        if user.temp_password_expires_at and user.temp_password_expires_at <= clock.now():
            return Authentication(None, TEMPORARY_EXPIRED)
        return Authentication(user)
    return Authentication(None, LOGIN_REFUSED)


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(passwords.hash_password(secrets.token_hex(8)))
    return _DUMMY[0]


def start_session(user: User, site: str) -> str:
    """Record a new login of this user on one site and return its token."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token=token, user=user, site=site))
    db.session.commit()
    user.login_token = token
    return token


def load_session(token: str) -> User | None:
    """The user of an open login session, or None when it has ended."""
    login = db.session.scalar(
        select(LoginSession).where(LoginSession.token == token, LoginSession.ended_at.is_(None))
    )
    if login is None:
        return None
    login.user.login_token = token
    return login.user


def end_session(token: str | None) -> None:
    """End one login session (logout)."""
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token == token, LoginSession.ended_at.is_(None))
            .values(ended_at=clock.now())
        )
        db.session.commit()


def end_all_sessions(user: User, keep: str | None = None) -> None:
    """End every open session of a user, except `keep`."""
    query = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if keep:
        query = query.where(LoginSession.token != keep)
    db.session.execute(query.values(ended_at=clock.now()))


def change_password(user: User, current: str, new: str, confirmation: str) -> None:
    """Replace the password; on first access this retires the temporary one for good."""
    current_ok = passwords.verify(user.password_hash, current) or (
        user.must_change_password and passwords.verify(user.temp_password_hash, current)
    )
    if not current_ok:
        raise AccountError("A senha atual não confere.", "senha_atual")
    errors = passwords.policy_errors(new, temporary_hash=user.temp_password_hash)
    if errors:
        raise AccountError(errors[0], "nova_senha")
    if new != confirmation:
        raise AccountError("A confirmação não é igual à nova senha.", "confirmacao")
    user.password_hash = passwords.hash_password(new)
    user.temp_password_hash = None
    user.temp_password_expires_at = None
    user.password_changed_at = clock.now()
    # Sessions elsewhere (the other site, another browser) must log in with the new password.
    end_all_sessions(user, keep=user.login_token)
    db.session.commit()


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
