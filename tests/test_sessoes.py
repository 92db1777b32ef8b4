"""Login sessions: they expire when idle and after a maximum, stay on their site, and the
password hash of an older kind is upgraded at the next login.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from apoio_chamados import FROZEN
from apoio_portal import Browser
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from demo.extensions import db
from demo.models import LoginSession, User
from demo.services import accounts, clock

MARIA = "maria.souza@agro.gov.br"
PASSWORD = "solicitante-demo"


@pytest.fixture
def portal(app_factory):
    return app_factory(FROZEN_TIME=FROZEN, SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=8)


def at(app, **delta) -> None:
    app.config["FROZEN_TIME"] = (clock.parse_utc(FROZEN) + timedelta(**delta)).isoformat()


def logged_in(app, prefix: str = "") -> Browser:
    browser = Browser(app.test_client(), prefix)
    assert browser.login(MARIA, PASSWORD).status_code == 302
    return browser


def test_a_session_ends_after_the_idle_period(portal):
    browser = logged_in(portal)
    at(portal, minutes=29)
    assert browser.client.get("/").status_code == 200  # used: the idle period restarts
    at(portal, minutes=29 + 29)
    assert browser.client.get("/").status_code == 200
    at(portal, minutes=29 + 29 + 31)
    response = browser.client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/entrar")
    with portal.app_context():
        assert db.session.scalar(select(LoginSession.ended_at)) is not None


def test_a_session_ends_after_the_maximum_even_when_used(portal):
    browser = logged_in(portal)
    for minutes in range(20, 8 * 60, 20):
        at(portal, minutes=minutes)
        assert browser.client.get("/").status_code == 200, minutes
    at(portal, hours=8)
    assert browser.client.get("/").status_code == 302


def test_the_use_is_written_about_once_a_minute_not_per_request(portal):
    browser = logged_in(portal)
    with portal.app_context():
        first = db.session.scalar(select(LoginSession.last_seen_at))
    at(portal, seconds=30)
    browser.client.get("/")
    with portal.app_context():
        assert db.session.scalar(select(LoginSession.last_seen_at)) == first
    at(portal, seconds=90)
    browser.client.get("/")
    with portal.app_context():
        assert db.session.scalar(select(LoginSession.last_seen_at)) == clock.now()


def test_the_other_sites_cookie_copied_over_opens_nothing(portal):
    mapa = logged_in(portal, "/mapa")
    stolen = mapa.client.get_cookie("sessao_mapa", path="/mapa").value
    thief = portal.test_client()
    thief.set_cookie("sessao_suporte", stolen)
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/entrar")
    # The real owner's session on the mapa site still works.
    assert mapa.client.get("/mapa/").status_code == 200


@pytest.mark.parametrize("cookie", ["forjado", "eyJfdXNlcl9pZCI6ImFiYyJ9.aaaa.bbbb", "x" * 3000])
def test_a_forged_cookie_is_ignored(portal, cookie):
    client = portal.test_client()
    client.set_cookie("sessao_suporte", cookie)
    response = client.get("/")
    assert response.status_code == 302


def test_a_replayed_cookie_after_logout_opens_nothing(portal):
    browser = logged_in(portal)
    saved = browser.client.get_cookie("sessao_suporte").value
    browser.logout()
    replay = portal.test_client()
    replay.set_cookie("sessao_suporte", saved)
    assert replay.get("/").status_code == 302


def test_expired_sessions_are_ended_by_the_clean_up(portal):
    logged_in(portal)
    logged_in(portal, "/mapa")
    at(portal, hours=1)
    result = portal.test_cli_runner().invoke(args=["limpar"])
    assert result.exit_code == 0, result.output
    assert "2 sessão(ões) encerrada(s)" in result.output
    with portal.app_context():
        assert db.session.scalars(select(LoginSession.ended_at)).all() == [clock.now()] * 2


def test_an_older_password_hash_is_upgraded_at_the_next_login(portal):
    with portal.app_context():
        db.session.execute(
            update(User)
            .where(User.email == MARIA)
            .values(password_hash=generate_password_hash(PASSWORD, method="scrypt"))
        )
        db.session.commit()
    logged_in(portal)
    with portal.app_context():
        upgraded = accounts.find_user(MARIA).password_hash
    assert upgraded.startswith("$argon2id$")
    logged_in(portal)  # and it still works
