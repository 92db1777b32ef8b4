"""Helpers of the class (turma) tests: classes made through the service, trainees logged in."""

from __future__ import annotations

from apoio_atendimento import PASSWORDS, Person
from apoio_portal import Browser

from demo.extensions import db
from demo.services import classrooms

TRAINER = "beatriz.rocha@suporte.gov.br"
TRAINER_PASSWORD = "instrutor-demo"
PASSWORDS.setdefault(TRAINER, TRAINER_PASSWORD)
NEW_PASSWORD = "uma frase longa da turma"


def make_class(app, name: str, count: int = 2, **options):
    """Create a class; return its sheet as [(user, password)]."""
    with app.app_context():
        try:
            _created, lines = classrooms.create(name, count, **options)
            return [(line.user, line.password) for line in lines]
        finally:
            db.session.remove()


class Trainee(Person):
    """A trainee who did the first access with the sheet's password (own cookies)."""

    def __init__(self, app, email: str, temporary: str, new: str = NEW_PASSWORD):
        self.app = app
        self.email = email
        self.client = app.test_client()
        self.browser = Browser(self.client)
        response = self.browser.login(email, temporary)
        assert response.status_code == 302, f"{email} não entrou ({response.status_code})"
        changed = self.browser.change_password(temporary, new)
        assert changed.status_code == 302, f"{email} não trocou a senha ({changed.status_code})"
        PASSWORDS[email] = new
