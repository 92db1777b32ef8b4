"""Classes (turmas): each its own sandbox, reset without losing the accounts, bad input refused."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from apoio_atendimento import JOAO, Person, page, text_of
from apoio_chamados import FROZEN, MARIA
from apoio_concorrencia import count
from apoio_portal import Browser, Outbox, csrf_token
from apoio_turmas import TRAINER, TRAINER_PASSWORD, Trainee, make_class
from sqlalchemy import select

from demo.extensions import db
from demo.models import (
    ClassMember,
    Classroom,
    Organization,
    OutgoingEmail,
    Ticket,
    User,
)
from demo.services import classrooms


@pytest.fixture
def portal(app):
    app.config["FROZEN_TIME"] = FROZEN
    return app


def class_tickets(app, name: str) -> list[Ticket]:
    with app.app_context():
        org = db.session.scalar(select(Organization).where(Organization.acronym == name.upper()))
        found = list(db.session.scalars(select(Ticket).where(Ticket.organization_id == org.id)))
        db.session.remove()
        return found


def test_two_classes_never_see_each_other_and_the_real_team_sees_neither(portal):
    sheet_a = make_class(portal, "turma-a")
    sheet_b = make_class(portal, "turma-b")
    ana = Trainee(portal, *sheet_a[0])
    bruno = Trainee(portal, *sheet_b[0])
    number = ana.open_ticket("Tela em branco na turma A")

    assert ana.get(f"/chamados/{number}/status").status_code == 200
    for path in (
        f"/chamados/{number}",
        f"/chamados/{number}/status",
        f"/chamados/{number}/acessar",
    ):
        assert bruno.get(path).status_code == 404, path
    search = bruno.get(f"/minha-area/selecionados?numero={number}")
    assert f'href="/chamados/{number}' not in search.text
    # Nor the real support team: its queue and the ticket's pages.
    joao = Person(portal, JOAO)
    assert number not in joao.queue_numbers()
    assert joao.get(f"/chamados/{number}/status").status_code == 404
    # The class's own demo tickets are there for the class, not for the other.
    own = {t.number for t in class_tickets(portal, "turma-a")}
    assert len(own) == 6
    maria = Person(portal, MARIA)
    for other in own:
        assert bruno.get(f"/chamados/{other}/status").status_code == 404
        assert maria.get(f"/chamados/{other}/status").status_code == 404
    # The trainer opens any trainee's ticket of the class.
    trainer = Person(portal, TRAINER)
    assert trainer.get(f"/chamados/{number}/status").status_code == 200
    real = maria.open_ticket("Um chamado de verdade")
    assert trainer.get(f"/chamados/{real}/status").status_code == 404
    assert bruno.get(f"/chamados/{real}/status").status_code == 404


def test_a_class_plays_the_agents_side_in_its_own_groups(portal):
    sheet = make_class(portal, "turma-a", 3)
    with portal.app_context():
        classrooms.set_role("turma-a", sheet[1][0], "atendente:Suporte Nível 1")
        classrooms.set_role("turma-a", sheet[2][0], "gestor")
        db.session.remove()
    requester = Trainee(portal, *sheet[0])
    agent = Trainee(portal, *sheet[1])
    manager = Trainee(portal, *sheet[2])
    number = requester.open_ticket("Pedido da turma")
    real = Person(portal, MARIA).open_ticket("Um chamado de verdade")
    make_class(portal, "turma-b")
    others = {t.number for t in class_tickets(portal, "turma-b")} | {real}

    queue = agent.queue()
    numbers = [row.number for row in queue]
    assert number in numbers
    assert not set(numbers) & others
    assert real in Person(portal, JOAO).queue_numbers()
    assert not set(Person(portal, JOAO).queue_numbers()) & set(numbers)
    for other in others:
        assert agent.get(f"/chamados/{other}/status").status_code == 404
        assert manager.get(f"/chamados/{other}/status").status_code == 404
    # The demo tickets show the yellow and red rows at once.
    states = {row.state for row in queue}
    assert {"perto", "vencido"} <= states, states
    # The agent's move notifies the class's requester, in the class's e-mails.
    assert agent.act(number, "informacao", "Qual navegador?").status_code == 302
    assert requester.get(f"/chamados/{number}/status").status_code == 200
    # A trainee playing gestor never reads the outbox (it holds every class's credentials)
    # nor the trainer's screens.
    for who in (requester, agent, manager):
        assert who.get("/caixa-de-saida/").status_code == 404
        assert who.get("/turmas/").status_code == 404
        assert who.get("/turmas/turma-a/ficha").status_code == 404
    assert manager.get("/atendimento/painel").status_code == 200


def test_the_demo_tickets_are_in_every_state(portal):
    make_class(portal, "turma-a")
    with portal.app_context():
        org = db.session.scalar(select(Organization).where(Organization.acronym == "TURMA-A"))
        found = list(db.session.scalars(select(Ticket).where(Ticket.organization_id == org.id)))
        from demo.services import tickets

        states = sorted(tickets.deadline(t).state.value for t in found)
        steps = sorted(t.current_step or "encerrado" for t in found)
        db.session.remove()
    # The one waiting on its requester is paused (its category stops the clock then).
    assert states == ["encerrado", "no-prazo", "parado", "perto", "vencido"], states
    assert steps.count("triagem") == 3 and "complementacao" in steps and "encerrado" in steps


def test_reset_clears_one_class_and_keeps_its_accounts(portal):
    sheet_a = make_class(portal, "turma-a")
    sheet_b = make_class(portal, "turma-b")
    ana = Trainee(portal, *sheet_a[0])
    bruno = Trainee(portal, *sheet_b[0])
    maria = Person(portal, MARIA)
    real = maria.open_ticket("Um chamado de verdade")
    from apoio_chamados import png_bytes, upload

    number = ana.open_ticket("Com anexo", files=[upload(png_bytes(), "tela.png")])
    other = bruno.open_ticket("Da turma B")
    Outbox(portal).deliver()
    folder = Path(portal.config["MAIL_OUTBOX"])
    uploads = Path(portal.config["UPLOAD_FOLDER"])
    files_before = {p.name for p in uploads.rglob("*") if p.is_file()}
    assert files_before
    with portal.app_context():
        org_a = db.session.scalar(
            select(Classroom.organization_id).where(Classroom.name == "turma-a")
        )
        db.session.remove()
    with portal.app_context():
        emails_a = set(
            db.session.scalars(
                select(OutgoingEmail.id).where(OutgoingEmail.organization_id == org_a)
            )
        )
        db.session.remove()
    assert emails_a
    files_a = {p for p in folder.glob("*.eml") if int(p.stem.rpartition("-e")[2]) in emails_a}
    assert files_a

    with portal.app_context():
        _classroom, lines = classrooms.reset("turma-a")
        new_sheet = [(line.user, line.password) for line in lines]
        db.session.remove()

    # Class A: tickets, attachments, e-mails gone; the same accounts, back at first access.
    assert number not in {t.number for t in class_tickets(portal, "turma-a")}
    assert len(class_tickets(portal, "turma-a")) == 5  # new demo tickets
    assert not {p.name for p in uploads.rglob("*") if p.is_file()}
    assert count(portal, OutgoingEmail, OutgoingEmail.id.in_(emails_a)) == 0
    assert not any(p.exists() for p in files_a)
    assert count(portal, OutgoingEmail, OutgoingEmail.organization_id != org_a) > 0
    assert [user for user, _ in new_sheet] == [user for user, _ in sheet_a]
    assert ana.get("/").status_code == 302  # the session ended
    assert (
        Browser(portal.test_client()).login(ana.email, "uma frase longa da turma").status_code
        == 200
    )
    again = Browser(portal.test_client())
    assert again.login(*new_sheet[0]).status_code == 302
    assert again.client.get("/").headers["Location"].endswith("/trocar-senha")
    # Class B and the real data keep working.
    assert bruno.get(f"/chamados/{other}/status").status_code == 200
    assert maria.get(f"/chamados/{real}/status").status_code == 200


def test_a_class_ends_on_its_last_day(portal):
    from datetime import timedelta

    from demo.services import clock

    with portal.app_context():
        end = clock.now() + timedelta(days=1)
        _created, lines = classrooms.create("turma-a", 1, ends_at=end)
        db.session.remove()
    trainee = Trainee(portal, lines[0].user, lines[0].password)
    assert trainee.get("/").status_code == 200
    portal.config["FROZEN_TIME"] = (clock.parse_utc(FROZEN) + timedelta(days=2)).isoformat()
    assert trainee.get("/").status_code == 302
    refused = Browser(portal.test_client()).login(lines[0].user, "uma frase longa da turma")
    assert refused.status_code == 200 and "terminou em" in refused.text


def test_sheet_passwords_are_kept_only_until_the_first_access(portal):
    sheet = make_class(portal, "turma-a")
    Trainee(portal, *sheet[0])
    with portal.app_context():
        kept = dict(
            db.session.execute(
                select(User.email, ClassMember.sheet_password).join(
                    ClassMember, ClassMember.user_id == User.id
                )
            ).all()
        )
        db.session.remove()
    assert kept[sheet[0][0]] is None and kept[sheet[1][0]] == sheet[1][1]
    # Generated accounts have no mailbox: no credentials e-mail was written for them.
    assert count(portal, OutgoingEmail, OutgoingEmail.recipient == sheet[1][0]) == 0


# --- the CLI and its refusals -------------------------------------------------------------


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["turma", *args])


def state(app) -> tuple[int, int, int]:
    return (count(app, Organization), count(app, User), count(app, Ticket))


def test_the_cli_creates_lists_resets_and_removes(portal, tmp_path):
    sheet = tmp_path / "ficha.csv"
    created = invoke(portal, "criar", "turma-a", "--alunos", "15", "--csv", str(sheet))
    assert created.exit_code == 0, created.output
    lines = sheet.read_text("utf-8").splitlines()
    assert lines[0] == "usuario,senha" and len(lines) == 16
    listed = invoke(portal, "listar")
    assert "turma-a: 15 aluno(s), 5 chamado(s)" in listed.output
    reset = invoke(portal, "reiniciar", "turma-a", "--csv", str(tmp_path / "nova.csv"))
    assert reset.exit_code == 0, reset.output
    new = (tmp_path / "nova.csv").read_text("utf-8").splitlines()
    assert [line.split(",")[0] for line in new] == [line.split(",")[0] for line in lines]
    assert new[1:] != lines[1:]
    removed = invoke(portal, "remover", "turma-a")
    assert removed.exit_code == 0, removed.output
    assert invoke(portal, "listar").output.strip() == "Nenhuma turma."


@pytest.mark.parametrize(
    ("args", "csv", "message"),
    [
        (["criar", "turma-a", "--alunos", "0"], None, "pelo menos 1 aluno"),
        (["criar", "turma-a", "--alunos", "10000"], None, "no máximo 60 alunos"),
        (["criar", "Turma A!", "--alunos", "2"], None, "Nome de turma inválido"),
        (["criar", "mapa", "--alunos", "2"], None, "sigla MAPA"),
        (["criar", "turma-a"], None, "Informe --alunos"),
        (
            ["criar", "turma-a", "--importar", "@"],
            "nome,email\nAna,ana@exemplo\n",
            "e-mail inválido",
        ),
        (
            ["criar", "turma-a", "--importar", "@"],
            "nome,email\nAna,ana@agro.gov.br\nAna B,ANA@agro.gov.br\n",
            "já aparece na linha 2",
        ),
        (
            ["criar", "turma-a", "--importar", "@"],
            "nome;telefone\nAna;1\n",
            "Falta a coluna “email”",
        ),
        (
            ["criar", "turma-a", "--importar", "@"],
            "nome,email\nJosé,jose@agro.gov.br\n".encode("latin-1"),
            "UTF-8",
        ),
        (
            ["criar", "turma-a", "--importar", "@"],
            f"nome,email\nMaria,{MARIA}\n",
            "Já existe conta para: maria.souza@agro.gov.br",
        ),
        (
            ["criar", "turma-a", "--alunos", "2", "--termino", "31/02/2030"],
            None,
            "Data de término inválida",
        ),
        (
            ["criar", "turma-a", "--alunos", "2", "--csv", "/nao/existe/ficha.csv"],
            None,
            "não existe",
        ),
        (["reiniciar", "turma-x"], None, "Não existe turma chamada “turma-x”"),
        (["remover", "turma-x"], None, "Não existe turma"),
        (["papel", "turma-x", "a@b.gov.br", "gestor"], None, "Não existe turma"),
    ],
)
def test_the_cli_refuses_bad_input_and_touches_nothing(portal, tmp_path, args, csv, message):
    if csv is not None:
        path = tmp_path / "pessoas.csv"
        path.write_bytes(csv if isinstance(csv, bytes) else csv.encode("utf-8"))
        args = [str(path) if a == "@" else a for a in args]
    before = state(portal)
    result = invoke(portal, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert state(portal) == before


def test_an_existing_class_name_is_refused(portal):
    assert invoke(portal, "criar", "turma-a", "--alunos", "2").exit_code == 0
    before = state(portal)
    again = invoke(portal, "criar", "turma-a", "--alunos", "3")
    assert again.exit_code == 1 and "Já existe uma turma chamada “turma-a”" in again.output
    assert state(portal) == before


def test_a_csv_of_people_gets_their_credentials_by_e_mail(portal, tmp_path):
    people = tmp_path / "pessoas.csv"
    people.write_text(
        "Nome;E-mail\nJoana Dias;joana.dias@agro.gov.br\nLuís Reis;luis.reis@agro.gov.br\n",
        "utf-8-sig",
    )
    result = invoke(portal, "criar", "turma-a", "--importar", str(people))
    assert result.exit_code == 0, result.output
    password = Outbox(portal).temporary_password("joana.dias@agro.gov.br")
    trainee = Trainee(portal, "joana.dias@agro.gov.br", password)
    assert trainee.get("/").status_code == 200


# --- the Turmas screen ------------------------------------------------------------------------


def trainer_browser(app) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(TRAINER, TRAINER_PASSWORD).status_code == 302
    return browser


def test_the_trainer_creates_a_class_on_the_screen_and_prints_its_sheet(portal):
    browser = trainer_browser(portal)
    home = browser.client.get("/")
    assert 'href="/turmas/"' in home.text
    created = browser.post_form("/turmas/", {"nome": "turma-a", "alunos": "3"})
    assert created.status_code == 302 and created.headers["Location"].endswith("/turmas/turma-a")
    sheet = browser.client.get("/turmas/turma-a/ficha")
    cards = page(sheet).xpath("//li[contains(@class, 'portal-ficha')]")
    assert len(cards) == 3
    assert portal.config["SUPPORT_SITE_URL"] in text_of(cards[0])
    csv = browser.client.get("/turmas/turma-a/ficha.csv")
    assert csv.mimetype == "text/csv" and csv.text.startswith("usuario,senha\n")
    detail = browser.client.get("/turmas/turma-a")
    assert detail.status_code == 200 and "Chamados da turma" in detail.text


def test_the_screen_keeps_what_was_typed_and_says_what_is_wrong(portal):
    browser = trainer_browser(portal)
    refused = browser.post_form(
        "/turmas/", {"nome": "turma-a", "alunos": "10000", "termino": "01/12/2030"}
    )
    assert refused.status_code == 400
    assert "no máximo 60 alunos" in refused.text
    assert 'value="turma-a"' in refused.text and 'value="01/12/2030"' in refused.text
    bad_csv = browser.post_form(
        "/turmas/",
        {"nome": "turma-b", "pessoas": (io.BytesIO(b"nome,email\nAna,ana@@x\n"), "p.csv")},
        form_path="/turmas/",
        content_type="multipart/form-data",
    )
    assert bad_csv.status_code == 400 and "Linha 2: e-mail inválido" in bad_csv.text
    assert count(portal, Classroom) == 0


def test_reset_and_remove_on_the_screen_need_the_name_typed(portal):
    make_class(portal, "turma-a")
    browser = trainer_browser(portal)
    detail = browser.client.get("/turmas/turma-a")
    token = csrf_token(detail)
    wrong = browser.client.post(
        "/turmas/turma-a/remover", data={"csrf_token": token, "confirmacao": "outra"}
    )
    assert wrong.status_code == 302 and count(portal, Classroom) == 1
    browser.client.post(
        "/turmas/turma-a/reiniciar", data={"csrf_token": token, "confirmacao": "turma-a"}
    )
    assert count(portal, Classroom, Classroom.reset_at.is_not(None)) == 1
    browser.client.post(
        "/turmas/turma-a/remover", data={"csrf_token": token, "confirmacao": "turma-a"}
    )
    assert count(portal, Classroom) == 0
    assert count(portal, Ticket) == 0  # the class's tickets went with it
    assert browser.client.get("/turmas/turma-a").status_code == 404


def test_the_trainer_sets_a_trainee_role_on_the_screen(portal):
    sheet = make_class(portal, "turma-a")
    browser = trainer_browser(portal)
    response = browser.post_form(
        "/turmas/turma-a/papel",
        {"usuario": sheet[0][0], "papel": "atendente:Suporte Nível 2"},
        form_path="/turmas/turma-a",
    )
    assert response.status_code == 302
    agent = Trainee(portal, *sheet[0])
    assert agent.get("/atendimento/").status_code == 200
    assert "Suporte Nível 2" in agent.get("/atendimento/").text


# --- the tour's progress ------------------------------------------------------------------------


def report(trainee, token, **body):
    return trainee.client.post("/praticar/progresso", json=body, headers={"X-CSRFToken": token})


def test_the_trainer_sees_how_far_each_trainee_got(portal):
    from datetime import timedelta

    from demo.services import clock

    sheet = make_class(portal, "turma-a")
    trainee = Trainee(portal, *sheet[0])
    token = csrf_token(trainee.get("/"))
    assert (
        report(trainee, token, capitulo="abertura-de-chamados", passo=0, total=14).status_code
        == 204
    )
    assert (
        report(trainee, token, capitulo="abertura-de-chamados", passo=3, total=14).status_code
        == 204
    )
    portal.config["FROZEN_TIME"] = (clock.parse_utc(FROZEN) + timedelta(minutes=7)).isoformat()
    browser = trainer_browser(portal)
    data = browser.client.get("/turmas/turma-a/progresso.json").get_json()
    [first] = [a for a in data["alunos"] if a["usuario"] == sheet[0][0]]
    cell = first["capitulos"]["abertura-de-chamados"]
    assert cell["feitos"] == 3 and cell["passo"] == 3 and not cell["concluido"]
    assert cell["texto"] == "3 de 14 feitos · no passo 4 · parado há 7 min"
    assert (
        report(trainee, token, capitulo="abertura-de-chamados", passo=14, total=14).status_code
        == 204
    )
    page_html = browser.client.get("/turmas/turma-a/progresso").text
    assert "Concluído (14 de 14)" in page_html
    # Only the trainer reads it.
    assert trainee.get("/turmas/turma-a/progresso.json").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"capitulo": "../etc", "passo": 0, "total": 3},
        {"capitulo": "abertura", "passo": 5, "total": 3},
        {"capitulo": "abertura", "passo": -1, "total": 3},
        {"capitulo": "abertura", "passo": 0, "total": 100000},
        {"capitulo": "abertura", "passo": "1", "total": 3},
        ["não é um objeto"],
    ],
)
def test_a_bad_progress_report_is_refused_in_portuguese(portal, body):
    sheet = make_class(portal, "turma-a", 1)
    trainee = Trainee(portal, *sheet[0])
    token = csrf_token(trainee.get("/"))
    response = trainee.client.post("/praticar/progresso", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.get_json()["erro"]


def test_a_progress_report_needs_the_login_and_its_csrf_token(portal):
    sheet = make_class(portal, "turma-a", 1)
    body = {"capitulo": "abertura-de-chamados", "passo": 0, "total": 3}
    anonymous = portal.test_client().post("/praticar/progresso", json=body)
    assert anonymous.status_code in (302, 400)
    trainee = Trainee(portal, *sheet[0])
    assert trainee.client.post("/praticar/progresso", json=body).status_code == 400
    from demo.models import TourProgress

    assert count(portal, TourProgress) == 0


def test_faq_the_category_cannot_change_after_approval_and_the_number_is_in_the_receipt(portal):
    """The trainer's FAQ says so; the portal does so."""
    sheet = make_class(portal, "turma-a", 1)
    trainee = Trainee(portal, *sheet[0])
    number = trainee.open_ticket("Pergunta da turma")
    form = trainee.get(f"/chamados/{number}/formulario")
    assert form.status_code == 302 and form.headers["Location"].endswith(f"/chamados/{number}")
    assert number in trainee.get("/minha-area/").text
    receipts = [m for m in Outbox(portal).messages() if m["To"] == sheet[0][0]]
    assert any(number in m["Subject"] for m in receipts)


