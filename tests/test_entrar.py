"""Login and logout on the support site."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from demo.extensions import db
from demo.forms import safe_next
from demo.models import LoginSession
from demo.services import accounts

MARIA = "maria.souza@agro.gov.br"
MARIA_PASSWORD = "solicitante-demo"


def error_messages(response) -> list[str]:
    """The error texts a page shows (summary and fields)."""
    found = re.findall(
        r'class="(?:message-body d-block|feedback danger)"[^>]*>(?:<i[^>]*></i>)?([^<]+)<',
        response.text,
    )
    return [html.unescape(text).strip() for text in found]


def assert_logged_out(client, prefix: str = "") -> None:
    response = client.get(f"{prefix}/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{prefix}/entrar")


def test_unknown_user_and_wrong_password_get_the_same_answer(client, browser):
    unknown = browser.login("ninguem@agro.gov.br", "qualquer-senha")
    wrong = browser.login(MARIA, "senha-errada")
    for response in (unknown, wrong):
        assert response.status_code == 200
        assert error_messages(response) == [accounts.LOGIN_REFUSED, accounts.LOGIN_REFUSED]
    assert_logged_out(client)


def test_a_nul_character_in_the_user_name_is_just_a_wrong_user(client, browser):
    response = browser.login("maria.souza\x00@agro.gov.br", MARIA_PASSWORD)
    assert response.status_code == 200
    assert accounts.LOGIN_REFUSED in error_messages(response)
    assert_logged_out(client)


def test_empty_fields(client, browser):
    response = browser.login("", "")
    assert response.status_code == 200
    assert error_messages(response) == [
        "Informe o usuário (seu e-mail).",
        "Informe a senha.",
        "Informe o usuário (seu e-mail).",
        "Informe a senha.",
    ]
    assert_logged_out(client)


def test_over_long_user_name(client, browser):
    response = browser.login("a" * 300 + "@agro.gov.br", MARIA_PASSWORD)
    assert response.status_code == 200
    assert "O usuário deve ter no máximo 254 caracteres." in error_messages(response)
    assert_logged_out(client)


def test_the_form_keeps_the_user_name_but_never_the_password(browser):
    response = browser.login(MARIA, "senha-errada-98765")
    assert f'value="{MARIA}"' in response.text
    assert "senha-errada-98765" not in response.text
    [password_input] = re.findall(r'<input[^>]*name="senha"[^>]*>', response.text)
    assert 'type="password"' in password_input
    assert 'value=""' in password_input or "value=" not in password_input


def test_fields_without_errors_have_no_bogus_aria_attributes(client):
    page = client.get("/entrar").text
    assert '="None"' not in page


def test_login_opens_a_new_session(client, browser):
    client.get("/entrar")
    with client.session_transaction() as session:
        session["antes_de_entrar"] = "valor plantado"
    before = client.get_cookie("sessao_suporte").value

    response = browser.login(MARIA, MARIA_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"

    assert client.get_cookie("sessao_suporte").value != before
    with client.session_transaction() as session:
        assert "antes_de_entrar" not in session
    follow = client.get("/")
    assert follow.status_code == 200
    assert "Olá, Maria Souza" in follow.text


def test_logout_ends_the_session_on_the_server(app, client, browser):
    browser.login(MARIA, MARIA_PASSWORD)
    old_cookie = client.get_cookie("sessao_suporte").value

    response = browser.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/entrar"
    assert "Você saiu do portal." in client.get("/entrar").text
    assert_logged_out(client)

    # Replaying the cookie of before the logout opens nothing.
    client.set_cookie("sessao_suporte", old_cookie)
    assert_logged_out(client)
    with app.app_context():
        [login] = db.session.scalars(select(LoginSession))
        assert login.site == "suporte"
        assert login.ended_at is not None


EVIL_TARGETS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "javascript:alert(1)",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "mapa/",
]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_next_never_leaves_the_portal(target):
    assert safe_next(target) is None


def test_next_is_followed_only_on_the_portal(app, browser):
    response = browser.login(MARIA, MARIA_PASSWORD, query_string={"next": "/trocar-senha?x=1"})
    assert response.headers["Location"] == "/trocar-senha?x=1"

    other = type(browser)(app.test_client())
    response = other.login(MARIA, MARIA_PASSWORD, query_string={"next": "//evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
