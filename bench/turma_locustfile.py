"""Locust: one trainee of a class walking the chapter "Abertura de Chamados" of the manual.

Run by bench/carga_turma.py (which prepares the portal and the accounts); it can also be run
alone against a portal whose accounts aluno001…aluno<N>@agro.gov.br share one password:

    TURMA_SENHA=… .venv/bin/locust -f bench/turma_locustfile.py --headless \\
        -u 100 -r 10 -t 150s --host http://127.0.0.1:8000

Each request is named after its step, in Portuguese, so the statistics group by step. A
request fails when its status is not the one the step expects (a 5xx, a 429, a 200 where the
portal should have redirected, a redirect to the wrong place), not only on 4xx/5xx.

Settings (environment): TURMA_SENHA (required), TURMA_CONTAS (default 100), TURMA_PAUSA_MIN and
TURMA_PAUSA_MAX (think time between steps, seconds; default 1 and 3), TURMA_SAIDA (a JSON file
that receives every sample, for carga_turma.py's exact percentiles).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from urllib.parse import quote

from locust import FastHttpUser, between, events, task

PASSWORD = os.environ.get("TURMA_SENHA", "")
ACCOUNTS = int(os.environ.get("TURMA_CONTAS", "100"))
OUTPUT = os.environ.get("TURMA_SAIDA", "")
PAUSE = (
    float(os.environ.get("TURMA_PAUSA_MIN", "1")),
    float(os.environ.get("TURMA_PAUSA_MAX", "3")),
)

CATEGORY = "consulta-tecnica"
SUBJECT = "Erro ao assinar documento com o token"
DESCRIPTION = (
    "Ao clicar em Assinar, a tela mostra a mensagem “certificado não encontrado”. "
    "O token está conectado e funciona em outros sistemas."
)

#: The step names, in the order of the chapter (carga_turma.py prints them in this order).
STEPS = (
    "Arquivos estáticos (1ª visita)",
    "Tela de entrada",
    "Entrar",
    "Início",
    "Processos › Abrir",
    "Abertura de Chamado",
    "Formulário",
    "Aprovar",
    "Chamado enviado",
    "Minha Área › Selecionados",
    "Selecionados › Buscar",
    "Chamado",
    "Status",
    "Acessar",
    "Listagem",
    "Sair",
)

_accounts = itertools.count()
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_PROCESS_FORM = re.compile(r'<form method="post" action="(/processos/abrir/[^"]+)"')
_ASSETS = re.compile(r'(?:href|src)="(/(?:static|vendor)/[^"]+)"')


class WalkAborted(Exception):
    """A step failed: this walk stops, and the trainee starts the chapter again."""


class Trainee(FastHttpUser):
    """One person of the class, with one account, doing the chapter again and again."""

    wait_time = between(*PAUSE)
    # One keep-alive connection per person, like a browser tab.
    concurrency = 1

    def on_start(self) -> None:
        if not PASSWORD:
            raise RuntimeError("Defina TURMA_SENHA (a senha das contas da turma).")
        self.email = f"aluno{next(_accounts) % ACCOUNTS + 1:03d}@agro.gov.br"
        self.assets_loaded = False

    @task
    def walk_the_chapter(self) -> None:
        try:
            self._walk()
        except WalkAborted:
            pass
        finally:
            # The next walk is a new browser session (Sair ended the login anyway).
            self.client.cookiejar.clear()

    def _walk(self) -> None:
        page = self.step("GET", "/entrar", "Tela de entrada", 200)
        if not self.assets_loaded:
            self._load_assets(page.text)
        self.wait()
        self.step(
            "POST",
            "/entrar",
            "Entrar",
            302,
            data={"csrf_token": _csrf(page), "usuario": self.email, "senha": PASSWORD},
            location=r"/",
        )
        self.step("GET", "/", "Início", 200)
        self.wait()
        page = self.step("GET", "/processos/abrir", "Processos › Abrir", 200)
        action = _PROCESS_FORM.search(page.text)
        if not action:
            raise WalkAborted
        self.wait()
        opened = self.step(
            "POST",
            action.group(1),
            "Abertura de Chamado",
            302,
            data={"csrf_token": _csrf(page)},
            location=r"/chamados/[^/]+/formulario",
        )
        form_path = opened.headers["Location"]
        number = form_path.split("/")[2]
        form = self.step("GET", form_path, "Formulário", 200, contains=number)
        self.wait()
        self.step(
            "POST",
            form_path,
            "Aprovar",
            302,
            data={
                "csrf_token": _csrf(form),
                "categoria": CATEGORY,
                "assunto": SUBJECT,
                "descricao": DESCRIPTION,
                "aprovar": "Aprovar",
            },
            location=rf"/chamados/{re.escape(number)}/enviado",
        )
        self.step("GET", f"/chamados/{number}/enviado", "Chamado enviado", 200, contains=number)
        self.wait()
        self.step("GET", "/minha-area/selecionados", "Minha Área › Selecionados", 200)
        self.wait()
        self.step(
            "GET",
            f"/minha-area/selecionados?numero={quote(number)}&buscar=Buscar",
            "Selecionados › Buscar",
            200,
            contains=f'href="/chamados/{number}"',
        )
        self.wait()
        self.step("GET", f"/chamados/{number}", "Chamado", 200, contains=number)
        self.wait()
        self.step("GET", f"/chamados/{number}/status", "Status", 200, contains=number)
        self.wait()
        page = self.step("GET", f"/chamados/{number}/acessar", "Acessar", 200, contains=SUBJECT)
        self.wait()
        page = self.step("GET", f"/chamados/{number}/listagem", "Listagem", 200, contains=number)
        self.wait()
        self.step(
            "POST",
            "/sair",
            "Sair",
            302,
            data={"csrf_token": _csrf(page)},
            location=r"/entrar",
        )
        self.wait()

    def _load_assets(self, html: str) -> None:
        """A new browser fetches the stylesheets and scripts once (then they are cached)."""
        for path in dict.fromkeys(_ASSETS.findall(html)):
            self.step("GET", path, "Arquivos estáticos (1ª visita)", 200)
        self.assets_loaded = True

    def step(
        self,
        method: str,
        path: str,
        name: str,
        expected: int,
        *,
        data: dict | None = None,
        location: str | None = None,
        contains: str | None = None,
    ):
        """One request of the walk; anything but the expected answer fails it."""
        problem = None
        with self.client.request(
            method, path, name=name, data=data, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expected:
                where = response.headers.get("Location") if response.headers else None
                problem = f"HTTP {response.status_code} (esperado {expected})" + (
                    f" → {where}" if where else ""
                )
                if not response.status_code:  # no answer at all: say why
                    problem += f": {type(response.error).__name__}: {response.error}"
            elif location and not re.fullmatch(location, response.headers.get("Location", "")):
                problem = (
                    f"redirecionou para {response.headers.get('Location')!r} "
                    f"(esperado {location!r})"
                )
            elif contains and contains not in (response.text or ""):
                problem = f"a página não contém {contains!r}"
            if problem:
                response.failure(problem)
            else:
                response.success()
        if problem:
            raise WalkAborted(problem)
        return response


def _csrf(response) -> str:
    match = _CSRF.search(response.text or "")
    if not match:
        raise WalkAborted("página sem token CSRF")
    return match.group(1)


# --- every sample, for exact percentiles ----------------------------------------------------

_samples: list[tuple[str, float, bool, float]] = []
_failures: dict[str, dict[str, int]] = {}


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **_kwargs) -> None:
    failed = exception is not None
    _samples.append((name, round(response_time, 2), failed, start_time or time.time()))
    if failed:
        reasons = _failures.setdefault(name, {})
        reason = str(exception)[:300]
        reasons[reason] = reasons.get(reason, 0) + 1


@events.quitting.add_listener
def _write(**_kwargs) -> None:
    if OUTPUT:
        with open(OUTPUT, "w", encoding="utf-8") as fh:
            json.dump({"amostras": _samples, "falhas": _failures}, fh, ensure_ascii=False)
