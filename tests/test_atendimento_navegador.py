"""A ticket's life in a real browser: the requester and two agents, each in their own context."""

from __future__ import annotations

import re

import pytest
from apoio_atendimento import RITA
from apoio_chamados import AGENT_PASSWORD, FROZEN, JOAO, MARIA, REQUESTER_PASSWORD, png_bytes
from apoio_navegador import launched, served
from apoio_portal import Outbox

pytestmark = pytest.mark.browser


@pytest.fixture
def portal(app_factory):
    """The portal (frozen clock) served over HTTP on a free loopback port, in a thread."""
    app = app_factory(FROZEN_TIME=FROZEN)
    with served(app) as base:
        yield app, base


@pytest.fixture
def chromium():
    with launched() as browser:
        yield browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_ticket_from_opening_to_closing_in_the_browser(portal, chromium, tmp_path):
    from playwright.sync_api import expect

    app, base = portal

    def person(email: str, password: str):
        context = chromium.new_context(locale="pt-BR", timezone_id="America/Sao_Paulo")
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(base + "/entrar")
        page.get_by_label("Usuário", exact=True).fill(email)
        page.get_by_label("Senha", exact=True).fill(password)
        page.get_by_role("button", name="Entrar").click()
        expect(page).to_have_url(base + "/")
        return page

    maria = person(MARIA, REQUESTER_PASSWORD)
    joao = person(JOAO, AGENT_PASSWORD)
    rita = person(RITA, AGENT_PASSWORD)

    def fact(page, label: str):
        return page.locator(f'dl.portal-facts dt:text-is("{label}") + dd')

    def fluxo_vivo(page, number: str, current: str | None, done: set[str]) -> None:
        """The diagram drawn by bpmn-js, with the current and finished steps marked."""
        page.goto(f"{base}/chamados/{number}")
        page.get_by_role("link", name="fluxo vivo").click()
        expect(page).to_have_url(f"{base}/chamados/{number}/fluxo")
        expect(page.locator("#diagrama[data-pronto=sim]")).to_be_attached()
        marked = page.locator(".djs-element.etapa-atual")
        if current is None:
            expect(marked).to_have_count(0)
        else:
            expect(marked).to_have_count(1)
            expect(marked).to_have_attribute("data-element-id", current)
        finished = page.locator(".djs-element.etapa-concluida")
        expect(finished).to_have_count(len(done))
        ids = {finished.nth(i).get_attribute("data-element-id") for i in range(len(done))}
        assert ids == done

    def requester_status(number: str, step: str, my_action: bool) -> None:
        maria.goto(f"{base}/chamados/{number}/status")
        expect(fact(maria, "Etapa atual")).to_have_text(step)
        heading = maria.get_by_role("heading", name=f"Sua ação: {step}")
        expect(heading).to_have_count(1 if my_action else 0)

    def queue(page, number: str, step: str | None) -> None:
        page.goto(base + "/")
        page.get_by_role("link", name="Atendimento", exact=True).first.click()
        expect(page.get_by_role("heading", name="Atendimento")).to_be_visible()
        row = page.locator("tbody tr", has=page.get_by_role("link", name=number))
        if step is None:
            expect(row).to_have_count(0)
        else:
            expect(row.locator("td").nth(3)).to_have_text(step)

    def act(page, number: str, step: str, button: str, comment: str = "") -> None:
        queue(page, number, step)
        page.get_by_role("link", name=number, exact=True).click()
        expect(page.get_by_role("heading", name=f"{step} · Chamado {number}")).to_be_visible()
        if comment:
            page.get_by_label("Comentário", exact=True).fill(comment)
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_text(f"Chamado {number}: ação registrada.")).to_be_visible()
        expect(page.locator("tbody tr", has=page.get_by_role("link", name=number))).to_have_count(0)

    # Opening: Processos › Abrir › Abertura de Chamado, the form, Aprovar.
    maria.get_by_role("button", name="Processos").click()
    maria.get_by_role("link", name="Abrir").click()
    maria.get_by_role("button", name="Abertura de Chamado").click()
    number = maria.locator("output.portal-codigo-valor").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{6}", number), number
    maria.locator('label[for="categoria-consulta-tecnica"]').click()
    maria.get_by_label("Assunto", exact=True).fill("Exportação vem vazia")
    maria.get_by_label("Descrição", exact=True).fill("O arquivo exportado não tem linhas.")
    maria.get_by_role("button", name="Aprovar").click()
    expect(maria.get_by_text("Chamado enviado ao suporte técnico.")).to_be_visible()
    expect(maria.locator(".portal-numero-grande")).to_have_text(f"Nº do Processo: {number}")
    requester_status(number, "Triagem", my_action=False)
    fluxo_vivo(maria, number, "triagem", {"abertura"})
    queue(rita, number, None)

    # Triagem returns it for information.
    act(joao, number, "Triagem", "Solicitar informações", "Qual navegador você usa?")
    requester_status(number, "Complementação de Informações", my_action=True)
    expect(maria.locator(".portal-sua-acao blockquote")).to_have_text("Qual navegador você usa?")
    fluxo_vivo(maria, number, "complementacao", {"abertura", "triagem"})

    # The answer, with a screenshot attached.
    screenshot = tmp_path / "tela.png"
    screenshot.write_bytes(png_bytes())
    maria.goto(f"{base}/chamados/{number}")
    expect(maria).to_have_url(f"{base}/chamados/{number}/status")
    maria.get_by_label("Resposta", exact=True).fill("Firefox 120, no Windows.")
    maria.locator("#anexos").set_input_files(screenshot)
    maria.get_by_role("button", name="Enviar resposta").click()
    expect(maria.get_by_text("Resposta enviada: o chamado voltou para “Triagem”.")).to_be_visible()
    expect(fact(maria, "Etapa atual")).to_have_text("Triagem")
    expect(maria.get_by_role("heading", name=re.compile("^Sua ação"))).to_have_count(0)

    # Resolution (the answer and the file are on the task page), then a solution.
    queue(joao, number, "Triagem")
    joao.get_by_role("link", name=number, exact=True).click()
    expect(joao.get_by_role("link", name="Baixar tela.png")).to_be_visible()
    expect(joao.locator("table").get_by_text("Firefox 120, no Windows.")).to_be_visible()
    joao.get_by_role("button", name="Resolver", exact=True).click()
    act(joao, number, "Resolução", "Solucionar", "Limpe o cache do navegador.")

    # The requester refuses: a reason is required; then the ticket goes back to Resolução.
    requester_status(number, "Validação da Solução", my_action=True)
    maria.get_by_role("button", name="Recusar solução").click()
    expect(maria.get_by_role("alert").first).to_contain_text("Explique o motivo")
    expect(fact(maria, "Etapa atual")).to_have_text("Validação da Solução")
    maria.get_by_label("Comentário", exact=True).fill("Continua vazio.")
    maria.get_by_role("button", name="Recusar solução").click()
    expect(fact(maria, "Etapa atual")).to_have_text("Resolução")
    done = {"abertura", "triagem", "complementacao", "resolucao", "validacao"}
    fluxo_vivo(maria, number, "resolucao", done)

    # Resolution again: Nível 1 escalates, Nível 2 solves.
    act(joao, number, "Resolução", "Escalar ao Nível 2", "Precisa de acesso ao servidor.")
    queue(joao, number, None)
    act(rita, number, "Resolução Nível 2", "Solucionar", "Índice do relatório refeito.")

    # Validation closes it.
    requester_status(number, "Validação da Solução", my_action=True)
    expect(maria.locator(".portal-sua-acao blockquote")).to_have_text(
        "Índice do relatório refeito."
    )
    maria.get_by_role("group", name="Avaliação do atendimento").get_by_text(
        "4 – Satisfeito"
    ).click()
    maria.get_by_role("button", name="Aceitar solução").click()
    expect(fact(maria, "Etapa atual")).to_have_text("Encerrado")
    expect(fact(maria, "Avaliação")).to_have_text("4 de 5 (Satisfeito)")
    expect(maria.get_by_role("heading", name=re.compile("^Sua ação"))).to_have_count(0)
    history = maria.locator('table:has(caption:text-is("Histórico do atendimento")) tbody tr')
    expect(history).to_have_count(9)
    expect(history.nth(5)).to_contain_text("Recusar solução")
    expect(history.nth(8)).to_contain_text("Aceitar solução")
    fluxo_vivo(maria, number, None, done | {"resolucao_n2"})
    queue(rita, number, None)

    # The e-mails: every one carries the número; each person got what concerned them.
    sent = Outbox(app).messages()
    assert sent and all(number in message["Subject"] for message in sent)
    subjects = {(m["To"], m["Subject"].split(": ", 1)[-1]) for m in sent}
    assert {
        (MARIA, "o suporte precisa de informações"),
        (JOAO, "o solicitante respondeu"),
        (MARIA, "solução proposta: valide"),
        (JOAO, "solução recusada pelo solicitante"),
        (RITA, "nova tarefa na fila do Suporte Nível 2"),
        (MARIA, "encerrado"),
        (RITA, "encerrado: solução aceita"),
    } <= subjects
