"""Safety basics: CSRF on every form, cookie flags, hashed passwords, error pages."""

from __future__ import annotations

import pytest
from flask import abort
from sqlalchemy import text

from demo.extensions import db
from demo.forms import CSRF_MESSAGE
from demo.services import accounts

MARIA = "maria.souza@agro.gov.br"
PASSWORD = "solicitante-demo"
NEW_PASSWORD = "um cavalo azul no pasto"


def maria_hash(app) -> str:
    with app.app_context():
        return accounts.find_user(MARIA).password_hash


@pytest.mark.parametrize("token", [None, "forjado"], ids=["sem-token", "token-forjado"])
def test_login_without_a_valid_csrf_token(client, token):
    client.get("/entrar")
    data = {"usuario": MARIA, "senha": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = client.post("/entrar", data=data)
    assert response.status_code == 200
    assert CSRF_MESSAGE in response.text
    assert f'value="{MARIA}"' in response.text
    assert PASSWORD not in response.text
    assert 'name="csrf_token"' in response.text  # a fresh token to try again
    assert client.get("/").status_code == 302


def test_password_change_without_csrf_token(app, client, browser):
    browser.login(MARIA, PASSWORD)
    before = maria_hash(app)
    response = client.post(
        "/trocar-senha",
        data={"senha_atual": PASSWORD, "nova_senha": NEW_PASSWORD, "confirmacao": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert CSRF_MESSAGE in response.text
    assert NEW_PASSWORD not in response.text
    assert maria_hash(app) == before


def test_logout_without_csrf_token(client, browser, mapa):
    for site, prefix in ((browser, ""), (mapa, "/mapa")):
        site.login(MARIA, PASSWORD)
        response = client.post(f"{prefix}/sair")
        assert response.status_code == 302
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        assert "Não foi possível sair: recarregue a página e tente novamente." in page.text
        assert client.get(f"{prefix}/").status_code == 200


def session_cookie(response, name: str) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    return cookie


def test_session_cookies_are_httponly_and_samesite(client):
    for path, name in (("/entrar", "sessao_suporte"), ("/mapa/entrar", "sessao_mapa")):
        cookie = session_cookie(client.get(path), name)
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # tests run over plain HTTP


@pytest.mark.parametrize(("environment", "secure"), [("production", True), ("development", False)])
def test_session_cookies_are_secure_outside_development(app_factory, environment, secure):
    app = app_factory(TESTING=False, ENVIRONMENT=environment)
    client = app.test_client()
    for path, name in (("/entrar", "sessao_suporte"), ("/mapa/entrar", "sessao_mapa")):
        cookie = session_cookie(client.get(path), name)
        assert ("; Secure" in cookie) is secure, cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_passwords_are_stored_hashed(app, browser, create_account):
    temporary = create_account(app)
    browser.login("paula.ramos@agro.gov.br", temporary)
    browser.change_password(temporary, NEW_PASSWORD)
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM users")).mappings().all()
    assert len(rows) >= 5
    for row in rows:
        assert row["password_hash"] is None or row["password_hash"].startswith("$argon2id$")
        assert row["temp_password_hash"] is None or row["temp_password_hash"].startswith(
            "$argon2id$"
        )
        values = " ".join(str(value) for value in row.values())
        for plain in (temporary, NEW_PASSWORD, PASSWORD, "atendente-demo", "gestor-demo"):
            assert plain not in values


@pytest.mark.parametrize(
    ("path", "site"), [("/nao-existe", "site-suporte"), ("/mapa/nao-existe", "site-mapa")]
)
def test_not_found_page_in_portuguese(client, path, site):
    response = client.get(path)
    assert response.status_code == 404
    assert 'lang="pt-BR"' in response.text
    assert "Página não encontrada" in response.text
    assert "O endereço não existe ou você não tem acesso a ele." in response.text
    assert site in response.text


def test_method_not_allowed_in_portuguese(client):
    response = client.get("/sair")
    assert response.status_code == 405
    assert "Operação não permitida" in response.text


def test_errors_inside_a_view_never_show_a_traceback(app, client, browser):
    def explode():
        raise RuntimeError("detalhe-interno-secreto")

    def forbidden():
        abort(403)

    app.add_url_rule("/teste-explode", "teste_explode", explode)
    app.add_url_rule("/teste-proibido", "teste_proibido", forbidden)
    browser.login(MARIA, PASSWORD)

    response = client.get("/teste-explode")
    assert response.status_code == 500
    assert 'lang="pt-BR"' in response.text
    assert "Erro interno" in response.text
    assert "Ocorreu um erro inesperado." in response.text
    assert "detalhe-interno-secreto" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text

    response = client.get("/teste-proibido")
    assert response.status_code == 403
    assert "Acesso negado" in response.text

    # The portal goes on answering after the failure.
    assert client.get("/").status_code == 200
