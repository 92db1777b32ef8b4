"""A class of people for the concurrency tests: accounts made fast, each in its own browser."""

from __future__ import annotations

from datetime import timedelta

from apoio_portal import Browser

from demo.database import writing
from demo.extensions import db
from demo.models import Organization, Profile, User
from demo.services import clock, passwords

CLASS_PASSWORD = "senha da turma de hoje"
_HASH: list[str] = []


def class_hash() -> str:
    """One argon2id hash of CLASS_PASSWORD, computed once (hashing is slow on purpose)."""
    if not _HASH:
        _HASH.append(passwords.hash_password(CLASS_PASSWORD))
    return _HASH[0]


def make_people(app, count: int, profile: str = "solicitante", first_access: bool = False):
    """Create `count` accounts of MAPA; return their e-mails.

    With `first_access`, each has the temporary password CLASS_PASSWORD and must change it.
    """
    emails = [f"aluno{index:03d}.{profile}@agro.gov.br" for index in range(count)]
    with app.app_context():
        with writing():
            org = db.session.scalar(db.select(Organization).where(Organization.acronym == "MAPA"))
            for index, email in enumerate(emails):
                user = User(
                    email=email, name=f"Aluno {index}", organization=org, profile=Profile(profile)
                )
                if first_access:
                    user.temp_password_hash = class_hash()
                    user.temp_password_expires_at = clock.now() + timedelta(days=3)
                else:
                    user.password_hash = class_hash()
                db.session.add(user)
        db.session.remove()
    return emails


def browsers(app, count: int) -> list[Browser]:
    """One browser (cookie jar) per person."""
    return [Browser(app.test_client()) for _ in range(count)]
