"""A ticket's whole life over HTTP, checking at each move what everybody sees and receives."""

from __future__ import annotations

import pytest
from apoio_atendimento import (
    RITA,
    Mailbox,
    Person,
    body,
    by_recipient,
    flow_state,
    history_rows,
    listing_rows,
    messages,
    page,
    page_text,
    requester_view,
    snapshot,
    text_of,
)
from apoio_chamados import FROZEN, JOAO, MARIA, png_bytes, upload

N1 = "Suporte Nível 1"
N2 = "Suporte Nível 2"


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


class Life:
    """One ticket and the people around it; `check` compares what each sees with the plan."""

    def __init__(self, app, subject: str, category: str):
        self.app = app
        self.maria = Person(app, MARIA)
        self.joao = Person(app, JOAO)
        self.rita = Person(app, RITA)
        self.mailbox = Mailbox(app)
        self.subject = subject
        self.number = self.maria.open_ticket(subject, category)

    def subject_of(self, event: str) -> str:
        return f"Chamado {self.number}: {event}"

    def check(self, step, my_action, joao, rita, mails, done, current, comment=None):
        """The state after a move, as the requester, both agents, the outbox and the flow see it."""
        view = requester_view(self.maria, self.number)
        assert view.step == step
        assert view.my_action == (f"Sua ação: {step}" if my_action else None)
        if comment is not None:  # what the requester must read to act
            quote = page(self.maria.get(f"/chamados/{self.number}/status")).xpath(
                '//section[contains(@class, "portal-sua-acao")]//blockquote'
            )
            assert [text_of(q) for q in quote] == [comment]
        assert (self.number in self.joao.queue_numbers()) is joao
        assert (self.number in self.rita.queue_numbers()) is rita
        self.mails = self.mailbox.new()
        received = by_recipient(self.mails, self.number)
        expected = {to: sorted(self.subject_of(e) for e in events) for to, events in mails.items()}
        assert received == expected
        concluded, now = flow_state(self.maria, self.number)
        assert (concluded, now) == (sorted(done), current)
        return view

    def mail_to(self, address: str) -> str:
        """The body of the one message the last move sent to this address."""
        (message,) = [m for m in self.mails if m["To"] == address]
        return body(message)


REASON_NEEDED = "Explique o motivo"


def not_theirs(person: Person, number: str) -> bool:
    """The ticket's page opens read-only: no decision, no Assumir; posting is refused."""
    response = person.get(f"/atendimento/{number}")
    tree = page(response)
    readable = response.status_code == 200 and "você pode ler o chamado" in text_of(tree)
    no_forms = not tree.xpath(f'//form[@action="/atendimento/{number}/acao"]') and not tree.xpath(
        f'//form[@action="/atendimento/{number}/assumir"]'
    )
    return readable and no_forms


def download(person: Person, path: str) -> bytes:
    response = person.get(path)
    try:
        assert response.status_code == 200, response.status_code
        return response.data
    finally:
        response.close()


