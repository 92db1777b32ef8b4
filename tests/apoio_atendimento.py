"""Helpers of the support-team tests: people logged in, tickets moved over HTTP, the outbox."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import lxml.html
from apoio_chamados import (
    AGENT_PASSWORD,
    CARLOS,
    FROZEN,
    JOAO,
    MARIA,
    REQUESTER_PASSWORD,
    open_form,
    send_form,
)
from apoio_portal import Browser, Outbox, csrf_token
from sqlalchemy import func, select

from demo.extensions import db
from demo.models import Note, StepRecord, Ticket
from demo.services import clock, numbering

RITA = "rita.alves@suporte.gov.br"  # atendente, Suporte Nível 2
ANA = "ana.costa@suporte.gov.br"  # gestor
MANAGER_PASSWORD = "gestor-demo"
PASSWORDS = {
    MARIA: REQUESTER_PASSWORD,
    CARLOS: REQUESTER_PASSWORD,
    JOAO: AGENT_PASSWORD,
    RITA: AGENT_PASSWORD,
    ANA: MANAGER_PASSWORD,
}
NAMES = {MARIA: "Maria Souza", JOAO: "João Lima", RITA: "Rita Alves", ANA: "Ana Costa"}
MOVED = "já foi movido"
COMMENT_NEEDED = "Escreva um comentário"
ANSWER_NEEDED = "Escreva a sua resposta ao pedido de informações."
REASON_NEEDED = "Explique o motivo"


def read_only(person, number: str) -> bool:
    """The support team's page of a ticket opens, but offers no decision and no Assumir."""
    response = person.get(f"/atendimento/{number}")
    tree = page(response)
    forms = [f"/atendimento/{number}/{action}" for action in ("acao", "assumir", "liberar")]
    return response.status_code == 200 and not any(
        tree.xpath(f'//form[@action="{action}"]') for action in forms
    )


def at(app, delta: timedelta) -> None:
    """Move the portal's frozen clock to FROZEN + delta."""
    app.config["FROZEN_TIME"] = (clock.parse_utc(FROZEN) + delta).isoformat()


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.data)


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def page_text(response) -> str:
    """The visible text of a page, whitespace collapsed (scripts and styles left out)."""
    tree = page(response)
    for node in tree.xpath("//script|//style"):
        node.drop_tree()
    return text_of(tree)


def messages(response) -> list[str]:
    """Error messages and flashed alerts of a page."""
    tree = page(response)
    found = tree.xpath(
        '//*[contains(@class, "feedback") and contains(@class, "danger")]'
        ' | //*[contains(@class, "br-message")]'
    )
    return [text_of(node) for node in found]


def buttons(response, form_action: str) -> list[tuple[str, str]]:
    """(value, label) of the decision buttons of the form posting to `form_action`."""
    tree = page(response)
    return [
        (button.get("value"), text_of(button))
        for button in tree.xpath(f'//form[@action="{form_action}"]//button[@name="decisao"]')
    ]


def version_in(response, form_action: str) -> str:
    tree = page(response)
    found = tree.xpath(f'//form[@action="{form_action}"]//input[@name="versao"]/@value')
    assert found, f"página sem formulário {form_action}"
    return found[0]


@dataclass
class QueueRow:
    number: str
    subject: str
    step: str
    assignee: str
    deadline: str
    state: str  # the row's highlighting: no-prazo, perto, vencido


