"""Password policy and hashing (NIST SP 800-63B style: length, no composition rules)."""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
#: Temporary passwords avoid look-alike characters because people retype them from an e-mail.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hash_password(password: str) -> str:
    """Hash with scrypt, a deliberately slow function."""
    return generate_password_hash(password, method="scrypt")


def verify(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash (False when there is none)."""
    return bool(password_hash) and check_password_hash(password_hash, password)


def temporary_password() -> str:
    """A random password for the welcome e-mail (about 71 bits)."""
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(12))


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("demo").joinpath("data/senhas-comuns.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def policy_errors(new: str, *, temporary_hash: str | None = None) -> list[str]:
    """Return what is wrong with a new password, in Portuguese (empty when acceptable)."""
    if len(new) < MIN_LENGTH:
        return [f"A nova senha deve ter pelo menos {MIN_LENGTH} caracteres."]
    if len(new) > MAX_LENGTH:
        return [f"A nova senha deve ter no máximo {MAX_LENGTH} caracteres."]
    if new.lower() in _common_passwords():
        return ["Essa senha é muito comum e fácil de adivinhar. Escolha outra."]
    if temporary_hash and verify(temporary_hash, new):
        return ["A nova senha não pode ser igual à senha temporária recebida por e-mail."]
    return []
