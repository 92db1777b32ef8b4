"""The conversation: one thread with each message's author, step, time and own files; images and
PDFs shown inline from the guarded route; comments at any time; reopening within the period."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from apoio_atendimento import (
    ANA,
    MOVED,
    RITA,
    Mailbox,
    Person,
    at,
    body,
    messages,
    page,
    page_text,
    snapshot,
    text_of,
)
from apoio_chamados import CARLOS, FROZEN, JOAO, MARIA, pdf_bytes, png_bytes, upload
from apoio_portal import csrf_token


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def thread(person: Person, path: str) -> list[dict]:
    """Each message of the conversation: title, meta (author, step, time), text, files."""
    found = []
    for li in page(person.get(path)).xpath('//ol[contains(@class, "portal-conversa")]/li'):
        found.append(
            {
                "title": text_of(li.xpath(".//h3")[0]),
                "meta": text_of(li.xpath('.//*[@class="portal-mensagem-meta"]')[0]),
                "text": " ".join(
                    text_of(t) for t in li.xpath('.//*[contains(@class, "portal-mensagem-texto")]')
                ),
                "files": [text_of(n) for n in li.xpath('.//*[@class="portal-anexo-nome"]')],
            }
        )
    return found


def test_one_thread_each_reply_with_its_own_files(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Erro ao assinar", files=[upload(png_bytes(), "print-erro.png")])
    at(portal, timedelta(minutes=10))
    joao.act(number, "informacao", "Mande a tela depois de clicar em Assinar.")
    at(portal, timedelta(minutes=25))
    maria.respond(
        number, "responder", "Segue a tela.", files=[upload(png_bytes(), "print-erro.png")]
    )
    at(portal, timedelta(minutes=40))
    joao.act(number, "resolver")
    joao.act(
        number,
        "solucionar",
        "Reinstale o driver; veja o PDF.",
        files=[upload(pdf_bytes(), "driver.pdf")],
    )
    messages_ = thread(maria, f"/chamados/{number}/status")
    assert [m["title"] for m in messages_] == [
        "Abertura do chamado",
        "Solicitar informações",
        "Resposta ao pedido de informações",
        "Resolver",
        "Solucionar",
    ]
    opening, question, answer, _resolver, solution = messages_
    assert (
        opening["meta"]
        == "Maria Souza (Solicitante) · etapa Abertura de Chamado · 29/11/2026 09:00"
    )
    assert opening["files"] == ["print-erro.png"]
    assert question["meta"] == "João Lima (Suporte Nível 1) · etapa Triagem · 29/11/2026 09:10"
    assert (
        question["text"] == "Mande a tela depois de clicar em Assinar." and question["files"] == []
    )
    assert answer["meta"].startswith(
        "Maria Souza (Solicitante) · etapa Complementação de Informações"
    )
    assert answer["text"] == "Segue a tela." and answer["files"] == ["print-erro.png"]
    assert solution["files"] == ["driver.pdf"]
    # The team reads the same thread on its page.
    assert [m["title"] for m in thread(joao, f"/atendimento/{number}")] == [
        m["title"] for m in messages_
    ]
    # Acessar shows the form as sent: its own file only, not the answer's namesake.
    form = page(maria.get(f"/chamados/{number}/acessar"))
    sent = form.xpath(
        '//dl[contains(@class, "portal-readonly")]//ul[@class="portal-anexos-lista"]/li'
    )
    assert len(sent) == 1 and "print-erro.png" in text_of(sent[0])


def preview(person: Person, number: str, name: str):
    """The preview (?modo=ver) of the file called `name` in the conversation."""
    tree = page(person.get(f"/chamados/{number}/status"))
    links = tree.xpath(f'//a[@aria-label="Visualizar {name}"]/@href')
    assert links, f"sem link para visualizar {name}"
    return person.client.get(links[0])


def test_images_and_pdfs_are_previewed_inline_from_the_guarded_route(portal):
    maria = Person(portal, MARIA)
    files = [
        upload(png_bytes(), "tela.png"),
        upload(pdf_bytes(), "manual.pdf"),
        upload(b"texto simples\n", "log.txt"),
    ]
    number = maria.open_ticket("Prévias", files=files)
    image = preview(maria, number, "tela.png")
    data = image.data
    image.close()
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Security-Policy"].startswith("sandbox")
    assert data == png_bytes()
    document = preview(maria, number, "manual.pdf")
    document.close()
    assert document.mimetype == "application/pdf" and document.headers[
        "Content-Disposition"
    ].startswith("inline")
    assert "script-src" not in document.headers["Content-Security-Policy"]
    assert "default-src 'none'" in document.headers["Content-Security-Policy"]
    # A thumbnail of the image in the thread; a text file is only ever downloaded.
    tree = page(maria.get(f"/chamados/{number}/status"))
    assert tree.xpath('//a[@aria-label="Visualizar tela.png"]/img')  # a thumbnail
    assert not tree.xpath('//a[@aria-label="Visualizar log.txt"]')
    (download,) = tree.xpath('//a[@aria-label="Baixar log.txt"]/@href')
    response = maria.client.get(download + "?modo=ver")
    assert response.status_code == 415
    assert "“log.txt” não pode ser visualizado no navegador" in page_text(response)
    response = maria.client.get(download)
    response.close()
    assert response.headers["Content-Disposition"].startswith("attachment")
    # The same guard as the downloads: another órgão gets nothing.
    carlos = Person(portal, CARLOS)
    assert (
        carlos.client.get(tree.xpath('//a[@aria-label="Visualizar tela.png"]/@href')[0]).status_code
        == 404
    )


def test_a_file_whose_content_is_not_what_was_checked_is_not_previewed(portal):
    """A stored file changed behind the portal's back (an HTML page in a .png's place)."""
    maria = Person(portal, MARIA)
    number = maria.open_ticket("Arquivo trocado", files=[upload(png_bytes(), "tela.png")])
    stored = [p for p in Path(portal.config["UPLOAD_FOLDER"]).iterdir() if p.is_file()]
    stored[0].write_bytes(b"<html><script>alert(1)</script></html>")
    response = preview(maria, number, "tela.png")
    assert response.status_code == 415
    assert "não pode ser visualizado no navegador" in page_text(response)
    assert "<script>alert" not in response.text


def test_the_requester_comments_at_any_time_and_the_team_is_told(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Comentários")
    mailbox = Mailbox(portal)
    before = snapshot(portal, number)
    status = f"/chamados/{number}/status"
    response = maria.form_post(
        status,
        f"/chamados/{number}/comentar",
        {"comentario": "Aconteceu de novo agora."},
        files=[upload(png_bytes(), "de-novo.png")],
    )
    assert response.status_code == 302
    assert "Comentário enviado à equipe de suporte." in page_text(
        maria.get(response.headers["Location"])
    )
    after = snapshot(portal, number)
    assert (after.version, after.step) == (before.version, before.step)  # it moves nothing
    comment = thread(joao, f"/atendimento/{number}")[-1]
    assert comment["title"] == "Comentário" and comment["files"] == ["de-novo.png"]
    assert comment["text"] == "Aconteceu de novo agora."
    [notice] = [m for m in mailbox.new() if m["To"] == JOAO]
    assert notice["Subject"] == f"Chamado {number}: novo comentário do solicitante"
    assert "Aconteceu de novo agora." in body(notice)
    assert f"http://suporte.servicos.gov.br/atendimento/{number}" in body(notice)
    # The team answers with a comment; the requester is told.
    response = joao.form_post(
        f"/atendimento/{number}",
        f"/atendimento/{number}/comentar",
        {"comentario": "Estamos vendo."},
    )
    assert response.status_code == 302
    [notice] = [m for m in mailbox.new() if m["To"] == MARIA]
    assert f"http://suporte.servicos.gov.br/chamados/{number}/status" in body(notice)
    # While the ticket waits on her too, and the one who asked is told.
    joao.act(number, "informacao", "Qual navegador?")
    mailbox.new()
    maria.form_post(status, f"/chamados/{number}/comentar", {"comentario": "Vou ver e respondo."})
    assert [m["To"] for m in mailbox.new()] == [JOAO]
    # Empty, too long: refused, typed text kept, nothing written.
    before = snapshot(portal, number)
    for text, message in (
        ("   ", "Escreva o comentário."),
        ("x" * 10_001, "O comentário deve ter no máximo 10000 caracteres."),
    ):
        response = maria.form_post(status, f"/chamados/{number}/comentar", {"comentario": text})
        assert response.status_code == 400 and message in messages(response)
        assert snapshot(portal, number) == before
    # Another requester of the same órgão sees the ticket but does not comment on it.
    colleague = Person(portal, MARIA)  # the same person in another tab comments fine
    assert (
        colleague.form_post(
            status, f"/chamados/{number}/comentar", {"comentario": "De outra aba."}
        ).status_code
        == 302
    )


def close(maria, joao, number) -> None:
    joao.act(number, "resolver")
    joao.act(number, "solucionar", "Feito.")
    assert maria.respond(number, "aceitar").status_code == 302


def test_reopening_within_the_period_and_not_after(portal):
    maria, joao, ana = Person(portal, MARIA), Person(portal, JOAO), Person(portal, ANA)
    number = maria.open_ticket("Voltou", "consulta-tecnica")  # due 11:00
    at(portal, timedelta(minutes=30))
    close(maria, joao, number)  # closed at 09:30, half an hour of the deadline used
    mailbox = Mailbox(portal)
    status = f"/chamados/{number}/status"
    assert "até 06/12/2026 09:30" in page_text(maria.get(status))  # 7 days (conf/portal.toml)
    # The gestor (and any agent) still opens the closed ticket.
    assert ana.get(f"/atendimento/{number}").status_code == 200
    # A comment on a closed ticket: reopen instead.
    token = csrf_token(maria.get(status))
    refused = maria.client.post(
        f"/chamados/{number}/comentar", data={"csrf_token": token, "comentario": "x"}
    )
    assert refused.status_code == 409 and "reabra-o" in page_text(refused), messages(refused)
    # Two days later it comes back.
    at(portal, timedelta(days=2, minutes=30))
    response = maria.form_post(
        status, f"/chamados/{number}/reabrir", {"motivo": "O erro voltou hoje."}
    )
    assert response.status_code == 302
    assert snapshot(portal, number).step == "triagem"
    assert number in joao.queue_numbers()
    # The deadline goes on from where it stood: the 2 days closed do not count.
    rows = {r.number: r for r in joao.queue()}
    assert rows[number].deadline == "01/12/2026 11:00 Faltam 1 h 30 min"
    text = page_text(maria.get(status))
    assert "Chamado reaberto: Encerrado → Triagem" in text and "O erro voltou hoje." in text
    assert "Encerrado" in text  # the closed interval is among the stops of the clock
    [notice] = [m for m in mailbox.new() if m["To"] == JOAO]
    assert notice["Subject"] == f"Chamado {number}: reaberto pelo solicitante"
    # Closed again, and eight days later: too late.
    close(maria, joao, number)
    at(portal, timedelta(days=10, minutes=31))
    before = snapshot(portal, number)
    # (A tab opened in time: the page has no such form any more.)
    response = maria.form_post(
        status, f"/chamados/{number}/reabrir", {"motivo": "De novo.", "versao": before.version}
    )
    assert response.status_code == 409
    assert "O prazo para reabrir este chamado terminou em 08/12/2026 09:30" in page_text(
        response
    ), messages(response)
    assert "abra um novo chamado" in page_text(response)
    assert snapshot(portal, number) == before
    assert not page(maria.get(status)).xpath(f'//form[@action="/chamados/{number}/reabrir"]')


def test_only_the_requester_reopens_with_a_reason(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Reabrir")
    close(maria, joao, number)
    before = snapshot(portal, number)
    status = f"/chamados/{number}/status"
    response = maria.form_post(status, f"/chamados/{number}/reabrir", {"motivo": " "})
    assert response.status_code == 400
    assert "Explique por que reabre o chamado" in " ".join(messages(response))
    token = csrf_token(joao.get("/"))
    response = joao.client.post(
        f"/chamados/{number}/reabrir",
        data={"csrf_token": token, "versao": before.version, "motivo": "x"},
    )
    assert response.status_code == 403
    stale = maria.form_post(
        status, f"/chamados/{number}/reabrir", {"motivo": "x", "versao": before.version - 1}
    )
    assert stale.status_code == 409 and any(MOVED in m for m in messages(stale))
    assert snapshot(portal, number) == before
    # An open ticket has nothing to reopen.
    other = maria.open_ticket("Aberto")
    response = maria.client.post(
        f"/chamados/{other}/reabrir", data={"csrf_token": token, "versao": 1, "motivo": "x"}
    )
    assert response.status_code in (400, 409)


def test_internal_notes_are_in_the_teams_thread_only(portal):
    maria, joao, rita = Person(portal, MARIA), Person(portal, JOAO), Person(portal, RITA)
    number = maria.open_ticket("Notas")
    joao.note(number, "Servidor 10.0.0.7 com disco cheio.")
    for person in (joao, rita):
        titles = [m["title"] for m in thread(person, f"/atendimento/{number}")]
        assert "Nota interna (só a equipe vê)" in titles
    assert "disco cheio" not in maria.get(f"/chamados/{number}/status").text
