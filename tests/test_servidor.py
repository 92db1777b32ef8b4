"""The production server as `make run` starts it: a real `flask servir` over real HTTP.

Each test prepares its own instance folder (`flask init-db`, `flask configurar-instancia`),
starts `python -m flask --app demo servir` in a process group of its own (gunicorn and the
background process that delivers e-mail) and always ends that group. Workers and threads are
kept light (PORTAL_SERVER_WORKERS=2, PORTAL_SERVER_THREADS=4).
"""

from __future__ import annotations

import functools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from apoio_portal import temporary_password_in

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MARIA = "maria.souza@agro.gov.br"
MARIA_PASSWORD = "solicitante-demo"
CLASS_SIZE = 20
#: Seconds a server has to answer after it was started.
STARTUP_SECONDS = 60
HTTP_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_limit(seconds: int):
    """Fail the test (not hang the suite) when its body runs longer than `seconds`.

    pytest-timeout is not a dependency and markers are strict, so this is a plain alarm; every
    wait inside the tests has its own shorter deadline as well. The limits guard against a
    hang, not a slow machine: each test takes 5–20 s on an idle 2-core machine, and the limits
    leave room for one shared with other work.
    """

    def decorate(test):
        @functools.wraps(test)
        def limited(*args, **kwargs):
            def expired(_signum, _frame):
                raise TimeoutError(f"o teste passou do limite de {seconds} s")

            previous = signal.signal(signal.SIGALRM, expired)
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                return test(*args, **kwargs)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)

        return limited

    return decorate


