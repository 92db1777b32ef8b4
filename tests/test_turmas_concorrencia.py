"""The classes' write paths, many at once, on SQLite and PostgreSQL: creating classes, a class
reporting its tour progress together, roles changed together, a reset while the class works."""

from __future__ import annotations

import pytest
from apoio_chamados import FROZEN
from apoio_concorrencia import AT_ONCE, count, errors_in, run_together
from apoio_portal import Browser, csrf_token
from apoio_turma import CLASS_PASSWORD, browsers, make_people
from apoio_turmas import Trainee, make_class
from sqlalchemy import func, select

from demo.extensions import db
from demo.models import Classroom, GroupMembership, Organization, Ticket, TourProgress, User
from demo.services import classrooms
from demo.services.errors import Conflict

#: A class reporting the tour at once (the issue's figure).
CLASS_SIZE = 30


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def in_context(app, work):
    def run(index):
        with app.app_context():
            try:
                return work(index)
            finally:
                db.session.remove()

    return run


def test_many_classes_are_created_at_once(portal):
    results = run_together(
        AT_ONCE, in_context(portal, lambda i: classrooms.create(f"sala-{i}", 1)[0].name)
    )
    assert errors_in(results) == []
    assert count(portal, Classroom) == AT_ONCE
    assert count(portal, Ticket) == AT_ONCE * 5  # every class's demo tickets, none lost


def test_the_same_class_created_at_once_exists_once(portal):
    results = run_together(AT_ONCE, in_context(portal, lambda i: classrooms.create("turma-a", 2)))
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == AT_ONCE - 1, [r for r in results if isinstance(r, BaseException)]
    assert all("Já existe" in r.message for r in refused)
    assert count(portal, Classroom) == 1
    assert count(portal, Organization, Organization.acronym == "TURMA-A") == 1
    assert count(portal, Ticket) == 5


def test_a_class_reports_its_tour_progress_at_once(portal):
    emails = make_people(portal, CLASS_SIZE)
    people = browsers(portal, CLASS_SIZE)
    tokens = []
    for person, email in zip(people, emails, strict=True):
        assert person.login(email, CLASS_PASSWORD).status_code == 302
        tokens.append(csrf_token(person.client.get("/")))

    def report(step):
        def press(i):
            return people[i].client.post(
                "/praticar/progresso",
                json={"capitulo": "abertura-de-chamados", "passo": step, "total": 14},
                headers={"X-CSRFToken": tokens[i]},
            )

        return press

    for step in (0, 3):
        results = run_together(CLASS_SIZE, report(step))
        assert errors_in(results) == []
        assert [r.status_code for r in results] == [204] * CLASS_SIZE
    assert count(portal, TourProgress) == CLASS_SIZE
    assert count(portal, TourProgress, TourProgress.done == 3) == CLASS_SIZE


def test_roles_change_at_once(portal):
    sheet = make_class(portal, "turma-a", AT_ONCE)
    lane = classrooms.ROLE_AGENT_PREFIX + "Suporte Nível 1"

    def change(i):
        return classrooms.set_role("turma-a", sheet[i][0], lane).email

    assert errors_in(run_together(AT_ONCE, in_context(portal, change))) == []
    assert count(portal, GroupMembership, GroupMembership.lane == "Suporte Nível 1") == AT_ONCE + 1


def test_a_reset_while_the_class_works_loses_nothing_of_the_others(portal):
    """The class opens tickets while the trainer resets it; another class keeps working."""
    sheet_a = make_class(portal, "turma-a", AT_ONCE // 2)
    sheet_b = make_class(portal, "turma-b", AT_ONCE // 2)
    working = [None] + [Trainee(portal, *line) for line in sheet_a + sheet_b]
    tokens = [None] + [csrf_token(t.client.get("/processos/abrir")) for t in working[1:]]

    def work(i):
        if i == 0:
            with portal.app_context():
                try:
                    return classrooms.reset("turma-a")[0].name
                finally:
                    db.session.remove()
        response = working[i].client.post(
            "/processos/abrir/abertura_chamado", data={"csrf_token": tokens[i]}
        )
        return response.status_code

    results = run_together(len(working), work)
    assert errors_in(results) == []
    codes = results[1:]
    # Class A's trainees either opened their draft before the reset (then it is gone) or were
    # sent to the login page by it; never an error page.
    assert set(codes) <= {302}, codes
    with portal.app_context():
        org_b = db.session.scalar(
            select(Classroom.organization_id).where(Classroom.name == "turma-b")
        )
        b_drafts = db.session.scalar(
            select(func.count()).where(Ticket.organization_id == org_b, Ticket.status == "rascunho")
        )
        db.session.remove()
    assert b_drafts == len(sheet_b)
    assert errors_in([r for r in results if isinstance(r, BaseException)]) == []
    # After the reset every trainee of A is back at first access.
    for user, _password in sheet_a:
        assert (
            Browser(portal.test_client()).login(user, "uma frase longa da turma").status_code == 200
        )
    assert count(portal, User, User.email.like("%turma-a%"), User.password_hash.is_(None)) >= len(
        sheet_a
    )
