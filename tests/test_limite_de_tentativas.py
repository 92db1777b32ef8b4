"""Throttling that fits a classroom: per account across both sites, generous per address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from apoio_chamados import FROZEN, JOAO, MARIA, csrf_from
from apoio_concorrencia import errors_in, run_together
from apoio_portal import Browser
from apoio_turma import CLASS_PASSWORD, browsers, make_people
from sqlalchemy import func, select

from demo.extensions import db
from demo.models import LoginFailure
from demo.services import accounts, clock, throttling

MARIA_PASSWORD = "solicitante-demo"
LOCKED = "esta conta não aceita novas tentativas de entrada"


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def later(app, **delta) -> None:
    app.config["FROZEN_TIME"] = (
        clock.parse_utc(app.config["FROZEN_TIME"]) + timedelta(**delta)
    ).isoformat()


def failures(app) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.coalesce(func.sum(LoginFailure.failures), 0)))
        db.session.remove()
        return found


def test_thirty_people_behind_one_address_never_see_429(portal):
    emails = make_people(portal, 30)
    people = browsers(portal, 30)
    tokens = [csrf_from(person.client.get("/entrar")) for person in people]
    # A few of them mistype first: that must not lock out the room.
    for person, email in zip(people[:5], emails[:5], strict=True):
        assert person.login(email, "senha errada").status_code == 200

    def press(i):
        return people[i].client.post(
            "/entrar", data={"csrf_token": tokens[i], "usuario": emails[i], "senha": CLASS_PASSWORD}
        )

    responses = run_together(30, press)
    assert errors_in(responses) == []
    assert [r.status_code for r in responses] == [302] * 30


def test_ten_wrong_passwords_on_either_site_lock_the_account_not_the_colleagues(portal):
    guesser = Browser(portal.test_client())
    for attempt in range(10):
        site = Browser(guesser.client, "/mapa" if attempt % 2 else "")
        response = site.login(MARIA, f"chute {attempt}")
        assert response.status_code == 200
        assert accounts.LOGIN_REFUSED in response.text

    # Now refused whatever the password, on both sites, with a clear message.
    for prefix in ("", "/mapa"):
        refused = Browser(portal.test_client(), prefix).login(MARIA, MARIA_PASSWORD)
        assert refused.status_code == 429
        assert LOCKED in refused.text
        assert "09:15" in refused.text  # until when, in Brasília time (FROZEN + 15 min)
    # A colleague on the same address gets in.
    assert Browser(portal.test_client()).login(JOAO, "atendente-demo").status_code == 302

    # After the cool-down the right password works, and a success clears the count.
    later(portal, minutes=16)
    assert Browser(portal.test_client()).login(MARIA, MARIA_PASSWORD).status_code == 302
    with portal.app_context():
        assert throttling.refusal(MARIA, "127.0.0.1") is None


def test_nine_failures_then_the_right_password_gets_in_and_clears_the_count(portal):
    browser = Browser(portal.test_client())
    for attempt in range(9):
        browser.login(MARIA, f"chute {attempt}")
    assert browser.login(MARIA, MARIA_PASSWORD).status_code == 302
    browser.logout()
    # The count started over: nine more wrong ones do not lock the account.
    for attempt in range(9):
        browser.login(MARIA, f"chute {attempt}")
    assert browser.login(MARIA, MARIA_PASSWORD).status_code == 302


def test_an_unknown_account_is_locked_the_same_way(portal):
    """The answer never tells whether an account exists."""
    browser = Browser(portal.test_client())
    for attempt in range(10):
        assert browser.login("ninguem@agro.gov.br", f"chute {attempt}").status_code == 200
    refused = browser.login("ninguem@agro.gov.br", "qualquer")
    assert refused.status_code == 429 and LOCKED in refused.text


def test_the_address_limit_is_separate_and_generous(app_factory):
    app = app_factory(FROZEN_TIME=FROZEN, LOGIN_FAILURES_PER_ADDRESS=6)
    browser = Browser(app.test_client())
    for index in range(6):
        browser.login(f"pessoa{index}@agro.gov.br", "errada")
    refused = browser.login(MARIA, MARIA_PASSWORD)
    assert refused.status_code == 429
    assert "este endereço de rede não aceita" in refused.text
    # Another address is not concerned.
    other = Browser(app.test_client())
    response = other.post_form(
        "/entrar",
        {"usuario": MARIA, "senha": MARIA_PASSWORD},
        environ_overrides={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302


def test_a_forged_forwarded_header_does_not_dodge_the_address_limit(app_factory):
    """Without a declared proxy (PROXY_HOPS = 0) X-Forwarded-For is the client's own claim."""
    app = app_factory(FROZEN_TIME=FROZEN, LOGIN_FAILURES_PER_ADDRESS=3)
    browser = Browser(app.test_client())
    for index in range(3):
        browser.post_form(
            "/entrar",
            {"usuario": f"p{index}@agro.gov.br", "senha": "x"},
            headers={"X-Forwarded-For": f"192.0.2.{index}"},
        )
    refused = browser.post_form(
        "/entrar",
        {"usuario": MARIA, "senha": MARIA_PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.99"},
    )
    assert refused.status_code == 429


def test_behind_a_declared_proxy_the_client_address_is_the_forwarded_one(app_factory):
    app = app_factory(FROZEN_TIME=FROZEN, LOGIN_FAILURES_PER_ADDRESS=3, PROXY_HOPS=1)
    browser = Browser(app.test_client())
    for index in range(3):
        browser.post_form(
            "/entrar",
            {"usuario": f"p{index}@agro.gov.br", "senha": "x"},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
    # The proxy forwards another client: not refused.
    other = browser.post_form(
        "/entrar",
        {"usuario": MARIA, "senha": MARIA_PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.8"},
    )
    assert other.status_code == 302
    with app.app_context():
        keys = set(db.session.scalars(select(LoginFailure.key)))
    assert "ip:198.51.100.7" in keys


def test_senha_atual_is_throttled_the_same_way(portal):
    browser = Browser(portal.test_client())
    assert browser.login(MARIA, MARIA_PASSWORD).status_code == 302
    for attempt in range(10):
        response = browser.change_password(f"chute {attempt}", "uma senha nova e longa")
        assert "A senha atual não confere." in response.text
    response = browser.change_password(MARIA_PASSWORD, "uma senha nova e longa")
    assert LOCKED in response.text
    # And a login elsewhere is refused too: the count is the account's.
    assert Browser(portal.test_client(), "/mapa").login(MARIA, MARIA_PASSWORD).status_code == 429


def test_an_error_of_the_portal_never_counts_as_a_failure(portal, monkeypatch):
    portal.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*_args, **_kwargs):
        raise RuntimeError("falha simulada")

    monkeypatch.setattr(accounts, "start_session", broken)
    for _ in range(12):
        response = Browser(portal.test_client()).login(MARIA, MARIA_PASSWORD)
        assert response.status_code == 500
        assert "Erro interno" in response.text and "Traceback" not in response.text
    assert failures(portal) == 0
    monkeypatch.undo()
    assert Browser(portal.test_client()).login(MARIA, MARIA_PASSWORD).status_code == 302


def test_a_login_storm_on_one_account_answers_no_error(portal):
    people = browsers(portal, 40)
    tokens = [csrf_from(person.client.get("/entrar")) for person in people]

    def storm(i):
        password = MARIA_PASSWORD if i % 4 == 0 else f"chute {i}"
        return people[i].client.post(
            "/entrar", data={"csrf_token": tokens[i], "usuario": MARIA, "senha": password}
        )

    responses = run_together(40, storm)
    assert errors_in(responses) == []
    assert {r.status_code for r in responses} <= {200, 302, 429}


def test_counters_are_purged_once_over(portal):
    Browser(portal.test_client()).login(MARIA, "errada")
    with portal.app_context():
        assert throttling.purge(clock.now()) == 0
        assert throttling.purge(clock.now() + timedelta(minutes=16)) == 2  # account and address