def csrf_in(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "página sem token CSRF"
    return match.group(1)


class Portal:
    """One installation: an instance folder, a database, and (once started) `flask servir`."""

    def __init__(self, folder: Path, database_url: str, **environment: str):
        self.folder = folder
        self.instance = folder / "instancia"
        self.database_url = database_url
        self.port = free_port()
        # What this shell may have set for another portal (a mail server, a gunicorn option)
        # does not leak into this one.
        inherited = {
            key: value
            for key, value in os.environ.items()
            if key != "GUNICORN_CMD_ARGS"
            and (not key.startswith("PORTAL_") or key in ("PORTAL_CONF_DIR",))
        }
        self.env = {
            **inherited,
            "PORTAL_INSTANCE_PATH": str(self.instance),
            "DATABASE_URL": database_url,
            "PORTAL_SERVER_WORKERS": "2",
            "PORTAL_SERVER_THREADS": "4",
            **environment,
        }
        self.process: subprocess.Popen | None = None
        self.log_path = folder / "servidor.log"

    @property
    def outbox(self) -> Path:
        return self.instance / "caixa-de-saida"

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run one `flask --app demo …` command in this installation's environment."""
        result = subprocess.run(
            [PYTHON, "-m", "flask", "--app", "demo", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (
            f"`flask {' '.join(args)}` falhou ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
        return result

    def prepare(self) -> Portal:
        """What `make run` does before serving: the address, then the database."""
        self.flask("configurar-instancia", "--host", "127.0.0.1", "--port", str(self.port))
        self.flask("init-db")
        return self

    def start(self) -> Portal:
        """`flask servir`, in a process group of its own; returns once the port answers."""
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "flask", "--app", "demo", "servir"]
                + ["--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"o servidor terminou ao iniciar:\n{self.log()}")
            try:
                requests.get(self.url("/entrar"), timeout=5)
                return self
            except requests.ConnectionError:
                pass
            except requests.Timeout:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"o servidor não respondeu em {STARTUP_SECONDS} s:\n{self.log()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """End the whole process group: gunicorn's master, its workers, the background one."""
        if self.process is None:
            return
        group = self.process.pid  # the session leader: its pid is the group's id
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:
            # Whatever is left of the group (a worker or the background process that hung).
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""

    def messages(self) -> list[EmailMessage]:
        """The e-mails delivered to the outbox folder (no mail server configured)."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(p.read_bytes()) for p in sorted(self.outbox.glob("*.eml"))]

    def emails_in_database(self) -> list[tuple[str, str, str]]:
        """(recipient, subject, status) of every row of the outbox table."""
        url = self.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT recipient, subject, status FROM outgoing_emails ORDER BY id")
                )
                return [tuple(row) for row in rows]
        finally:
            engine.dispose()


@pytest.fixture
def portals(database_url: str, tmp_path: Path):
    """Make installations on this test's database; every server is stopped at the end."""
    made: list[Portal] = []

    def make(**environment: str) -> Portal:
        assert not made, "um teste, um portal: o banco é o mesmo"
        portal = Portal(tmp_path, database_url, **environment)
        made.append(portal)
        return portal

    yield make
    for portal in made:
        portal.stop()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# --- 1. the server --------------------------------------------------------------------------


@time_limit(120)
def test_it_is_gunicorn_and_serves_both_sites_and_the_manual(portals):
    portal = portals().prepare().start()

    entrar = requests.get(portal.url("/entrar"), timeout=HTTP_TIMEOUT)
    assert entrar.status_code == 200, f"/entrar respondeu {entrar.status_code}"
    assert entrar.headers.get("Server", "").startswith("gunicorn"), (
        f"o servidor não é o gunicorn: Server = {entrar.headers.get('Server')!r}"
    )
    assert 'name="usuario"' in entrar.text, "a tela de entrada não tem o campo Usuário"

    mapa = requests.get(portal.url("/mapa/entrar"), timeout=HTTP_TIMEOUT)
    assert mapa.status_code == 200, f"/mapa/entrar respondeu {mapa.status_code}"
    assert mapa.headers.get("Server", "").startswith("gunicorn")

    manual = requests.get(portal.url("/manual/"), timeout=HTTP_TIMEOUT)
    assert manual.status_code < 500, f"/manual/ respondeu {manual.status_code}"
    assert manual.headers["Content-Type"].startswith("text/html"), manual.headers["Content-Type"]
    if (ROOT / "docs" / "_build" / "html" / "index.html").is_file():
        assert manual.status_code == 200, f"o manual gerado não foi servido ({manual.status_code})"
    else:
        assert manual.status_code == 404
        assert "Manual ainda não gerado" in manual.text, "sem manual, a página não diz como gerá-lo"

    # `make run` has nobody type a second command: the server started the e-mail delivery.
    assert "Processo de segundo plano iniciado" in portal.log(), portal.log()


# --- 2. a class doing its first access together -------------------------------------------


#: Creates the accounts named on the command line, four at a time, in one process: twenty
#: `flask criar-usuario` processes would spend most of the test importing the portal (the CLI
#: itself, many processes at once, is tests/test_concorrencia.py's).
_CREATE_ACCOUNTS = """
import sys
from concurrent.futures import ThreadPoolExecutor
from demo import create_app
from demo.services import accounts

app = create_app()

def create(index_email):
    index, email = index_email
    with app.app_context():
        return accounts.create_user(email, f"Pessoa {index}", "MAPA", "solicitante").email

with ThreadPoolExecutor(max_workers=4) as pool:
    for email in pool.map(create, enumerate(sys.argv[1:], 1)):
        print("Conta criada para", email)
"""


def create_accounts(portal: Portal, count: int) -> dict[str, str]:
    """One account per trainee, four at a time, while the portal is served.

    The temporary passwords are read from the .eml files of the outbox folder, where the
    server's background process delivered them.
    """
    emails = [f"turma{index:02d}@agro.gov.br" for index in range(1, count + 1)]
    result = subprocess.run(
        [PYTHON, "-c", _CREATE_ACCOUNTS, *emails],
        cwd=ROOT,
        env=portal.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    for email in emails:
        assert f"Conta criada para {email}" in result.stdout, result.stdout
    passwords: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while len(passwords) < count:
        assert time.monotonic() < deadline, (
            f"só {len(passwords)} de {count} e-mails com a senha temporária foram entregues"
        )
        for message in portal.messages():
            if message["To"] in emails:
                passwords[message["To"]] = temporary_password_in(message)
        time.sleep(0.2)
    return passwords


@time_limit(240)
def test_a_class_does_its_first_access_at_the_same_instant(portals):
    portal = portals().prepare().start()
    temporaries = create_accounts(portal, CLASS_SIZE)

    barrier = threading.Barrier(CLASS_SIZE, timeout=120)
    answers: list[tuple[str, str, int]] = []  # (account, step, status)
    problems: list[str] = []
    lock = threading.Lock()

    def note(email: str, step: str, response: requests.Response) -> requests.Response:
        with lock:
            answers.append((email, step, response.status_code))
        return response

    def first_access(email: str, temporary: str, new: str) -> None:
        browser = requests.Session()
        token = csrf_in(browser.get(portal.url("/entrar"), timeout=HTTP_TIMEOUT).text)
        barrier.wait()  # everyone presses Entrar together
        response = note(
            email,
            "Entrar",
            browser.post(
                portal.url("/entrar"),
                data={"csrf_token": token, "usuario": email, "senha": temporary},
                allow_redirects=False,
                timeout=HTTP_TIMEOUT,
            ),
        )
        if response.status_code != 302 or not response.headers["Location"].endswith(
            "/trocar-senha"
        ):
            raise AssertionError(
                f"{email}: Entrar com a senha temporária respondeu {response.status_code} "
                f"(esperado: 302 para /trocar-senha)"
            )
        page = note(
            email, "Trocar senha", browser.get(portal.url("/trocar-senha"), timeout=HTTP_TIMEOUT)
        )
        token = csrf_in(page.text)
        barrier.wait()  # and everyone changes the password together
        response = note(
            email,
            "Trocar senha (enviar)",
            browser.post(
                portal.url("/trocar-senha"),
                data={
                    "csrf_token": token,
                    "senha_atual": temporary,
                    "nova_senha": new,
                    "confirmacao": new,
                },
                allow_redirects=False,
                timeout=HTTP_TIMEOUT,
            ),
        )
        if response.status_code != 302:
            raise AssertionError(
                f"{email}: a troca de senha respondeu {response.status_code} (esperado: 302)"
            )
        # Still logged in, now past the first-access gate.
        home = note(
            email,
            "Início",
            browser.get(portal.url("/"), allow_redirects=False, timeout=HTTP_TIMEOUT),
        )
        if home.status_code != 200:
            raise AssertionError(
                f"{email}: depois da troca, o início respondeu {home.status_code} (esperado: 200)"
            )
        # A new browser logs in with the new password, straight to the home page.
        again = requests.Session()
        token = csrf_in(again.get(portal.url("/entrar"), timeout=HTTP_TIMEOUT).text)
        response = note(
            email,
            "Entrar com a nova senha",
            again.post(
                portal.url("/entrar"),
                data={"csrf_token": token, "usuario": email, "senha": new},
                allow_redirects=False,
                timeout=HTTP_TIMEOUT,
            ),
        )
        if response.status_code != 302 or response.headers["Location"] != "/":
            raise AssertionError(
                f"{email}: Entrar com a nova senha respondeu {response.status_code} "
                f"para {response.headers.get('Location')!r} (esperado: 302 para /)"
            )

    def run(index: int, email: str) -> None:
        try:
            first_access(email, temporaries[email], f"Nova-senha-da-turma-{index:02d}")
        except Exception as error:
            barrier.abort()  # the others must not wait for this one
            with lock:
                problems.append(f"{type(error).__name__}: {error}")

    threads = [
        threading.Thread(target=run, args=(index, email))
        for index, email in enumerate(sorted(temporaries))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "primeiros acessos travados"

    server_errors = [a for a in answers if a[2] >= 500]
    throttled = [a for a in answers if a[2] == 429]
    assert server_errors == [], f"respostas 5xx: {server_errors}\n{portal.log()[-4000:]}"
    assert throttled == [], f"respostas 429 (pedidos recusados por excesso): {throttled}"
    assert problems == [], "\n".join(problems)
    finished = {email for email, step, status in answers if step == "Entrar com a nova senha"}
    assert len(finished) == CLASS_SIZE, f"só {len(finished)} de {CLASS_SIZE} entraram"


# --- 3. SMTP down while a ticket is approved ----------------------------------------------


class Collector:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.raw: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.original_content)
        return "250 Message accepted for delivery"

    def received(self) -> list[EmailMessage]:
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(raw) for raw in list(self.raw)]


def approve_a_ticket(portal: Portal) -> str:
    """Maria walks the chapter over HTTP up to Aprovar; the ticket's número."""
    browser = requests.Session()
    token = csrf_in(browser.get(portal.url("/entrar"), timeout=HTTP_TIMEOUT).text)
    response = browser.post(
        portal.url("/entrar"),
        data={"csrf_token": token, "usuario": MARIA, "senha": MARIA_PASSWORD},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 302, f"Entrar respondeu {response.status_code}"
    page = browser.get(portal.url("/processos/abrir"), timeout=HTTP_TIMEOUT)
    assert page.status_code == 200, f"Processos › Abrir respondeu {page.status_code}"
    action = re.search(r'<form method="post" action="(/processos/abrir/[^"]+)"', page.text)
    assert action, "Processos › Abrir sem o botão “Abertura de Chamado”"
    response = browser.post(
        portal.url(action.group(1)),
        data={"csrf_token": csrf_in(page.text)},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 302, f"Abertura de Chamado respondeu {response.status_code}"
    number = re.fullmatch(r"/chamados/([^/]+)/formulario", response.headers["Location"])
    assert number, f"Abertura de Chamado levou a {response.headers['Location']!r}"
    number = number.group(1)
    form = browser.get(portal.url(f"/chamados/{number}/formulario"), timeout=HTTP_TIMEOUT)
    assert form.status_code == 200, f"o formulário respondeu {form.status_code}"
    response = browser.post(
        portal.url(f"/chamados/{number}/formulario"),
        data={
            "csrf_token": csrf_in(form.text),
            "categoria": "consulta-tecnica",
            "assunto": "Erro ao assinar documento com o token",
            "descricao": "Ao clicar em Assinar, a tela mostra “certificado não encontrado”.",
            "aprovar": "Aprovar",
        },
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 302, f"Aprovar respondeu {response.status_code}"
    assert response.headers["Location"] == f"/chamados/{number}/enviado", (
        f"Aprovar levou a {response.headers['Location']!r}"
    )
    sent = browser.get(portal.url(response.headers["Location"]), timeout=HTTP_TIMEOUT)
    assert sent.status_code == 200 and number in sent.text, "a página do chamado enviado falhou"
    return number


def receipts(smtp: Collector, number: str) -> list[EmailMessage]:
    return [
        message
        for message in smtp.received()
        if message["To"] == MARIA and message["Subject"].startswith(f"Chamado {number} aberto")
    ]


@time_limit(180)
def test_a_receipt_queued_while_smtp_is_down_arrives_when_it_returns(portals):
    smtp_port = free_port()  # nothing listens there until the mail server "returns"
    portal = portals(
        PORTAL_MAIL_SERVER="127.0.0.1",
        PORTAL_MAIL_PORT=str(smtp_port),
        PORTAL_MAIL_TIMEOUT_SECONDS="2",
        PORTAL_MAIL_RETRY_SECONDS="1",
        PORTAL_MAIL_RETRY_MAX_MINUTES="1",
    )
    portal.prepare().start()
    number = approve_a_ticket(portal)

    # The background process tried, found the mail server away, and kept the receipt queued.
    deadline = time.monotonic() + 30
    while "E-mails na fila; nova tentativa" not in portal.log():
        assert time.monotonic() < deadline, (
            f"o processo de segundo plano não tentou entregar:\n{portal.log()}"
        )
        time.sleep(0.2)
    queued = [row for row in portal.emails_in_database() if row[0] == MARIA and number in row[1]]
    assert [row[2] for row in queued] == ["pendente"], f"recibo na tabela de saída: {queued}"
    assert list(portal.outbox.glob("*.eml")) == [], "com SMTP configurado, nada vai para a pasta"

    smtp = Collector()
    controller = Controller(smtp, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        # Nobody types a command: the background process notices the server is back.
        deadline = time.monotonic() + 60
        while not receipts(smtp, number):
            assert time.monotonic() < deadline, (
                f"o recibo do chamado {number} não chegou em 60 s:\n{portal.log()[-3000:]}"
            )
            time.sleep(0.25)
        # Wait until the queue is empty, then a little more: nothing is delivered twice.
        deadline = time.monotonic() + 30
        while any(row[2] == "pendente" for row in portal.emails_in_database()):
            assert time.monotonic() < deadline, "a fila de e-mails não esvaziou"
            time.sleep(0.25)
        time.sleep(2.5)
        arrived = receipts(smtp, number)
        assert len(arrived) == 1, f"o recibo do chamado {number} chegou {len(arrived)} vezes"
        assert f"Nº do Processo: {number}" in text_of(arrived[0]), text_of(arrived[0])
    finally:
        controller.stop()


# --- 4. the e-mails of the command line point at the server -------------------------------


@time_limit(120)
def test_the_cli_emails_link_to_where_the_portal_is_served(portals):
    portal = portals().prepare()
    email = "paula.ramos@agro.gov.br"
    portal.flask("criar-usuario", email, "--nome", "Paula Ramos", "--orgao", "MAPA")
    [message] = [m for m in portal.messages() if m["To"] == email]
    text = text_of(message)
    address = f"http://127.0.0.1:{portal.port}"
    assert address in text, f"o e-mail não aponta para {address}:\n{text}"
    assert address in message.get_body(preferencelist=("html",)).get_content()

    # And the portal really answers there: both sites the e-mail names.
    portal.start()
    links = sorted(set(re.findall(rf"{re.escape(address)}[^\s<>\"]*", text)))
    assert links, text
    for link in links:
        page = requests.get(link, timeout=HTTP_TIMEOUT)
        assert page.status_code == 200, f"{link} respondeu {page.status_code}"
        assert "/entrar" in page.url, f"{link} não levou à tela de entrada ({page.url})"
