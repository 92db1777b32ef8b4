"""Password policy and hashing (NIST SP 800-63B style: length, no composition rules)."""

from __future__ import annotations

import random
import secrets
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
#: Temporary passwords avoid look-alike characters because people retype them from an e-mail.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


#: argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): slow for a
#: guesser, about 35 ms of one core per login here (scrypt as Werkzeug sets it took ~100 ms).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_ARGON2 = "$argon2"


def hash_password(password: str) -> str:
    """Hash with argon2id."""
    return _HASHER.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash (False when there is none).

    Hashes made before argon2id (Werkzeug's scrypt) still verify; `needs_rehash` tells the
    caller to replace them after a successful login.
    """
    if not password_hash:
        return False
    if not password_hash.startswith(_ARGON2):
        return check_password_hash(password_hash, password)
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash is of an older algorithm or setting than `hash_password` makes."""
    return not password_hash.startswith(_ARGON2) or _HASHER.check_needs_rehash(password_hash)


def temporary_password(rng: random.Random | None = None) -> str:
    """A random password for the welcome e-mail (about 71 bits).

    `rng` (seeded) only for the manual's captures, whose figures must not change between runs.
    """
    choose = rng.choice if rng is not None else secrets.choice
    return "".join(choose(_TEMP_ALPHABET) for _ in range(12))


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