def test_faq_a_resent_password_goes_on_the_sheet(portal):
    sheet = make_class(portal, "turma-a", 1)
    Trainee(portal, *sheet[0])
    assert invoke_root(portal, "reenviar-senha", sheet[0][0]).exit_code == 0
    with portal.app_context():
        line = classrooms.sheet(classrooms.get("turma-a"))[0]
        db.session.remove()
    assert line.password and line.password != sheet[0][1]
    again = Browser(portal.test_client())
    assert again.login(line.user, line.password).status_code == 302


def invoke_root(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_tour_reports_from_the_mapa_site_too(portal):
    """Each site has its own session: the mapa site's pages report to their own address."""
    sheet = make_class(portal, "turma-a", 1)
    trainee = Trainee(portal, *sheet[0])
    mapa = Browser(trainee.client, "/mapa")
    assert mapa.login(trainee.email, "uma frase longa da turma").status_code == 302
    page_html = trainee.client.get("/mapa/").text
    assert 'data-progresso="/mapa/praticar/progresso"' in page_html
    token = re.search(r'name="csrf-token" content="([^"]+)"', page_html).group(1)
    answer = trainee.client.post(
        "/mapa/praticar/progresso",
        json={"capitulo": "dois-sites", "passo": 1, "total": 2},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 204
    from demo.models import TourProgress

    assert count(portal, TourProgress, TourProgress.chapter == "dois-sites") == 1


def _search(app, email: str, words: str) -> list[str]:
    from demo.services import ticket_list

    with app.app_context():
        try:
            person = db.session.scalar(select(User).where(User.email == email))
            found = ticket_list.page(person, ticket_list.parse({"busca": words}))
            return [row.summary.ticket.number for row in found.page.items]
        finally:
            db.session.remove()


def test_after_a_reset_the_search_forgets_the_deleted_tickets(portal):
    """A reset deletes the class's tickets in bulk; their words must leave the search too
    (SQLite's FTS5 rows would otherwise match the new demo tickets given the same ids)."""
    sheet = make_class(portal, "turma-a", 2)
    with portal.app_context():
        classrooms.set_role("turma-a", sheet[1][0], "atendente:Suporte Nível 1")
        db.session.remove()
    agent = sheet[1][0]
    number = Trainee(portal, *sheet[0]).open_ticket("Impressora xilofônica")
    assert _search(portal, agent, "xilofonica") == [number]
    with portal.app_context():
        _classroom, lines = classrooms.reset("turma-a")
        again = {line.user: line.password for line in lines}
        db.session.remove()
    # The next ticket may be given the deleted one's id: it must not inherit its words.
    Trainee(portal, sheet[0][0], again[sheet[0][0]]).open_ticket("Outro assunto")
    assert _search(portal, agent, "xilofonica") == []
    assert len(_search(portal, agent, "protocolo")) == 1  # the demo ticket made again


def test_the_chamados_list_and_the_painel_keep_to_the_sandbox(portal):
    sheet = make_class(portal, "turma-a", 3)
    with portal.app_context():
        classrooms.set_role("turma-a", sheet[1][0], "atendente:Suporte Nível 1")
        classrooms.set_role("turma-a", sheet[2][0], "gestor")
        db.session.remove()
    agent, manager = sheet[1][0], sheet[2][0]
    ours = Trainee(portal, *sheet[0]).open_ticket("Scanner quadricromático")
    real = Person(portal, MARIA).open_ticket("Scanner quadricromático de verdade")
    assert _search(portal, agent, "quadricromatico") == [ours]
    assert _search(portal, manager, "quadricromatico") == [ours]
    assert _search(portal, JOAO, "quadricromatico") == [real]
    with portal.app_context():
        from demo.services import dashboard, ticket_list

        person = db.session.scalar(select(User).where(User.email == manager))
        report = dashboard.build(person, "todos")
        # The class's five demo tickets and the trainee's: never the real one.
        assert report.total.received == 6
        # The filters offer the class's órgão and people only; the real team's, the real ones.
        offered = ticket_list.choices(person)
        assert [o.acronym for o in offered.organizations] == ["TURMA-A"]
        assert {agent, manager} <= {u.email for u in offered.team}
        assert {u.organization.acronym for u in offered.team} == {"TURMA-A"}
        real_side = ticket_list.choices(db.session.scalar(select(User).where(User.email == JOAO)))
        assert "TURMA-A" not in {o.acronym for o in real_side.organizations}
        assert not {agent, manager} & {u.email for u in real_side.team}
        db.session.remove()
