"""`criar-usuario` and `reenviar-senha`: accounts created from the command line, by e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from demo.extensions import db
from demo.models import LoginSession, Organization, Profile, User
from demo.services import accounts, clock

NEW = "paula.ramos@agro.gov.br"
MARIA = "maria.souza@agro.gov.br"


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def assert_refused(result, *fragments: str) -> None:
    """A CLI refusal: status 1, "Erro: …" in Portuguese on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.startswith("Erro: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_criar_usuario_creates_the_account_and_mails_the_credentials(app, runner, outbox):
    app.config["FROZEN_TIME"] = "2026-11-30T12:00:00Z"
    result = runner.invoke(
        args=[
            "criar-usuario",
            "Paula.Ramos@Agro.gov.br",
            "--nome",
            "Paula Ramos",
            "--orgao",
            "mapa",
            "--perfil",
            "atendente",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Conta criada para paula.ramos@agro.gov.br (MAPA, Atendente)." in result.stdout
    assert "A senha temporária foi enviada por e-mail." in result.stdout

    with app.app_context():
        user = accounts.find_user(NEW)
        assert user.name == "Paula Ramos"
        assert user.organization.acronym == "MAPA"
        assert user.profile is Profile.AGENT
        assert user.must_change_password
        hours = app.config["TEMPORARY_PASSWORD_HOURS"]
        assert user.temp_password_expires_at == clock.now() + timedelta(hours=hours)

    [message] = outbox.messages()
    assert message["To"] == NEW
    assert message["Subject"] == f"Seu acesso ao {app.config['SUPPORT_SITE_NAME']}"
    assert message["From"] == app.config["MAIL_SENDER"]
    password = outbox.temporary_password(NEW)
    assert len(password) >= 12
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert "Olá, Paula Ramos." in body
        assert NEW in body
        assert password in body
        assert "72 horas" in body
        assert "03/12/2026 09:00" in body  # the expiry, in Brasília time
        assert app.config["MAPA_SITE_URL"] in body
    assert 'lang="pt-BR"' in html
    assert "Senha temporária: " + password in text


def test_each_account_gets_its_own_random_password(app, create_account):
    first = create_account(app, "a.silva@agro.gov.br")
    second = create_account(app, "b.silva@agro.gov.br")
    assert first != second


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--orgao", "XYZ"], "Órgão desconhecido: 'XYZ'. Órgãos: MAPA, MGI."),
        (["--perfil", "chefe"], "Perfil desconhecido: 'chefe'. Perfis: solicitante, atendente"),
        (["--nome", "   "], "Informe o nome completo"),
        (["--email", "sem-arroba"], "E-mail inválido: 'sem-arroba'."),
        (["--email", "a" * 250 + "@agro.gov.br"], "O e-mail deve ter no máximo 254 caracteres."),
        (
            ["--email", "Maria.Souza@AGRO.gov.br"],
            "Já existe uma conta para maria.souza@agro.gov.br.",
        ),
    ],
    ids=["orgao", "perfil", "nome", "email", "email-longo", "duplicado"],
)
def test_criar_usuario_refuses_bad_input(app, runner, outbox, arguments, message):
    options = {"--email": NEW, "--nome": "Paula Ramos", "--orgao": "MAPA"}
    options.update(zip(arguments[::2], arguments[1::2], strict=True))
    email = options.pop("--email")
    before = count_users(app)
    args = ["criar-usuario", email]
    for name, value in options.items():
        args += [name, value]
    result = runner.invoke(args=args)
    assert_refused(result, message)
    assert count_users(app) == before
    assert outbox.messages() == []


def test_reenviar_senha_replaces_the_temporary_password(
    app, runner, browser, outbox, create_account
):
    old = create_account(app)
    result = runner.invoke(args=["reenviar-senha", NEW.upper()])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Nova senha temporária gerada para {NEW}.\nO e-mail com a nova senha foi enviado.\n"
    )

    message = outbox.last(NEW)
    assert message["Subject"] == f"Nova senha temporária do {app.config['SUPPORT_SITE_NAME']}"
    new = outbox.temporary_password(NEW)
    assert new != old

    refused = browser.login(NEW, old)
    assert refused.status_code == 200
    assert accounts.LOGIN_REFUSED in refused.text
    accepted = browser.login(NEW, new)
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "/trocar-senha"


def test_reenviar_senha_retires_a_definitive_password_and_open_sessions(
    app, client, runner, browser, outbox
):
    assert browser.login(MARIA, "solicitante-demo").status_code == 302
    assert client.get("/").status_code == 200

    result = runner.invoke(args=["reenviar-senha", MARIA])
    assert result.exit_code == 0, result.output

    # The open session has ended, and the old password no longer opens one.
    assert client.get("/").headers["Location"].startswith("/entrar")
    with app.app_context():
        still_open = select(func.count()).where(LoginSession.ended_at.is_(None))
        assert db.session.scalar(still_open) == 0
    assert accounts.LOGIN_REFUSED in browser.login(MARIA, "solicitante-demo").text
    response = browser.login(MARIA, outbox.temporary_password(MARIA))
    assert response.headers["Location"] == "/trocar-senha"


def test_reenviar_senha_for_an_unknown_address(app, runner, outbox):
    result = runner.invoke(args=["reenviar-senha", "ninguem@agro.gov.br"])
    assert_refused(result, "Nenhuma conta com o e-mail 'ninguem@agro.gov.br'.")
    assert outbox.messages() == []


def test_seed_refuses_a_database_with_data(app, runner):
    result = runner.invoke(args=["seed"])
    assert_refused(result, "O banco já tem dados; nada foi carregado.")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 2
