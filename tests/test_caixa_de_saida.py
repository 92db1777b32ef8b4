"""The outbox page: in demo mode a trainer opens the e-mails the portal would have sent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from demo.services import mail

NEW = "paula.ramos@agro.gov.br"


def test_the_outbox_lists_and_opens_the_messages(app, client, create_account):
    assert "Nenhum e-mail enviado ainda." in client.get("/caixa-de-saida/").text
    temporary = create_account(app)

    page = client.get("/caixa-de-saida/")
    assert page.status_code == 200
    assert "<h1>Caixa de saída</h1>" in page.text
    assert NEW in page.text
    subject = f"Seu acesso ao {app.config['SUPPORT_SITE_NAME']}"
    assert subject in page.text
    [link] = re.findall(r'href="(/caixa-de-saida/[^"]+)"', page.text)

    message = client.get(link)
    assert message.status_code == 200
    assert f"<h1>{subject}</h1>" in message.text
    assert "Olá, Paula Ramos." in message.text
    assert f"Senha temporária: {temporary}" in message.text
    # Linked from the footer of the login page, where a trainer starts.
    assert 'href="/caixa-de-saida/"' in client.get("/entrar").text


def test_no_outbox_outside_demo_mode(app_factory, create_account):
    app = app_factory(DEMO_MODE=False)
    create_account(app)
    [message] = mail.outbox_messages(app.config["MAIL_OUTBOX"])
    client = app.test_client()
    for url in ("/caixa-de-saida/", f"/caixa-de-saida/{message.id}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Página não encontrada" in response.text
    assert "Caixa de saída" not in client.get("/entrar").text


@pytest.mark.parametrize(
    "message_id",
    ["..%2Fsegredo", "%2E%2E%2Fsegredo", "..", "..%5Csegredo", "%2Fetc%2Fpasswd", "nao-existe"],
)
def test_only_messages_of_the_outbox_can_be_opened(app, client, message_id):
    outbox = Path(app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True)
    secret = "To: alguem@agro.gov.br\nSubject: segredo\n\nconteudo secreto\n"
    (outbox.parent / "segredo.eml").write_text(secret)
    response = client.get(f"/caixa-de-saida/{message_id}")
    assert response.status_code == 404
    assert "conteudo secreto" not in response.text


@pytest.mark.parametrize("message_id", ["../segredo", "..", ".segredo", "/etc/passwd", "a/../../x"])
def test_the_outbox_service_refuses_paths(tmp_path, message_id):
    outbox = tmp_path / "caixa"
    outbox.mkdir()
    (tmp_path / "segredo.eml").write_text("Subject: segredo\n\nconteudo\n")
    (outbox / "a").mkdir()
    assert mail.outbox_message(outbox, message_id) is None
