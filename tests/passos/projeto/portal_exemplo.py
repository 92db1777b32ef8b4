"""A tiny portal for the tests of the passos extension (not the real portal).

No page needs a login (the tests are about the steps, not about security). It has what
the manual's steps need: a login form, the menu “Processos” › “Abrir”, the “Abertura de
Chamado” form (“Código”, the “fluxo vivo” icon, “Categoria”, “Descrição”, “Prioridade”,
“Anexos”, “Aprovar”), “Minha Área” › “Selecionados” with the search by “Nº do Processo”,
and a ticket with the tabs “Status”, “Acessar” and “Listagem”.

The tests change it through the environment variable PORTAL_EXEMPLO_MUDANCAS, a
comma-separated list of: ``aprovar-renomeado`` (the button says “Enviar”),
``sem-abrir`` (no “Abrir” in the menu),
``campo-movido`` (“Categoria” comes after “Descrição”) and ``entrar-duplicado`` (two
“Entrar” buttons).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, abort, redirect, render_template_string, request, session, url_for

CATEGORIES = ["Consulta Técnica", "Defeito com paralisação", "Defeito sem paralisação"]

_LAYOUT = """<!DOCTYPE html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<title>{{ title }} – Suporte Técnico</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 "DejaVu Sans", sans-serif; color: #1b1b1b; }
  header { display: flex; align-items: center; gap: 1rem; padding: .75rem 1.5rem;
           background: #1351b4; color: #fff; }
  header .marca { font-weight: bold; margin-right: auto; }
  header button, header a { color: #fff; background: none; border: 1px solid #fff;
           padding: .25rem .75rem; font: inherit; text-decoration: none; cursor: pointer; }
  nav { position: relative; }
  [role=menu] { position: absolute; top: 2.2rem; left: 0; margin: 0; padding: .25rem 0;
           list-style: none; background: #fff; border: 1px solid #888; min-width: 12rem; }
  [role=menu] a { display: block; color: #1351b4; border: 0; padding: .25rem 1rem; }
  main { padding: 1.5rem; max-width: 60rem; }
  label { display: block; font-weight: bold; margin-top: 1rem; }
  input, select, textarea { font: inherit; width: 24rem; padding: .25rem; }
  fieldset { margin-top: 1rem; border: 0; padding: 0; }
  legend { font-weight: bold; }
  fieldset label { display: inline; font-weight: normal; margin-right: 1rem; }
  fieldset input { width: auto; }
  .botao { margin-top: 1.5rem; padding: .5rem 1.5rem; font: inherit; color: #fff;
           background: #1351b4; border: 0; border-radius: 1rem; }
  [role=tablist] { display: flex; gap: .5rem; }
  [role=tab] { padding: .25rem 1rem; border: 1px solid #1351b4; background: #fff; }
  .relogio { font-size: .8rem; }
</style>
</head>
<body>
<header>
  <span class="marca">Suporte Técnico</span>
  <nav>
    <button type="button" id="menu-processos" aria-haspopup="true" aria-expanded="false"
            aria-controls="menu-lista">Processos</button>
    <ul role="menu" id="menu-lista" hidden>
      {% if not changes.sem_abrir %}
      <li role="none"><a role="menuitem" href="{{ url_for('abrir') }}">Abrir</a></li>
      {% endif %}
      <li role="none"><a role="menuitem" href="{{ url_for('minha_area') }}">Consultar</a></li>
    </ul>
  </nav>
  <a href="{{ url_for('minha_area') }}" aria-label="Minha Área" title="Minha Área">&#9776;</a>
  <span class="relogio">Servidor: {{ server_time }} · Navegador: <span id="agora"></span></span>
</header>
<main>
{{ body|safe }}
</main>
<script>
  document.getElementById("agora") &&
    (document.getElementById("agora").textContent = new Date().toLocaleString("pt-BR"));
  const button = document.getElementById("menu-processos");
  if (button) {
    button.addEventListener("click", () => {
      const list = document.getElementById("menu-lista");
      list.hidden = !list.hidden;
      button.setAttribute("aria-expanded", String(!list.hidden));
    });
  }
</script>
</body>
</html>
"""

_LOGIN = """
<h1>Orientações para Abertura de Chamados</h1>
<form method="post" action="{{ url_for('entrar_post') }}">
  <label for="usuario">Usuário</label>
  <input id="usuario" name="usuario" type="email" autocomplete="off">
  <label for="senha">Senha</label>
  <input id="senha" name="senha" type="password">
  <div><button class="botao" type="submit">Entrar</button>
  {% if changes.entrar_duplicado %}<button class="botao" type="submit">Entrar</button>{% endif %}
  </div>
</form>
"""

_HOME = "<h1>Bem-vindo(a), {{ user or 'visitante' }}</h1><p>Use o menu Processos.</p>"

_OPEN = """
<h1>Processos que você pode abrir</h1>
<ul>
  <li><a href="{{ url_for('novo') }}">Abertura de Chamado</a></li>
  <li><a href="#">Solicitação de Acesso</a></li>
</ul>
"""

_CATEGORY = """
  <label for="categoria">Categoria</label>
  <select id="categoria" name="categoria">
    <option value="">Selecione…</option>
    {% for c in categories %}<option>{{ c }}</option>{% endfor %}
  </select>
"""
_DESCRIPTION = """
  <label for="descricao">Descrição</label>
  <textarea id="descricao" name="descricao" rows="3"></textarea>
"""
_NEW = """
<h1>Abertura de Chamado</h1>
<form method="post" action="{{ url_for('criar') }}" enctype="multipart/form-data">
  <label for="codigo">Código</label>
  <input id="codigo" name="codigo" value="{{ number }}" readonly>
  <a href="#fluxo" aria-label="fluxo vivo" title="fluxo vivo">&#8635;</a>
  {{ (description + category if changes.campo_movido else category + description)|safe }}
  <fieldset role="radiogroup" aria-labelledby="legenda-prioridade">
    <legend id="legenda-prioridade">Prioridade</legend>
    <label><input type="radio" name="prioridade" value="normal" checked> Normal</label>
    <label><input type="radio" name="prioridade" value="alta"> Alta</label>
  </fieldset>
  <label for="anexos">Anexos</label>
  <input id="anexos" name="anexos" type="file" multiple>
  <div><button class="botao" type="submit">{{ approve }}</button></div>
</form>
"""

_MY_AREA = """
<h1>Minha Área</h1>
<p><a href="{{ url_for('selecionados') }}">Selecionados</a></p>
"""

_SELECTED = """
<h1>Selecionados</h1>
<form method="get">
  <label for="numero">Nº do Processo</label>
  <input id="numero" name="numero" value="{{ query }}">
  <div><button class="botao" type="submit">Buscar</button></div>
</form>
{% if query %}
<ul>
  {% for t in found %}
  <li><a href="{{ url_for('chamado', number=t.number) }}">Chamado {{ t.number }}</a>
      ({{ t.category }})</li>
  {% else %}<li>Nenhum chamado encontrado.</li>{% endfor %}
</ul>
{% endif %}
"""

_TICKET = """
<h1>Chamado {{ t.number }}</h1>
<p>Categoria: {{ t.category }} · Anexos: {{ t.files|join(", ") or "nenhum" }}</p>
<div role="tablist">
  <button role="tab" aria-selected="true">Status</button>
  <button role="tab" aria-selected="false">Acessar</button>
  <button role="tab" aria-selected="false">Listagem</button>
</div>
"""


def create_app(relogio: datetime | None = None) -> Flask:
    """A fresh portal, frozen at ``relogio`` (the build's instant), holding one ticket.

    Every document of the manual gets a portal of its own: the seeded ticket is what a
    document may search for without depending on another document having opened it.
    """
    changes = {
        name.strip().replace("-", "_")
        for name in os.environ.get("PORTAL_EXEMPLO_MUDANCAS", "").split(",")
        if name.strip()
    }
    now = relogio or datetime(2025, 1, 15, 13, 0, tzinfo=UTC)
    app = Flask(__name__)
    app.secret_key = "somente-para-testes"
    seeded = f"{now.year}/0001"
    tickets: dict[str, dict[str, Any]] = {
        seeded: {"number": seeded, "category": CATEGORIES[2], "files": []}
    }
    counter = {"last": 1}

    def page(title: str, body: str, **context: Any) -> str:
        context.update(
            user=session.get("user"),
            changes={name: True for name in changes},
            server_time=now.strftime("%d/%m/%Y %H:%M"),
            categories=CATEGORIES,
        )
        inner = render_template_string(body, **context)
        return render_template_string(_LAYOUT, title=title, body=inner, **context)

    @app.get("/")
    def entrar() -> Any:
        return page("Entrar", _LOGIN)

    @app.post("/entrar")
    def entrar_post() -> Any:
        session["user"] = request.form.get("usuario", "")
        return redirect(url_for("inicio"))

    @app.get("/inicio")
    def inicio() -> Any:
        return page("Início", _HOME)

    @app.get("/processos/abrir")
    def abrir() -> Any:
        return page("Abrir", _OPEN)

    @app.get("/chamados/novo")
    def novo() -> Any:
        counter["last"] += 1  # the number is reserved when the form opens
        number = f"{now.year}/{counter['last']:04d}"
        approve = "Enviar" if "aprovar_renomeado" in changes else "Aprovar"
        return page(
            "Abertura de Chamado",
            _NEW,
            number=number,
            approve=approve,
            category=render_template_string(_CATEGORY, categories=CATEGORIES),
            description=_DESCRIPTION,
        )

    @app.post("/chamados")
    def criar() -> Any:
        number = request.form["codigo"]
        files = [f.filename for f in request.files.getlist("anexos") if f.filename]
        tickets[number] = {
            "number": number,
            "category": request.form.get("categoria", ""),
            "files": files,
        }
        return redirect(url_for("chamado", number=number))

    @app.get("/chamados/<path:number>")
    def chamado(number: str) -> Any:
        if number not in tickets:
            abort(404)
        return page(f"Chamado {number}", _TICKET, t=tickets[number])

    @app.get("/minha-area")
    def minha_area() -> Any:
        return page("Minha Área", _MY_AREA)

    @app.get("/minha-area/selecionados")
    def selecionados() -> Any:
        query = request.args.get("numero", "").strip()
        found = [t for n, t in tickets.items() if query and query in n]
        return page("Selecionados", _SELECTED, query=query, found=found)

    return app


def entrar(page: Any, base_url: str, usuario: str, senha: str) -> None:
    """Log in through the form (the ``passos_entrar`` of the test manual)."""
    page.goto(base_url + "/")
    page.get_by_label("Usuário").fill(usuario)
    page.get_by_label("Senha").fill(senha)
    page.get_by_label("Senha").press("Enter")
    page.wait_for_url("**/inicio", timeout=15_000)