class Person:
    """Somebody logged in to the support site in their own test client (own cookies)."""

    def __init__(self, app, email: str):
        self.app = app
        self.email = email
        self.client = app.test_client()
        self.browser = Browser(self.client)
        response = self.browser.login(email, PASSWORDS[email])
        assert response.status_code == 302, f"{email} não entrou ({response.status_code})"

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, data: dict, form_path: str | None = None):
        token = csrf_token(self.client.get(form_path or path))
        return self.client.post(
            path, data={"csrf_token": token, **data}, content_type="multipart/form-data"
        )

    # --- the support team --------------------------------------------------------------

    def queue(self) -> list[QueueRow]:
        response = self.get("/atendimento/")
        assert response.status_code == 200, response.status_code
        rows = []
        for tr in page(response).xpath("//table//tbody/tr"):
            cells = [text_of(td) for td in tr.xpath("td")]
            state = tr.get("class", "").removeprefix("portal-linha-")
            rows.append(QueueRow(cells[0], cells[1], cells[3], cells[4], cells[5], state))
        return rows

    def queue_numbers(self) -> list[str]:
        return [row.number for row in self.queue()]

    def act(self, number: str, decision: str, comment: str = "", files=(), versao=None, **extra):
        """Press a decision button on the task page (comment and files filled in)."""
        task = self.get(f"/atendimento/{number}")
        assert task.status_code == 200, f"{self.email}: tarefa {number} → {task.status_code}"
        action = f"/atendimento/{number}/acao"
        data = {
            "csrf_token": csrf_token(task),
            "versao": versao if versao is not None else version_in(task, action),
            "decisao": decision,
            "comentario": comment,
            **extra,
        }
        if files:
            data["anexos"] = list(files)
        return self.client.post(action, data=data, content_type="multipart/form-data")

    def claim(self, number: str, path: str = "assumir", versao=None):
        task = self.get(f"/atendimento/{number}")
        assert task.status_code == 200, task.status_code
        action = f"/atendimento/{number}/{path}"
        form = page(task).xpath(f'//form[@action="{action}"]')
        token = csrf_token(task)
        if versao is None:
            assert form, f"página sem o botão de {path}"
            versao = form[0].xpath('.//input[@name="versao"]/@value')[0]
        return self.client.post(action, data={"csrf_token": token, "versao": versao})

    def release(self, number: str, versao=None):
        return self.claim(number, "liberar", versao)

    def note(self, number: str, text: str):
        task = self.get(f"/atendimento/{number}")
        token = csrf_token(task) if task.status_code == 200 else self._any_token()
        return self.client.post(
            f"/atendimento/{number}/nota",
            data={"csrf_token": token, "nota": text, "salvar_nota": "1"},
        )

    def _any_token(self) -> str:
        return csrf_token(self.get("/"))

    # --- the requester -----------------------------------------------------------------

    def open_ticket(self, subject: str, category: str = "consulta-tecnica", files=()) -> str:
        """Processos › Abrir › Abertura de Chamado, fill in, Aprovar; return the número."""
        number = open_form(self.browser)
        response = send_form(
            self.browser,
            number,
            "aprovar",
            files=files,
            categoria=category,
            assunto=subject,
            descricao=f"Descrição de “{subject}”.",
        )
        assert response.status_code == 302, (response.status_code, messages(response))
        return number

    def respond(
        self, number: str, decision: str, comment: str = "", files=(), versao=None, **extra
    ):
        """The requester's "Sua ação" on Status: answer, accept (perhaps rating) or refuse."""
        status = self.get(f"/chamados/{number}/status")
        assert status.status_code == 200, status.status_code
        action = f"/chamados/{number}/responder"
        data = {
            "csrf_token": csrf_token(status),
            "versao": versao if versao is not None else version_in(status, action),
            "decisao": decision,
            "comentario": comment,
            **extra,
        }
        if files:
            data["anexos"] = list(files)
        return self.client.post(action, data=data, content_type="multipart/form-data")

    def form_post(self, page_path: str, action: str, data: dict, files=()):
        """Post one of a page's forms: its CSRF token and the version it was built from."""
        response = self.get(page_path)
        assert response.status_code == 200, (page_path, response.status_code)
        fields = {"csrf_token": csrf_token(response), **data}
        found = page(response).xpath(f'//form[@action="{action}"]//input[@name="versao"]/@value')
        if found and "versao" not in data:
            fields["versao"] = found[0]
        if files:
            fields["anexos"] = list(files)
        return self.client.post(action, data=fields, content_type="multipart/form-data")


@dataclass
class RequesterView:
    """What the requester's Status page shows."""

    step: str
    my_action: str | None  # the heading of "Sua ação", None when absent
    choices: list[tuple[str, str]]
    history: list[tuple[str, str, str, str]]  # step, who, outcome, comment
    notes: list[str]  # the conversation's comments and the portal's own notes
    text: str


