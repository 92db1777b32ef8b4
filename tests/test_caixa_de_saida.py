"""The outbox page: for trainers (the gestor) only, after logging in; 404 for everyone else."""

from __future__ import annotations

import re

import pytest
from apoio_portal import Browser

from demo.extensions import db
from demo.models import EmailStatus, OutgoingEmail

NEW = "paula.ramos@agro.gov.br"
ANA = ("ana.costa@suporte.gov.br", "gestor-demo")
MARIA = ("maria.souza@agro.gov.br", "solicitante-demo")
JOAO = ("joao.lima@suporte.gov.br", "atendente-demo")


def logged_in(app, who) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(*who).status_code == 302
    return browser


def test_an_anonymous_visitor_is_asked_to_log_in(app, client, create_account):
    create_account(app)
    for url in ("/caixa-de-saida/", "/caixa-de-saida/1"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/entrar?next=")
    assert "Caixa de saída" not in client.get("/entrar").text


@pytest.mark.parametrize("who", [MARIA, JOAO], ids=["solicitante", "atendente"])
def test_other_profiles_get_404(app, create_account, who):
    temporary = create_account(app)
    browser = logged_in(app, who)
    for url in ("/caixa-de-saida/", "/caixa-de-saida/1"):
        response = browser.client.get(url)
        assert response.status_code == 404, url
        assert temporary not in response.text
    assert "Caixa de saída" not in browser.client.get("/").text


def test_the_gestor_lists_and_opens_the_messages(app, create_account):
    ana = logged_in(app, ANA).client
    assert "Nenhum e-mail enviado ainda." in ana.get("/caixa-de-saida/").text
    temporary = create_account(app)

    page = ana.get("/caixa-de-saida/")
    assert page.status_code == 200
    assert "<h1>Caixa de saída</h1>" in page.text
    assert NEW in page.text
    subject = f"Seu acesso ao {app.config['SUPPORT_SITE_NAME']}"
    assert subject in page.text
    [link] = re.findall(r'href="(/caixa-de-saida/\d+)"', page.text)

    message = ana.get(link)
    assert message.status_code == 200
    assert f"<h1>{subject}</h1>" in message.text
    assert "Olá, Paula Ramos." in message.text
    assert f"Senha temporária: {temporary}" in message.text
    # Linked from the footer for the gestor.
    assert 'href="/caixa-de-saida/"' in ana.get("/").text


@pytest.mark.parametrize(
    "message_id",
    ["a" * 300, "..%2Fsegredo", "%2E%2E", "-1", "0", "99999999999999999999999", "1.5", "%00"],
)
def test_no_input_answers_an_error_of_the_portal(app, create_account, message_id):
    create_account(app)
    ana = logged_in(app, ANA).client
    response = ana.get(f"/caixa-de-saida/{message_id}")
    assert response.status_code == 404, message_id
    assert "Página não encontrada" in response.text


def test_outside_demo_mode_the_gestor_sees_only_what_was_not_delivered(app_factory):
    app = app_factory(DEMO_MODE=False)
    with app.app_context():
        from demo.services import accounts

        accounts.create_user(NEW, "Paula Ramos", "MAPA", "solicitante")
    ana = logged_in(app, ANA).client
    # Still waiting for the sender: listed, without a way to read its text.
    page = ana.get("/caixa-de-saida/")
    assert page.status_code == 200
    assert NEW in page.text and "Na fila" in page.text
    assert not re.findall(r'href="/caixa-de-saida/\d+"', page.text)
    with app.app_context():
        message_id = db.session.scalar(db.select(OutgoingEmail.id))
    assert ana.get(f"/caixa-de-saida/{message_id}").status_code == 404

    from apoio_portal import Outbox

    Outbox(app).deliver()
    assert NEW not in ana.get("/caixa-de-saida/").text
    assert "Nenhum e-mail pendente ou recusado." in ana.get("/caixa-de-saida/").text
    with app.app_context():
        row = db.session.get(OutgoingEmail, message_id)
        # Delivered, and its copy (which carried a temporary password) is gone.
        assert row.status == EmailStatus.SENT and row.message == b""
