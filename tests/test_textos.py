"""What people read, said right: one test for each sentence that was wrong, and e-mails that lead
straight to the ticket."""

from __future__ import annotations

import re

import pytest
from apoio_atendimento import ANA, RITA, Mailbox, Person, body, messages, page, page_text, text_of
from apoio_chamados import FROZEN, JOAO, MARIA, open_form, send_form
from apoio_portal import Browser
from apoio_turma import CLASS_PASSWORD, make_people


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def to_validation(portal) -> tuple[str, Person, Person]:
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Textos")
    joao.act(number, "resolver")
    joao.act(number, "solucionar", "Limpe o cache.")
    return number, maria, joao


def test_accepting_the_solution_says_the_ticket_is_closed(portal):
    number, maria, _ = to_validation(portal)
    response = maria.respond(number, "aceitar")
    shown = messages(maria.get(response.headers["Location"]))
    assert f"Solução aceita: o chamado {number} foi encerrado." in shown
    assert not any("seguiu para a próxima etapa" in m for m in shown)


def test_answering_says_where_the_ticket_went(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Resposta")
    joao.act(number, "informacao", "Qual versão?")
    response = maria.respond(number, "responder", "A 3.")
    assert "Resposta enviada: o chamado voltou para “Triagem”." in messages(
        maria.get(response.headers["Location"])
    )


def test_the_refusal_email_shows_the_reason_where_it_says_it_is(portal):
    number, maria, _ = to_validation(portal)
    mailbox = Mailbox(portal)
    maria.respond(number, "recusar", "Continua vazio.")
    [mail] = [m for m in mailbox.new() if m["To"] == JOAO]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "abaixo" not in text
    announced = text.index("O motivo que ele escreveu:")
    assert announced < text.index("Continua vazio.") < text.index("continue o atendimento")


def test_agents_are_not_thanked_for_using_the_support(portal):
    number, maria, _ = to_validation(portal)
    mailbox = Mailbox(portal)
    maria.respond(number, "aceitar")
    mails = {m["To"]: body(m) for m in mailbox.new()}
    assert "Obrigado por usar o suporte técnico." in mails[MARIA]
    assert "Obrigado" not in mails[JOAO]
    assert "O solicitante aceitou a solução e o chamado foi encerrado." in mails[JOAO]


def test_an_empty_answer_gets_the_requesters_message(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Resposta vazia")
    joao.act(number, "informacao", "Qual versão?")
    response = maria.respond(number, "responder", "   ")
    assert response.status_code == 400
    assert "Escreva a sua resposta ao pedido de informações." in messages(response)
    assert not any("ele explica a ação a quem vai ler" in m for m in messages(response))


def test_every_email_links_straight_to_the_ticket_and_names_no_missing_screen(portal):
    number, maria, joao = to_validation(portal)
    rita = Person(portal, RITA)
    maria.respond(number, "recusar", "Não resolveu.")
    joao.act(number, "escalar", "Nível 2.")
    rita.act(number, "informacao", "Print?")
    maria.respond(number, "responder", "Segue.")
    rita.act(number, "solucionar", "Agora sim.")
    maria.respond(number, "aceitar", avaliacao="4")
    mails = Mailbox(portal).all()
    assert len(mails) > 8
    team = f"http://suporte.servicos.gov.br/atendimento/{number}"
    own = f"http://suporte.servicos.gov.br/chamados/{number}/status"
    for mail in mails:
        text = body(mail)
        assert "Atendimento › Fila" not in text, mail["Subject"]
        expected = own if mail["To"] == MARIA else team
        assert expected in text, (mail["To"], mail["Subject"])
        # the HTML part links it too
        html = mail.get_body(preferencelist=("html",)).get_content()
        assert f'href="{expected}"' in html, mail["Subject"]


def test_the_progress_subject_names_the_step_in_a_sentence(portal):
    maria, joao = Person(portal, MARIA), Person(portal, JOAO)
    number = maria.open_ticket("Assunto")
    mailbox = Mailbox(portal)
    joao.act(number, "resolver")
    [mail] = [m for m in mailbox.new() if m["To"] == MARIA]
    assert mail["Subject"] == f"Chamado {number}: passou para a etapa “Resolução”"
    assert not re.search(r"andamento: \w", str(mail["Subject"]))


def test_an_empty_numero_search_asks_for_the_numero(portal):
    maria = Person(portal, MARIA)
    response = maria.client.get("/minha-area/selecionados", query_string={"numero": ""})
    text = page_text(response)
    assert "Informe o Nº do Processo para buscar." in text
    assert "número “”" not in text


def test_an_agent_in_no_group_is_told_so(portal):
    [email] = make_people(portal, 1, profile="atendente")
    browser = Browser(portal.test_client())
    assert browser.login(email, CLASS_PASSWORD).status_code == 302
    text = page_text(browser.client.get("/atendimento/"))
    assert "Você ainda não faz parte de nenhum grupo de suporte" in text
    assert "—, da que" not in text and "grupos —" not in text


def test_no_field_is_ever_marked_aria_invalid_none(portal):
    maria = Person(portal, MARIA)
    number = open_form(maria.browser)
    pages = [
        maria.get(f"/chamados/{number}/formulario"),
        send_form(maria.browser, number, "aprovar"),  # every field in error
        send_form(maria.browser, number, "aprovar", assunto="Só o assunto"),
    ]
    answered = maria.open_ticket("Aria")
    Person(portal, JOAO).act(answered, "informacao", "?")
    pages.append(maria.respond(answered, "responder", ""))
    pages.append(Person(portal, JOAO).act(maria.open_ticket("Outro"), "informacao", ""))
    for response in pages:
        assert 'aria-invalid="None"' not in response.text
        assert 'aria-invalid="False"' not in response.text
    # Where a field is wrong it says so.
    assert 'aria-invalid="true"' in pages[1].text


def test_the_painel_does_not_call_closed_tickets_open(portal):
    number, maria, _ = to_validation(portal)
    maria.respond(number, "aceitar")
    tree = page(Person(portal, ANA).get("/atendimento/painel"))
    headers = [
        text_of(th)
        for th in tree.xpath('//table[caption[contains(., "chamados por categoria")]]/thead//th')
    ]
    assert "Abertos" not in headers
    assert headers[2:5] == ["Recebidos", "Em atendimento", "Encerrados"]
    [row] = tree.xpath(
        '//table[caption[contains(., "chamados por categoria")]]//tr[th="Consulta Técnica"]'
    )
    cells = [text_of(td) for td in row.xpath("td")]
    assert cells[1:4] == ["1", "0", "1"]  # received 1, open 0, closed 1