def requester_view(person: Person, number: str) -> RequesterView:
    response = person.get(f"/chamados/{number}/status")
    assert response.status_code == 200, response.status_code
    tree = page(response)
    facts = tree.xpath('//dl[contains(@class, "portal-facts")]')[0]
    labels = [text_of(dt) for dt in facts.xpath("dt")]
    values = [text_of(dd) for dd in facts.xpath("dd")]
    heading = tree.xpath('//*[@id="titulo-sua-acao"]')
    return RequesterView(
        step=dict(zip(labels, values, strict=True))["Etapa atual"],
        my_action=text_of(heading[0]) if heading else None,
        choices=buttons(response, f"/chamados/{number}/responder"),
        history=history_rows(response),
        notes=[
            text_of(n)
            for n in tree.xpath(
                '//li[contains(@class, "portal-mensagem-portal")'
                ' or contains(@class, "portal-mensagem-comentario")]'
            )
        ],
        text=page_text(response),
    )


def history_rows(response) -> list[tuple[str, str, str, str]]:
    """Status (or the task page): (step, who, outcome, comment) per pass."""
    rows = []
    for tr in page(response).xpath('//table[caption="Histórico do atendimento"]/tbody/tr'):
        cells = [text_of(td) for td in tr.xpath("td")]
        rows.append((cells[0], cells[1], cells[5], cells[6]))
    return rows


def listing_rows(response) -> list[tuple[str, str, str, str]]:
    """Listagem: (step, who, passes, situation) per step."""
    rows = []
    for tr in page(response).xpath('//table[caption="Etapas do atendimento"]/tbody/tr'):
        cells = [text_of(td) for td in tr.xpath("td")]
        rows.append((cells[0], cells[1], cells[4], cells[5]))
    return rows


class Mailbox:
    """The outbox folder, read in steps: each call to `new()` returns what arrived since."""

    def __init__(self, app):
        self.outbox = Outbox(app)
        self.folder = self.outbox.folder
        self.seen: set[str] = set()
        self.new()

    def all(self) -> list[EmailMessage]:
        return self.outbox.messages()

    def new(self) -> list[EmailMessage]:
        self.outbox.deliver()
        paths = sorted(self.folder.glob("*.eml")) if self.folder.is_dir() else []
        fresh = [p for p in paths if p.name not in self.seen]
        self.seen.update(p.name for p in fresh)
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(p.read_bytes()) for p in fresh]

    def new_by_recipient(self, number: str) -> dict[str, list[str]]:
        """{recipient: [subjects]} of the new messages; each must carry the número."""
        return by_recipient(self.new(), number)


def by_recipient(messages: list[EmailMessage], number: str) -> dict[str, list[str]]:
    """{recipient: [subjects]}, checking that every subject and body carries the número."""
    found: dict[str, list[str]] = {}
    for message in messages:
        subject = str(message["Subject"])
        assert number in subject, f"e-mail sem o número {number}: {subject}"
        assert number in body(message), f"corpo sem o número {number}"
        found.setdefault(str(message["To"]), []).append(subject)
    return {to: sorted(subjects) for to, subjects in found.items()}


def body(message: EmailMessage) -> str:
    """Plain text and HTML parts of a message, unescaped."""
    parts = [message.get_body(preferencelist=(kind,)) for kind in ("plain", "html")]
    return "\n".join(html.unescape(p.get_content()) for p in parts if p is not None)


# --- the database, read directly ---------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What a refused action must leave untouched."""

    version: int
    step: str | None
    status: str
    records: tuple
    notes: int
    attachments: int
    mails: int


def snapshot(app, number: str) -> Snapshot:
    with app.app_context():
        ticket = ticket_by_number(number)
        records = tuple(
            (r.step, r.assignee_id, r.finished_at, r.decision, r.comment)
            for r in db.session.scalars(
                select(StepRecord).where(StepRecord.ticket_id == ticket.id).order_by(StepRecord.id)
            )
        )
        notes = db.session.scalar(
            select(func.count()).select_from(Note).where(Note.ticket_id == ticket.id)
        )
        result = Snapshot(
            ticket.version,
            ticket.current_step,
            str(ticket.status),
            records,
            notes,
            len(ticket.attachments),
            len(list(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))),
        )
        db.session.remove()
        return result


def ticket_by_number(number: str) -> Ticket:
    year, sequence = numbering.parse_number(number)
    return db.session.scalar(select(Ticket).where(Ticket.year == year, Ticket.sequence == sequence))


def flow_state(person: Person, number: str) -> tuple[list[str], str | None]:
    response = person.get(f"/chamados/{number}/fluxo.json")
    assert response.status_code == 200, response.status_code
    return response.json["concluidas"], response.json["atual"]


def strip_tags(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
