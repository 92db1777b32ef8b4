"""Contextual help: each portal screen the manual documents, and its section of the manual.

The one place that maps screens (endpoints) to the manual. tests/test_ajuda.py fails when a
screen the manual's steps visit has no entry here, or an entry points to no section.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request, url_for

#: endpoint → page of the manual (and its section's anchor).
HELP: dict[str, str] = {
    "contas.entrar": "abertura-de-chamados.html",
    "contas.trocar_senha": "primeiro-acesso.html",
    "mapa_contas.entrar": "dois-sites.html",
    "mapa_contas.trocar_senha": "primeiro-acesso.html#trocar-a-senha-a-qualquer-momento",
    "mapa.minha_area": "dois-sites.html",
    "suporte.inicio": "abertura-de-chamados.html",
    "processos.abrir": "abertura-de-chamados.html",
    "chamados.formulario": "abertura-de-chamados.html",
    "chamados.enviado": "abertura-de-chamados.html",
    "minha_area.selecionados": "abertura-de-chamados.html",
    "minha_area.inicio": "acompanhamento.html",
    "chamados.chamado": "acompanhamento.html",
    "chamados.status": "acompanhamento.html",
    "chamados.acessar": "acompanhamento.html",
    "chamados.listagem": "acompanhamento.html",
    "chamados.fluxo": "acompanhamento.html",
    "atendimento.fila": "atendimento.html",
    "atendimento.tarefa": "atendimento.html",
    "atendimento.painel": "atendimento.html#o-painel-do-gestor",
    "atendimento.chamados": "atendimento.html#chamados-todos-com-filtros-e-busca",
    "chamados.descartar": "acompanhamento.html#rascunhos-o-mesmo-codigo-ou-descartado",
    "turmas.lista": "roteiro-do-instrutor.html#criar-a-turma",
    "turmas.turma": "roteiro-do-instrutor.html#criar-a-turma",
    "turmas.ficha": "roteiro-do-instrutor.html#a-ficha-da-turma",
    "turmas.progresso": "roteiro-do-instrutor.html#acompanhar-a-turma",
    "minha_area.tokens": "api.html#autenticacao",
    "api_docs.referencia": "api.html",
    "caixa.lista": "operacao.html#servir-uma-sala-de-aula",
}


def link_for(endpoint: str | None) -> str | None:
    """The manual's address for a screen, or None when the manual does not document it."""
    target = HELP.get(endpoint or "")
    if target is None:
        return None
    page, _, anchor = target.partition("#")
    address = url_for("manual.pagina", filename=page)
    return f"{address}#{anchor}" if anchor else address


def init_app(app: Flask) -> None:
    @app.context_processor
    def _help() -> dict:
        return {"help_link": link_for(request.endpoint) if has_request_context() else None}
