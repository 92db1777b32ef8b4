"""A portal with tickets in every state a helpdesk day leaves them, made through the services.

`world(app)` returns the números by what they show:

* ``aguardando`` — Maria's, the team asked for information (clock stopped), category changed;
* ``validacao`` — Maria's, with a PNG and a PDF, a solution proposed;
* ``encerrado`` — Maria's, accepted with a rating and a comment;
* ``nivel2`` — Carlos's (MGI), escalated, reassigned to Rita, with notes and a comment;
* ``triagem`` — Maria's, just sent;
* ``rascunho`` — Maria's draft with a subject; ``descartado`` — a discarded draft.
"""

from __future__ import annotations

import io
from datetime import timedelta

from apoio_chamados import CARLOS, JOAO, MARIA, pdf_bytes, png_bytes, user

from demo.extensions import db
from demo.services import clock, conversation, tasks, tickets, triage

RITA = "rita.alves@suporte.gov.br"
ANA = "ana.costa@suporte.gov.br"


def _sent(email: str, category: str, subject: str, description: str, files=()) -> str:
    requester = user(email)
    ticket = tickets.open_draft(requester)
    tickets.save_draft(ticket, tickets.DraftInput(category, subject, description))
    if files:
        tickets.add_attachments(ticket, requester, [(io.BytesIO(data), n) for data, n in files])
    tickets.approve(ticket, requester)
    return ticket.number


def _act(number: str, email: str, decision: str, comment: str = "", **extra) -> None:
    person = user(email)
    ticket = tickets.get_visible(person, number)
    tasks.act(ticket, person, decision, comment, ticket.version, **extra)


def _at(app, minutes: int) -> None:
    start = clock.parse_utc("2026-11-29T12:00:00Z")
    app.config["FROZEN_TIME"] = (start + timedelta(minutes=minutes)).isoformat()


def world(app) -> dict[str, str]:
    """Tickets in every state (see the module's text); the clock ends at FROZEN + 3 h."""
    found = {}
    with app.app_context():
        _at(app, 0)
        found["aguardando"] = _sent(
            MARIA,
            "consulta-tecnica",
            "Relatório de atendimentos não exporta",
            "Ao clicar em Exportar, o relatório vem vazio.",
        )
        found["validacao"] = _sent(
            MARIA,
            "defeito-sem-paralisacao",
            "Tela em branco ao assinar",
            "A tela fica em branco depois de escolher o certificado.",
            files=[(png_bytes(), "tela-do-erro.png"), (pdf_bytes(), "passo-a-passo.pdf")],
        )
        found["encerrado"] = _sent(
            MARIA, "consulta-tecnica", "Dúvida sobre o token", "Como renovo o certificado?"
        )
        found["nivel2"] = _sent(
            CARLOS,
            "defeito-com-paralisacao",
            "Sistema fora do ar no órgão",
            "Ninguém consegue entrar desde as 8h.",
        )
        found["triagem"] = _sent(
            MARIA, "defeito-sem-paralisacao", "Erro ao anexar PDF", "O envio para em 90%."
        )
        _at(app, 20)
        joao = user(JOAO)
        ticket = tickets.get_visible(joao, found["aguardando"])
        triage.change_category(
            ticket, joao, "defeito-sem-paralisacao", "É um defeito, não uma dúvida.", ticket.version
        )
        _act(found["aguardando"], JOAO, "informacao", "Qual navegador você usa?")
        _act(found["validacao"], JOAO, "resolver")
        _act(found["validacao"], JOAO, "solucionar", "Atualize o componente de assinatura.")
        _act(found["encerrado"], JOAO, "resolver")
        _act(found["encerrado"], JOAO, "solucionar", "Siga o manual do token, seção 3.")
        _act(found["nivel2"], JOAO, "escalar", "Precisa de acesso ao servidor.")
        _at(app, 40)
        _act(found["encerrado"], MARIA, "aceitar", "Resolveu, obrigada.", rating=4)
        ana = user(ANA)
        ticket = tickets.get_visible(ana, found["nivel2"])
        triage.reassign(
            ticket, ana, "Suporte Nível 2", RITA, "Rita conhece o servidor.", ticket.version
        )
        tasks.add_note(ticket, user(RITA), "Servidor com disco cheio.")
        conversation.add_comment(
            tickets.get_visible(user(CARLOS), found["nivel2"]),
            user(CARLOS),
            "Agora nem a página inicial abre.",
        )
        maria = user(MARIA)
        draft = tickets.open_draft(maria)
        tickets.save_draft(draft, tickets.DraftInput(None, "Rascunho pela metade", ""))
        found["rascunho"] = draft.number
        gone = tickets.open_draft(maria)
        tickets.save_draft(gone, tickets.DraftInput(None, "Deixa pra lá", ""))
        tickets.discard_draft(gone, maria)
        found["descartado"] = gone.number
        _at(app, 180)
        db.session.remove()
    return found