def test_opening_information_refusal_and_closing_in_level_one(portal):
    life = Life(portal, "Relatório não exporta", "consulta-tecnica")
    number, maria, joao = life.number, life.maria, life.joao
    opened = {
        MARIA: [f"Chamado {number} aberto: Relatório não exporta"],
        JOAO: [f"Chamado {number}: nova tarefa na fila do {N1}"],
    }
    received = life.mailbox.new_by_recipient(number)
    assert received == opened
    life.check("Triagem", False, True, False, {}, ["abertura"], "triagem")

    # Triagem returns it for information: the requester must answer.
    question = "Qual navegador você usa?"
    assert joao.act(number, "informacao", question).status_code == 302
    view = life.check(
        "Complementação de Informações",
        True,
        False,
        False,
        {MARIA: ["o suporte precisa de informações"]},
        ["abertura", "triagem"],
        "complementacao",
        comment=question,
    )
    assert view.choices == [("responder", "Enviar resposta")]
    assert question in life.mail_to(MARIA)

    # The answer, with a file: back to Triagem, the file with the ticket.
    screenshot = png_bytes()
    response = maria.respond(
        number, "responder", "Firefox 120.", files=[upload(screenshot, "tela do erro.png")]
    )
    assert response.status_code == 302
    life.check(
        "Triagem",
        False,
        True,
        False,
        {JOAO: ["o solicitante respondeu"]},
        ["abertura", "triagem", "complementacao"],
        "triagem",
    )
    assert "Firefox 120." in life.mail_to(JOAO)
    # The file is under the answer it came with, in the conversation (not in the form).
    task = page(joao.get(f"/atendimento/{number}"))
    (answer,) = task.xpath(
        '//li[contains(@class, "portal-mensagem")]'
        '[.//h3[text()="Resposta ao pedido de informações"]]'
    )
    assert "Firefox 120." in text_of(answer)
    (link,) = answer.xpath('.//a[@aria-label="Baixar tela do erro.png"]')
    for person in (joao, maria):
        assert download(person, link.get("href")) == screenshot
    form = page(maria.get(f"/chamados/{number}/acessar"))
    assert "tela do erro.png" not in text_of(
        form.xpath("//dl[contains(@class, 'portal-readonly')]")[0]
    )

    # Resolver (no comment needed), then the solution.
    assert joao.act(number, "resolver").status_code == 302
    life.check(
        "Resolução",
        False,
        True,
        False,
        # Joao moved it within his own group: nobody else to tell there.
        {MARIA: ["passou para a etapa “Resolução”"]},
        ["abertura", "triagem", "complementacao"],
        "resolucao",
    )
    solution = "Limpe o cache do navegador."
    assert joao.act(number, "solucionar", solution).status_code == 302
    view = life.check(
        "Validação da Solução",
        True,
        False,
        False,
        {MARIA: ["solução proposta: valide"]},
        ["abertura", "triagem", "complementacao", "resolucao"],
        "validacao",
        comment=solution,
    )
    assert solution in life.mail_to(MARIA)
    assert view.choices == [("aceitar", "Aceitar solução"), ("recusar", "Recusar solução")]

    # Refusing needs a reason; with one, the ticket goes back to the step that solved it.
    before = snapshot(portal, number)
    response = maria.respond(number, "recusar", "")
    assert response.status_code == 400
    assert any(REASON_NEEDED in m for m in messages(response))
    assert snapshot(portal, number) == before
    reason = "Continua vazio."
    assert maria.respond(number, "recusar", reason).status_code == 302
    life.check(
        "Resolução",
        False,
        True,
        False,
        {JOAO: ["solução recusada pelo solicitante"]},
        ["abertura", "triagem", "complementacao", "resolucao", "validacao"],
        "resolucao",
    )
    assert reason in life.mail_to(JOAO)
    assert "recusou a solução" in life.mail_to(JOAO)

    assert joao.act(number, "solucionar", "Corrigido no servidor.").status_code == 302
    life.check(
        "Validação da Solução",
        True,
        False,
        False,
        {MARIA: ["solução proposta: valide"]},
        ["abertura", "triagem", "complementacao", "resolucao", "validacao"],
        "validacao",
        comment="Corrigido no servidor.",
    )
    assert maria.respond(number, "aceitar").status_code == 302
    view = life.check(
        "Encerrado",
        False,
        False,
        False,
        {MARIA: ["encerrado"], JOAO: ["encerrado: solução aceita"]},
        ["abertura", "triagem", "complementacao", "resolucao", "validacao"],
        None,
    )
    assert "Chamado encerrado" in view.text

    expected_history = [
        ("Abertura de Chamado", "Maria Souza", "Aprovar", "—"),
        ("Triagem", "João Lima", "Solicitar informações", question),
        ("Complementação de Informações", "Maria Souza", "Concluída", "Firefox 120."),
        ("Triagem", "João Lima", "Resolver", "—"),
        ("Resolução", "João Lima", "Solucionar", solution),
        ("Validação da Solução", "Maria Souza", "Recusar solução", reason),
        ("Resolução", "João Lima", "Solucionar", "Corrigido no servidor."),
        ("Validação da Solução", "Maria Souza", "Aceitar solução", "—"),
    ]
    assert view.history == expected_history
    # The team reads the same history.
    assert history_rows(joao.get(f"/chamados/{number}/status")) == expected_history
    assert listing_rows(maria.get(f"/chamados/{number}/listagem")) == [
        ("Abertura de Chamado", "Maria Souza", "1", "Concluída"),
        ("Triagem", "João Lima", "2", "Concluída"),
        ("Complementação de Informações", "Maria Souza", "1", "Concluída"),
        ("Resolução", "João Lima", "2", "Concluída"),
        ("Validação da Solução", "Maria Souza", "2", "Concluída"),
    ]
    # Nobody has anything left to do on it; the team still reads it.
    closed = joao.get(f"/atendimento/{number}")
    assert closed.status_code == 200 and "Chamado encerrado em" in page_text(closed)
    assert not page(closed).xpath(f'//form[@action="/atendimento/{number}/acao"]')
    assert maria.get(f"/chamados/{number}").status_code == 200


