"""The requester's path through HTTP, from Processos › Abrir to Status/Acessar/Listagem."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import pytest
from apoio_chamados import (
    CARLOS,
    FROZEN,
    JOAO,
    MARIA,
    REQUESTER_PASSWORD,
    checked_category,
    csrf_from,
    errors,
    field_value,
    open_form,
    pdf_bytes,
    png_bytes,
    send_form,
    upload,
    user,
)
from sqlalchemy import func, select, text
from werkzeug.http import parse_options_header

from demo.extensions import db
from demo.models import Attachment, StepRecord, Ticket, TicketStatus
from demo.services import tickets
from demo.services.errors import Conflict

CONSULTA = "consulta-tecnica"
SUBJECT = "Erro ao anexar documento"
DESCRIPTION = "Ao clicar em Anexar, a tela fica em branco.\nPasso a passo: Minha Área › Anexar."


@pytest.fixture
def maria(app, browser):
    """Maria (MAPA) logged in on the support site, with the clock frozen."""
    app.config["FROZEN_TIME"] = FROZEN
    browser.login(MARIA, REQUESTER_PASSWORD)
    return browser


def ticket_row(app, number: str) -> Ticket:
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        db.session.expunge(ticket)
        return ticket


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# --- the whole flow ----------------------------------------------------------------------


def test_processos_abrir_lists_the_ticket_process(maria, client):
    home = client.get("/")
    assert "Processos" in home.text and 'href="/processos/abrir"' in home.text
    page = client.get("/processos/abrir")
    assert page.status_code == 200
    assert "Abertura de Chamado" in page.text
    assert 'action="/processos/abrir/abertura_chamado"' in page.text


def test_requester_flow_from_opening_to_listagem(app, maria, client, outbox):
    number = open_form(maria)
    assert number == "2026-000001"

    form = client.get(f"/chamados/{number}/formulario")
    assert form.status_code == 200
    # The código comes first, before anything to fill, with the fluxo vivo icon beside it.
    assert re.search(r">Código</span>\s*<output[^>]*>2026-000001</output>", form.text), (
        "Código não aparece no topo"
    )
    assert form.text.index("2026-000001") < form.text.index('name="categoria"')
    assert (
        f'href="/chamados/{number}/fluxo"' in form.text and 'aria-label="fluxo vivo"' in form.text
    )
    for name in (
        "Consulta Técnica",
        "Defeitos com Paralisação do Serviço",
        "Defeitos sem Paralisação de Serviço",
    ):
        assert name in form.text
    assert "02 (duas) horas corridas" in form.text
    assert "gestor do serviço no seu órgão" in form.text
    assert ">Aprovar<" in form.text or 'value="Aprovar"' in form.text

    # A draft keeps its number, its text and its attachments.
    saved = send_form(
        maria,
        number,
        "salvar",
        categoria=CONSULTA,
        assunto=SUBJECT,
        descricao=DESCRIPTION,
        files=[upload(png_bytes(), "tela do erro.png"), upload(pdf_bytes(), "relatório final.pdf")],
    )
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/chamados/{number}/formulario"
    again = client.get(saved.headers["Location"])
    assert "Rascunho salvo." in again.text
    assert field_value(again, "assunto") == SUBJECT
    assert field_value(again, "descricao") == DESCRIPTION
    assert checked_category(again) == CONSULTA
    assert "tela do erro.png" in again.text and "relatório final.pdf" in again.text
    assert "bytes)" in again.text  # sizes are shown

    area = client.get("/minha-area/")
    assert f'href="/chamados/{number}/formulario"' in area.text and SUBJECT in area.text

    # Aprovar later than the opening: the deadline counts from the approval.
    app.config["FROZEN_TIME"] = "2026-11-29T12:30:00Z"
    approved = send_form(
        maria, number, "aprovar", categoria=CONSULTA, assunto=SUBJECT, descricao=DESCRIPTION
    )
    assert approved.status_code == 302
    assert approved.headers["Location"] == f"/chamados/{number}/enviado"
    with app.app_context():
        stored = db.session.execute(
            text("SELECT created_at, opened_at, due_at, status FROM tickets WHERE number = :n"),
            {"n": number},
        ).one()
    # Stored as UTC wall time: 12:00Z opened the form, 12:30Z approved, +2 h.
    assert str(stored.created_at).startswith("2026-11-29 12:00:00")
    assert str(stored.opened_at).startswith("2026-11-29 12:30:00")
    assert str(stored.due_at).startswith("2026-11-29 14:30:00")
    assert stored.status == TicketStatus.OPEN.value

    confirmation = client.get(approved.headers["Location"])
    assert re.search(r"Nº do Processo: <strong>2026-000001</strong>", confirmation.text)
    assert "anotá-lo" in confirmation.text
    assert "29/11/2026 11:30" in confirmation.text  # shown in Brasília time

    message = outbox.last(MARIA)
    assert number in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"Nº do Processo: {number}" in body
    assert "29/11/2026 11:30" in body

    for typed in ("2026-000001", "2026000001", " 2026/1 ", "2026.1"):
        found = client.get("/minha-area/selecionados", query_string={"numero": typed})
        assert found.status_code == 200
        assert f'href="/chamados/{number}"' in found.text, typed
        assert "Consulta Técnica" in found.text and "Triagem" in found.text
        assert "29/11/2026 09:30" in found.text and "29/11/2026 11:30" in found.text

    page = client.get(f"/chamados/{number}")
    assert page.status_code == 200
    for key, label in (("status", "Status"), ("acessar", "Acessar"), ("listagem", "Listagem")):
        assert f'href="/chamados/{number}/{key}"' in page.text and label in page.text
    assert "Faltam 2 h 00 min" in page.text

    status = client.get(f"/chamados/{number}/status")
    assert status.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", status.text, re.S)
    cells = [re.sub(r"<[^>]+>", "|", row) for row in rows[1:]]
    assert len(cells) == 2
    assert "Abertura de Chamado" in cells[0] and "Maria Souza" in cells[0]
    assert "29/11/2026 09:00" in cells[0] and "29/11/2026 09:30" in cells[0]
    assert "30 min" in cells[0] and "Aprovar" in cells[0]
    assert "Triagem" in cells[1] and "Suporte Nível 1" in cells[1] and "Em andamento" in cells[1]

    acessar = client.get(f"/chamados/{number}/acessar")
    assert acessar.status_code == 200
    assert html.escape(DESCRIPTION.splitlines()[0]) in acessar.text
    links = re.findall(rf'href="(/chamados/{number}/anexos/\d+)">([^<]+)</a>', acessar.text)
    assert [html.unescape(name) for _, name in links] == ["tela do erro.png", "relatório final.pdf"]
    assert 'name="' not in acessar.text.split("<h2>Acessar</h2>")[1]  # read-only: no inputs

    listagem = client.get(f"/chamados/{number}/listagem")
    assert listagem.status_code == 200
    assert "Abertura de Chamado" in listagem.text and "Concluída" in listagem.text
    assert "Triagem" in listagem.text and "Em andamento" in listagem.text

    download = client.get(links[1][0])
    body = download.get_data()
    download.close()
    assert download.status_code == 200
    assert body == pdf_bytes()
    assert download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition, params = parse_options_header(download.headers["Content-Disposition"])
    assert disposition == "attachment"
    assert params["filename"] == "relatório final.pdf"  # decoded from filename*=UTF-8''…
    assert "filename*=UTF-8''relat%C3%B3rio%20final.pdf" in download.headers["Content-Disposition"]

    flow = client.get(f"/chamados/{number}/fluxo.json")
    assert flow.status_code == 200
    assert flow.json["concluidas"] == ["abertura"]
    assert flow.json["atual"] == "triagem"
    assert 'id="abertura"' in flow.json["bpmn"]
    diagram = client.get(f"/chamados/{number}/fluxo")
    assert f'data-fonte="/chamados/{number}/fluxo.json"' in diagram.text
    assert "etapa atual “Triagem”" in diagram.text


def test_draft_flow_json_marks_abertura_current(maria, client):
    number = open_form(maria)
    flow = client.get(f"/chamados/{number}/fluxo.json")
    assert flow.json["concluidas"] == [] and flow.json["atual"] == "abertura"
    page = client.get(f"/chamados/{number}/fluxo")
    assert f'href="/chamados/{number}/formulario"' in page.text  # back to the form


def test_approving_twice_makes_one_transition(app, maria, client, outbox):
    number = open_form(maria)
    fields = {"categoria": CONSULTA, "assunto": SUBJECT, "descricao": DESCRIPTION}
    token_page = client.get(f"/chamados/{number}/formulario")
    first = send_form(maria, number, "aprovar", **fields)
    assert first.status_code == 302
    steps = count(app, StepRecord)
    # A second Aprovar from the page still open in another tab.
    token = csrf_from(token_page)
    second = client.post(
        f"/chamados/{number}/formulario",
        data={"csrf_token": token, **fields, "aprovar": "1"},
        content_type="multipart/form-data",
    )
    assert second.status_code == 302
    assert second.headers["Location"] == f"/chamados/{number}"
    assert count(app, StepRecord) == steps
    receipts = [m for m in outbox.messages() if m["To"] == MARIA and number in m["Subject"]]
    assert len(receipts) == 1
    with app.app_context(), pytest.raises(Conflict):
        tickets.approve(db.session.get(Ticket, 1), user(MARIA))


def test_draft_is_not_shown_as_sent(maria, client):
    number = open_form(maria)
    response = client.get(f"/chamados/{number}/enviado")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/chamados/{number}/formulario"


def test_removing_an_attachment_of_a_draft(app, maria, client, tmp_path):
    number = open_form(maria)
    send_form(maria, number, files=[upload(png_bytes(), "a.png"), upload(pdf_bytes(), "b.pdf")])
    with app.app_context():
        first = db.session.scalars(select(Attachment).order_by(Attachment.id)).first()
        first_id, stored = first.id, first.stored_name
    removed = send_form(maria, number, assunto="Mantido", remover=str(first_id))
    assert removed.status_code == 302
    page = client.get(removed.headers["Location"])
    assert "Anexo removido." in page.text
    assert "a.png" not in page.text and "b.pdf" in page.text
    assert field_value(page, "assunto") == "Mantido"
    assert not (tmp_path / "anexos" / stored).exists()


def test_removing_an_attachment_of_another_ticket_removes_nothing(app, maria):
    first = open_form(maria)
    send_form(maria, first, files=[upload(png_bytes(), "a.png")])
    with app.app_context():
        foreign_id = db.session.scalars(select(Attachment.id)).one()
    second = open_form(maria)
    response = send_form(maria, second, assunto="Outro", remover=str(foreign_id))
    assert response.status_code == 404
    assert "Anexo não encontrado neste chamado." in errors(response)
    assert field_value(response, "assunto") == "Outro"
    assert count(app, Attachment) == 1


def test_agent_cannot_open_a_ticket(app, browser, client):
    browser.login(JOAO, "atendente-demo")
    assert "Abertura de Chamado" not in client.get("/processos/abrir").text
    refused = browser.post_form(
        "/processos/abrir/abertura_chamado", {}, form_path="/processos/abrir"
    )
    assert refused.status_code == 403
    assert "Somente solicitantes abrem chamados." in refused.text
    assert count(app, Ticket) == 0


# --- bad input -----------------------------------------------------------------------------


def assert_draft_untouched(app, number: str) -> Ticket:
    ticket = ticket_row(app, number)
    assert ticket.status == TicketStatus.DRAFT
    assert ticket.due_at is None
    return ticket


APPROVAL_REFUSALS = [
    (
        {"categoria": "", "assunto": SUBJECT, "descricao": DESCRIPTION},
        "Escolha a categoria do chamado.",
        {"assunto": SUBJECT, "descricao": DESCRIPTION},
    ),
    (
        {"categoria": "urgentissimo", "assunto": SUBJECT, "descricao": DESCRIPTION},
        "Categoria desconhecida: escolha uma das opções.",
        {"assunto": SUBJECT, "descricao": DESCRIPTION},
    ),
    (
        {"categoria": CONSULTA, "assunto": SUBJECT, "descricao": "   \n  "},
        "Descreva a sua solicitação.",
        {"assunto": SUBJECT},
    ),
    (
        {"categoria": CONSULTA, "assunto": "  ", "descricao": DESCRIPTION},
        "Informe o assunto do chamado.",
        {"descricao": DESCRIPTION},
    ),
]


def test_approval_refused_keeps_what_was_typed(app, maria):
    """No category, an unknown one, an empty description or subject: 400, nothing lost."""
    for fields, message, kept in APPROVAL_REFUSALS:
        number = open_form(maria)
        response = send_form(maria, number, "aprovar", **fields)
        assert response.status_code == 400, message
        assert message in errors(response)
        for name, value in kept.items():
            assert field_value(response, name) == value, (message, name)
        if fields["categoria"] == CONSULTA:
            assert checked_category(response) == CONSULTA
        assert number in response.text  # still the same form, número on top
        assert_draft_untouched(app, number)


def test_valid_file_sent_with_an_error_is_kept(app, maria, client):
    number = open_form(maria)
    response = send_form(
        maria,
        number,
        "aprovar",
        assunto=SUBJECT,
        descricao=DESCRIPTION,
        files=[upload(png_bytes(), "print.png")],
    )
    assert response.status_code == 400
    assert "Escolha a categoria do chamado." in errors(response)
    assert "print.png" in response.text
    # Fixing the category is enough: the file is already on the draft.
    fixed = send_form(
        maria, number, "aprovar", categoria=CONSULTA, assunto=SUBJECT, descricao=DESCRIPTION
    )
    assert fixed.status_code == 302
    assert "print.png" in client.get(f"/chamados/{number}/acessar").text


def test_file_over_the_size_limit(app_factory, browser_for):
    app = app_factory(ATTACHMENT_MAX_MB=1, FROZEN_TIME=FROZEN)
    browser = browser_for(app)
    browser.login(MARIA, REQUESTER_PASSWORD)
    number = open_form(browser)
    send_form(browser, number, files=[upload(pdf_bytes(), "antes.pdf")])
    big = png_bytes() + b"\0" * (1024 * 1024)
    response = send_form(
        browser,
        number,
        "aprovar",
        categoria=CONSULTA,
        assunto=SUBJECT,
        descricao=DESCRIPTION,
        files=[upload(big, "grande.png"), upload(png_bytes(), "pequeno.png")],
    )
    assert response.status_code == 413
    assert "“grande.png” ultrapassa o tamanho máximo de 1 MB por arquivo." in errors(response)
    assert field_value(response, "assunto") == SUBJECT
    assert field_value(response, "descricao") == DESCRIPTION
    assert checked_category(response) == CONSULTA
    assert "antes.pdf" in response.text and "pequeno.png" in response.text
    assert "grande.png</a>" not in response.text
    assert_draft_untouched(app, number)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 2


def test_request_over_the_total_limit_shows_the_saved_draft(app_factory, browser_for):
    """A body larger than MAX_CONTENT_LENGTH is not read; the form still comes back."""
    app = app_factory(ATTACHMENT_MAX_MB=1, ATTACHMENT_MAX_COUNT=2, FROZEN_TIME=FROZEN)
    browser = browser_for(app)
    browser.login(MARIA, REQUESTER_PASSWORD)
    number = open_form(browser)
    send_form(browser, number, assunto=SUBJECT, descricao=DESCRIPTION)
    huge = png_bytes() + b"\0" * (4 * 1024 * 1024)
    response = send_form(
        browser, number, assunto="novo", descricao="novo", files=[upload(huge, "video.png")]
    )
    assert response.status_code == 413
    assert any("não foi recebido" in message for message in errors(response))
    assert field_value(response, "assunto") == SUBJECT
    assert field_value(response, "descricao") == DESCRIPTION
    assert 'name="csrf_token"' in response.text and 'value="Aprovar"' in response.text


def test_too_many_files(app_factory, browser_for):
    app = app_factory(ATTACHMENT_MAX_COUNT=2, FROZEN_TIME=FROZEN)
    browser = browser_for(app)
    browser.login(MARIA, REQUESTER_PASSWORD)
    number = open_form(browser)
    response = send_form(
        browser,
        number,
        assunto=SUBJECT,
        files=[upload(png_bytes(), f"print{i}.png") for i in range(3)],
    )
    assert response.status_code == 400
    assert "“print2.png” não foi anexado: o limite é de 2 arquivos por chamado." in errors(response)
    assert "print0.png" in response.text and "print1.png" in response.text
    assert field_value(response, "assunto") == SUBJECT
    later = send_form(browser, number, assunto=SUBJECT, files=[upload(pdf_bytes(), "mais.pdf")])
    assert later.status_code == 400
    assert "“mais.pdf” não foi anexado: o limite é de 2 arquivos por chamado." in errors(later)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 2


REFUSED_FILES = [
    (b"", "vazio.pdf", "“vazio.pdf” está vazio (0 bytes)."),
    (b"print('x')\n", "../../x.py", "“x.py”: tipo de arquivo não aceito."),
    (
        b"<!doctype html><html><script>alert(1)</script></html>",
        "documento.pdf",
        "“documento.pdf”: o conteúdo do arquivo não corresponde ao tipo .pdf.",
    ),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "imagem.png",
        "“imagem.png”: o conteúdo do arquivo não corresponde ao tipo .png.",
    ),
    (
        b"<html><body onload=alert(1)></body></html>",
        "tela.jpg",
        "“tela.jpg”: o conteúdo do arquivo não corresponde ao tipo .jpg.",
    ),
    # The test client cannot send this name intact: it must simply not break anything.
    (pdf_bytes(), "a.pdf\r\nX: y", None),
]


def test_refused_files_keep_the_form(app, maria, tmp_path):
    """Empty, a path, HTML or SVG in disguise: refused with a message; the rest is kept."""
    for content, name, message in REFUSED_FILES:
        number = open_form(maria)
        response = send_form(
            maria,
            number,
            categoria=CONSULTA,
            assunto=SUBJECT,
            descricao=DESCRIPTION,
            files=[upload(content, name), upload(png_bytes(), "bom.png")],
        )
        assert response.status_code in (302, 400), name
        if message:
            assert response.status_code == 400
            assert any(found.startswith(message) for found in errors(response)), errors(response)
            assert field_value(response, "assunto") == SUBJECT
            assert field_value(response, "descricao") == DESCRIPTION
            assert "bom.png" in response.text
        with app.app_context():
            ticket = tickets.get_own(user(MARIA), number)
            names = [item.original_name for item in ticket.attachments]
        assert "bom.png" in names, name
        assert all("\r" not in each and "\n" not in each and "/" not in each for each in names)
    # Nothing is written outside the attachments folder, nor under the sent name.
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Attachment))
    stored = sorted(p.name for p in (tmp_path / "anexos").iterdir() if p.is_file())
    assert all(re.fullmatch(r"[0-9a-f]{32}", each) for each in stored)
    assert len(stored) == rows
    assert not any(p.name == "x.py" for p in tmp_path.rglob("*"))
    assert list((tmp_path / "anexos" / ".tmp").iterdir()) == []


def test_file_names_render_as_text(app, maria, client):
    number = open_form(maria)
    evil = "<img src=x onerror=alert(1)>.pdf"
    response = send_form(maria, number, files=[upload(pdf_bytes(), evil)])
    assert response.status_code == 302
    page = client.get(f"/chamados/{number}/formulario")
    assert "<img src=x" not in page.text
    assert html.escape(evil, quote=False) in page.text
    with app.app_context():
        attachment_id = db.session.scalar(select(Attachment.id))
    download = client.get(f"/chamados/{number}/anexos/{attachment_id}")
    download.close()
    assert download.status_code == 200
    _, params = parse_options_header(download.headers["Content-Disposition"])
    assert params["filename"] == evil


def test_download_header_cannot_be_injected(app, maria, client):
    """Names with line breaks or quotes stay one header parameter (service-level upload)."""
    for sent, shown in (
        ("a\r\nX-Injetado: 1.pdf", "aX-Injetado: 1.pdf"),
        ('rel"; filename="evil.exe.pdf', 'rel"; filename="evil.exe.pdf'),
        ("ação\u202egnp.pdf", "açãognp.pdf"),  # bidi override dropped
    ):
        number = open_form(maria)
        with app.app_context():
            requester = user(MARIA)
            ticket = tickets.get_own(requester, number)
            problems = tickets.add_attachments(ticket, requester, [upload(pdf_bytes(), sent)])
            assert problems == []
            attachment_id = ticket.attachments[0].id
        download = client.get(f"/chamados/{number}/anexos/{attachment_id}")
        download.close()
        assert download.status_code == 200
        assert "X-Injetado" not in download.headers
        header = download.headers["Content-Disposition"]
        assert "\r" not in header and "\n" not in header
        disposition, params = parse_options_header(header)
        assert disposition == "attachment"
        assert unquote(params["filename"]) == shown


def test_control_characters_in_text_are_dropped(app, maria, client):
    """PostgreSQL refuses NUL in text: typed control characters must not become a 500."""
    number = open_form(maria)
    response = send_form(
        maria, number, assunto="Erro\x00 no\tportal\x07", descricao="linha 1\x00\r\n\tlinha 2"
    )
    assert response.status_code == 302
    ticket = ticket_row(app, number)
    assert ticket.subject == "Erro no portal"
    assert ticket.description == "linha 1\n\tlinha 2"


def test_typed_text_renders_as_text_everywhere(app, maria, client, outbox):
    """HTML typed in the form stays text on every page and in the e-mail; no header injection."""
    number = open_form(maria)
    subject = "<b>negrito</b>\r\nBcc: intruso@exemplo.com"
    description = "<script>alert(1)</script>\n<img src=x onerror=alert(2)>"
    response = send_form(
        maria, number, "aprovar", categoria=CONSULTA, assunto=subject, descricao=description
    )
    assert response.status_code == 302
    pages = [client.get(f"/chamados/{number}/{tab}") for tab in ("status", "acessar", "listagem")]
    pages.append(client.get("/minha-area/"))
    pages.append(client.get("/minha-area/selecionados", query_string={"numero": number}))
    pages.append(client.get("/minha-area/selecionados", query_string={"numero": "<script>x"}))
    for page in pages:
        assert page.status_code in (200, 400)
        assert "<b>negrito" not in page.text and "<script>alert" not in page.text
        assert "<img src=x" not in page.text and "<script>x" not in page.text
    assert "&lt;b&gt;negrito&lt;/b&gt; Bcc: intruso@exemplo.com" in pages[1].text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1].text
    [receipt] = [m for m in outbox.messages() if m["To"] == MARIA]
    assert receipt["Bcc"] is None
    assert "intruso" not in receipt["To"] and "\n" not in receipt["Subject"]
    html_body = receipt.get_body(preferencelist=("html",)).get_content()
    assert "<b>negrito" not in html_body and "&lt;b&gt;negrito" in html_body


def test_anexos_sent_as_plain_field_is_ignored(app, maria):
    number = open_form(maria)
    response = send_form(maria, number, assunto=SUBJECT, anexos="nao-sou-arquivo.pdf")
    assert response.status_code == 302
    assert count(app, Attachment) == 0


def test_post_without_csrf_changes_nothing(app, maria, client):
    number = open_form(maria)
    response = client.post(
        f"/chamados/{number}/formulario",
        data={"categoria": CONSULTA, "assunto": SUBJECT, "descricao": DESCRIPTION, "aprovar": "1"},
    )
    assert response.status_code == 400
    assert "O formulário expirou ou foi enviado sem o código de segurança" in response.text
    ticket = assert_draft_untouched(app, number)
    assert ticket.subject == "" and ticket.category_code is None
    opened = client.post("/processos/abrir/abertura_chamado")
    assert opened.status_code == 400
    assert count(app, Ticket) == 1


# --- search and visibility -----------------------------------------------------------------


def other_organization_ticket(app) -> tuple[str, int]:
    """A submitted ticket of Carlos (MGI), with an attachment: (número, attachment id)."""
    with app.app_context():
        carlos = user(CARLOS)
        ticket = tickets.open_draft(carlos)
        tickets.save_draft(ticket, tickets.DraftInput(CONSULTA, "Do MGI", "Somente o MGI vê."))
        tickets.add_attachments(ticket, carlos, [upload(pdf_bytes(), "mgi.pdf")])
        tickets.approve(ticket, carlos)
        return ticket.number, ticket.attachments[0].id


#: Not a número at all: the search says what to type.
SEARCHES_THAT_ARE_NO_NUMBER = [
    "abc",
    "' OR 1=1 --",
    "%",
    "2026-%",
    "_",
    "2026-000001' --",
    "2026-000001; DROP TABLE tickets",
    "x" * 10_240,
    "0",
    "2026-0",
    "٢٠٢٦-١",  # other scripts' digits
    "2026-99999999999999",
]
#: Números, whole or without the year, that match nothing the requester may see.
NUMBERS_FINDING_NOTHING = [
    "2026-000001",
    "2026000001",
    "1",
    "000001",
    "2025-000002",
    "99",
    "1234567",  # seven digits: a year (1234) and a sequence
]


def test_search_nothing_found(app, maria, client):
    number, _ = other_organization_ticket(app)  # 2026-000001, of another órgão
    own = open_form(maria)  # 2026-000002, a draft: not found by search
    for typed in [*NUMBERS_FINDING_NOTHING, own, own.split("-")[1], "2"]:
        response = client.get("/minha-area/selecionados", query_string={"numero": typed})
        assert response.status_code == 200, typed
        assert "Nenhum processo encontrado" in response.text, typed
        assert f"/chamados/{number}" not in response.text, typed
    for typed in SEARCHES_THAT_ARE_NO_NUMBER:
        response = client.get("/minha-area/selecionados", query_string={"numero": typed})
        assert response.status_code == 400, typed
        assert "O Nº do Processo tem só algarismos" in response.text, typed
        assert f"/chamados/{number}" not in response.text, typed
    # An empty search asks for the número (it never quotes an empty “”).
    response = client.get("/minha-area/selecionados", query_string={"numero": "  "})
    assert response.status_code == 400
    assert "Informe o Nº do Processo para buscar." in response.text
    assert "“”" not in response.text
    assert ticket_row(app, number).subject == "Do MGI"


def test_search_does_not_find_another_organizations_ticket(app, maria, client):
    number, _ = other_organization_ticket(app)
    for typed in (number, number.replace("-", ""), "2026/1"):
        response = client.get("/minha-area/selecionados", query_string={"numero": typed})
        assert response.status_code == 200
        assert "Nenhum processo encontrado" in response.text
        assert "Do MGI" not in response.text


def test_another_organizations_ticket_is_404_everywhere(app, maria, client):
    number, attachment_id = other_organization_ticket(app)
    for path in (
        "",
        "/status",
        "/acessar",
        "/listagem",
        "/fluxo",
        "/fluxo.json",
        "/enviado",
        "/formulario",
        f"/anexos/{attachment_id}",
    ):
        response = client.get(f"/chamados/{number}{path}")
        assert response.status_code == 404, path
        assert "Do MGI" not in response.text
    # Nor through one's own ticket with the other's attachment id.
    own = open_form(maria)
    assert client.get(f"/chamados/{own}/anexos/{attachment_id}").status_code == 404
    posted = send_form_to_foreign(maria, client, own, number)
    assert posted.status_code == 404
    assert ticket_row(app, number).subject == "Do MGI"


def send_form_to_foreign(maria, client, own: str, foreign: str):
    """Post the form of someone else's ticket, with a valid token from one's own form."""
    token = csrf_from(client.get(f"/chamados/{own}/formulario"))
    return client.post(
        f"/chamados/{foreign}/formulario",
        data={"csrf_token": token, "assunto": "alterado", "aprovar": "1"},
    )


def test_another_users_draft_in_the_same_organization_is_404(app, maria, client):
    with app.app_context():
        colleague = user("paulo.ramos@agro.gov.br")  # also MAPA
        assert colleague.organization_id == user(MARIA).organization_id
        draft = tickets.open_draft(colleague)
        tickets.add_attachments(draft, colleague, [upload(pdf_bytes(), "rascunho.pdf")])
        number, attachment_id = draft.number, draft.attachments[0].id
    for path in ("", "/status", "/acessar", "/listagem", "/fluxo", "/fluxo.json", "/formulario"):
        assert client.get(f"/chamados/{number}{path}").status_code == 404, path
    assert client.get(f"/chamados/{number}/anexos/{attachment_id}").status_code == 404
    assert number not in client.get("/minha-area/").text
    search = client.get("/minha-area/selecionados", query_string={"numero": number})
    assert "Nenhum processo encontrado" in search.text


def test_same_organization_sees_a_submitted_ticket(app, maria, client):
    """Visibility is by órgão: a colleague's submitted ticket is found and readable."""
    with app.app_context():
        colleague = user("paulo.ramos@agro.gov.br")
        ticket = tickets.open_draft(colleague)
        tickets.save_draft(ticket, tickets.DraftInput(CONSULTA, "Do colega", "Texto."))
        tickets.approve(ticket, colleague)
        number = ticket.number
    found = client.get("/minha-area/selecionados", query_string={"numero": number})
    assert f'href="/chamados/{number}"' in found.text
    assert client.get(f"/chamados/{number}/status").status_code == 200
    assert client.get(f"/chamados/{number}/formulario").status_code == 404


def test_unknown_numbers_are_404(maria, client):
    for number in ("2026-000999", "abc", "2026-000001'", "9" * 50):
        assert client.get(f"/chamados/{number}").status_code == 404
        assert client.get(f"/chamados/{number}/formulario").status_code == 404