def test_escalation_return_and_refusal_after_a_level_two_solution(portal):
    life = Life(portal, "Sistema fora do ar", "defeito-com-paralisacao")
    number, maria, joao, rita = life.number, life.maria, life.joao, life.rita
    life.mailbox.new()
    done = ["abertura", "triagem"]

    assert joao.act(number, "escalar", "Precisa do Nível 2.").status_code == 302
    life.check(
        "Resolução Nível 2",
        False,
        False,
        True,
        {
            RITA: [f"nova tarefa na fila do {N2}"],
            MARIA: ["passou para a etapa “Resolução Nível 2”"],
        },
        done,
        "resolucao_n2",
    )
    # Nível 1 reads it but no longer acts; Nível 2 returns it to Nível 1 with an explanation.
    assert not_theirs(joao, number)
    assert rita.act(number, "devolver", "Teste no Nível 1 primeiro.").status_code == 302
    done.append("resolucao_n2")
    life.check(
        "Resolução",
        False,
        True,
        False,
        {JOAO: [f"nova tarefa na fila do {N1}"], MARIA: ["passou para a etapa “Resolução”"]},
        done,
        "resolucao",
    )
    assert not_theirs(rita, number)
    assert joao.act(number, "escalar", "Testado; volta ao Nível 2.").status_code == 302
    done.append("resolucao")
    life.check(
        "Resolução Nível 2",
        False,
        False,
        True,
        {
            RITA: [f"nova tarefa na fila do {N2}"],
            MARIA: ["passou para a etapa “Resolução Nível 2”"],
        },
        done,
        "resolucao_n2",
    )
    assert rita.act(number, "solucionar", "Serviço reiniciado.").status_code == 302
    life.check(
        "Validação da Solução",
        True,
        False,
        False,
        {MARIA: ["solução proposta: valide"]},
        done,
        "validacao",
        comment="Serviço reiniciado.",
    )
    # The refusal reopens the step that produced the solution: Nível 2.
    assert maria.respond(number, "recusar", "Caiu de novo às 10h.").status_code == 302
    done.append("validacao")
    life.check(
        "Resolução Nível 2",
        False,
        False,
        True,
        {RITA: ["solução recusada pelo solicitante"]},
        done,
        "resolucao_n2",
    )
    # Nível 2 asks for information: the answer comes back to Nível 2, not to the triage.
    assert rita.act(number, "informacao", "Que mensagem aparece?").status_code == 302
    life.check(
        "Complementação de Informações",
        True,
        False,
        False,
        {MARIA: ["o suporte precisa de informações"]},
        done,
        "complementacao",
        comment="Que mensagem aparece?",
    )
    assert maria.respond(number, "responder", "Erro 502.").status_code == 302
    done.append("complementacao")
    life.check(
        "Resolução Nível 2",
        False,
        False,
        True,
        {RITA: ["o solicitante respondeu"]},
        done,
        "resolucao_n2",
    )
    assert rita.act(number, "solucionar", "Balanceador corrigido.").status_code == 302
    life.mailbox.new()
    assert maria.respond(number, "aceitar").status_code == 302
    life.check(
        "Encerrado",
        False,
        False,
        False,
        {
            MARIA: ["encerrado"],
            JOAO: ["encerrado: solução aceita"],
            RITA: ["encerrado: solução aceita"],
        },
        done,
        None,
    )
    outcomes = [(row[0], row[1], row[2]) for row in requester_view(maria, number).history]
    assert outcomes == [
        ("Abertura de Chamado", "Maria Souza", "Aprovar"),
        ("Triagem", "João Lima", "Escalar ao Nível 2"),
        ("Resolução Nível 2", "Rita Alves", "Devolver ao Nível 1"),
        ("Resolução", "João Lima", "Escalar ao Nível 2"),
        ("Resolução Nível 2", "Rita Alves", "Solucionar"),
        ("Validação da Solução", "Maria Souza", "Recusar solução"),
        ("Resolução Nível 2", "Rita Alves", "Solicitar informações"),
        ("Complementação de Informações", "Maria Souza", "Concluída"),
        ("Resolução Nível 2", "Rita Alves", "Solucionar"),
        ("Validação da Solução", "Maria Souza", "Aceitar solução"),
    ]
    listing = {row[0]: row[1:] for row in listing_rows(maria.get(f"/chamados/{number}/listagem"))}
    assert listing["Resolução Nível 2"] == ("Rita Alves", "4", "Concluída")
    assert listing["Resolução"] == ("João Lima", "1", "Concluída")
