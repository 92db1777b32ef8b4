"""Flask commands (`flask --app demo …`); everything they print is in Portuguese.

A command never ends in a traceback: a refusal, a database that stayed busy or any other
failure is one Portuguese line on standard error and a non-zero exit status.
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import sys
import threading
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import SQLAlchemyError

from . import background, config
from .database import Busy, is_busy
from .services import (
    accounts,
    api_tokens,
    classrooms,
    clock,
    delivery,
    demo_data,
    housekeeping,
    tasks,
)
from .services.errors import ServiceError


class CommandError(click.ClickException):
    """A refusal printed as "Erro: …" on standard error, with exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"Erro: {self.format_message()}", err=True)


def portuguese_errors(command):
    """Turn database failures into a Portuguese message and exit status 1."""

    @functools.wraps(command)
    def guarded(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ServiceError as error:
            problems = getattr(error, "problems", None)
            if problems:
                raise CommandError("\n".join(problem.message for problem in problems)) from error
            raise CommandError(error.message) from error
        except (SQLAlchemyError, Busy) as error:
            if is_busy(error):
                raise CommandError(
                    "O banco de dados continuou ocupado por outras gravações e o comando "
                    "desistiu; nada foi alterado. Tente de novo em alguns segundos."
                ) from error
            raise CommandError(
                f"O banco de dados recusou a operação; nada foi alterado ({_first_line(error)})."
            ) from error

    return guarded


def _first_line(error: BaseException) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0][:200]


def init_app(app: Flask) -> None:
    """Register the commands.

    Each pushes its own app context (`with_appcontext`): `flask` pushes one only for the commands
    it looks up by name, not for those run through `app.cli`, as `app.test_cli_runner()` does.
    """
    for command in (
        init_db,
        seed,
        create_user,
        resend_password,
        check_deadlines,
        send_emails,
        clean_up,
        run_background,
        configure_instance,
        serve,
        create_token,
        revoke_token,
        classroom,
    ):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
@click.option("--sem-demo", is_flag=True, help="Não carregar os dados de demonstração.")
@portuguese_errors
def init_db(sem_demo: bool) -> None:
    """Aplica as migrações e, na primeira vez, carrega os dados de demonstração."""
    upgrade()
    click.echo("Banco de dados atualizado.")
    if not sem_demo and not demo_data.is_loaded():
        counts = demo_data.load(with_tickets=True)
        click.echo(
            f"Dados de demonstração carregados: {counts['orgaos']} órgãos, "
            f"{counts['usuarios']} usuários, {counts['chamados']} chamados."
        )


@click.command("seed")
@with_appcontext
@portuguese_errors
def seed() -> None:
    """Carrega os dados de demonstração (conf/demo.toml) num banco vazio."""
    if demo_data.is_loaded():
        raise CommandError("O banco já tem dados; nada foi carregado.")
    counts = demo_data.load(with_tickets=True)
    click.echo(
        f"Carregados {counts['orgaos']} órgãos, {counts['usuarios']} usuários "
        f"e {counts['chamados']} chamados."
    )


@click.command("criar-usuario")
@with_appcontext
@click.argument("email")
@click.option("--nome", required=True, help="Nome completo do usuário.")
@click.option("--orgao", required=True, help="Sigla do órgão (ex.: MAPA).")
@click.option(
    "--perfil",
    default="solicitante",
    show_default=True,
    help="solicitante, atendente ou gestor.",
)
@portuguese_errors
def create_user(email: str, nome: str, orgao: str, perfil: str) -> None:
    """Cria uma conta e envia por e-mail o usuário e uma senha temporária."""
    user = accounts.create_user(email, nome, orgao, perfil)
    click.echo(
        f"Conta criada para {user.email} ({user.organization.acronym}, {user.profile.label})."
    )
    _send_now([user.email], "A senha temporária foi enviada por e-mail.")


@click.command("reenviar-senha")
@with_appcontext
@click.argument("email")
@portuguese_errors
def resend_password(email: str) -> None:
    """Gera uma nova senha temporária e a envia por e-mail."""
    user = accounts.resend_password(email)
    click.echo(f"Nova senha temporária gerada para {user.email}.")
    _send_now([user.email], "O e-mail com a nova senha foi enviado.")


def _send_now(recipients: list[str], done: str) -> None:
    """Deliver what the command queued, or say it waits for the mail server.

    Another sender (the background process, another command) may be delivering it at this
    moment: only a message still waiting for a sender means the server did not take it.
    """
    report = delivery.deliver_due()
    if report.server_away or any(delivery.waiting_for(r) for r in recipients):
        click.echo(
            "O servidor de e-mail não respondeu agora: o e-mail ficou na fila e será entregue "
            "assim que ele voltar (o `make run` entrega sozinho; sem ele, use "
            "`flask --app demo enviar-emails`)."
        )
    else:
        click.echo(done)


@click.command("criar-token")
@with_appcontext
@click.argument("email")
@click.option("--nome", default="linha de comando", show_default=True, help="Nome do token.")
@click.option(
    "--escopo",
    default="leitura",
    show_default=True,
    help="leitura (só consultas) ou escrita (também abre e altera chamados).",
)
@click.option("--validade", default=None, help="Validade em dias (padrão: API_TOKEN_DAYS).")
@portuguese_errors
def create_token(email: str, nome: str, escopo: str, validade: str | None) -> None:
    """Cria um token de acesso pessoal da API para a conta e o mostra (uma única vez)."""
    user = accounts.find_user(email)
    if user is None:
        raise CommandError(f"Não há conta com o e-mail {email}.")
    created = api_tokens.create(user, nome, escopo, validade)
    expires = created.token.expires_at.astimezone(clock.LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")
    click.echo(
        f"Token “{created.token.name}” criado para {user.email} "
        f"(escopo {created.token.scope.value}, válido até {expires}, horário de Brasília)."
    )
    click.echo("Guarde-o agora: ele não será mostrado de novo.")
    click.echo(created.secret)


@click.command("revogar-token")
@with_appcontext
@click.argument("token")
@portuguese_errors
def revoke_token(token: str) -> None:
    """Revoga um token de acesso pessoal da API (ele deixa de valer na hora)."""
    revoked = api_tokens.revoke_secret(token)
    click.echo(f"Token “{revoked.name}” de {revoked.user.email} revogado.")


@click.command("verificar-prazos")
@with_appcontext
@portuguese_errors
def check_deadlines() -> None:
    """Registra no histórico os chamados abertos cujo prazo de solução venceu (para o cron)."""
    late = tasks.record_breaches()
    click.echo(f"{late} chamado(s) com prazo vencido registrado(s) agora.")


@click.command("enviar-emails")
@with_appcontext
@portuguese_errors
def send_emails() -> None:
    """Entrega os e-mails da fila (uma passagem; para o cron)."""
    report = delivery.deliver_due()
    click.echo(
        f"{report.sent} e-mail(s) entregue(s), {report.refused} recusado(s) em definitivo, "
        f"{report.deferred} adiado(s)."
    )
    waiting = delivery.pending_count()
    if report.server_away:
        raise CommandError(
            f"Servidor de e-mail indisponível; {waiting} e-mail(s) continuam na fila, sem "
            f"perda. {report.server_away}"
        )
    if waiting:
        click.echo(f"{waiting} e-mail(s) continuam na fila para uma próxima tentativa.")


@click.command("limpar")
@with_appcontext
@portuguese_errors
def clean_up() -> None:
    """Encerra sessões vencidas, apaga envios interrompidos e registra prazos vencidos."""
    report = housekeeping.run()
    click.echo(
        f"{report.sessions_ended} sessão(ões) encerrada(s), {report.staged_removed} envio(s) "
        f"interrompido(s) apagado(s), {report.counters_removed} contador(es) de senhas erradas "
        f"apagado(s), {report.breaches} prazo(s) vencido(s) registrado(s)."
    )


@click.command("segundo-plano")
@with_appcontext
def run_background() -> None:
    """Entrega os e-mails e faz a limpeza periódica, sem parar (o `make run` já o inicia)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Processo de segundo plano iniciado: entrega de e-mails e limpeza periódica.")
    server_pid = int(os.environ.get("PORTAL_SERVER_PID") or 0) or None
    background.run(current_app._get_current_object(), stop, server_pid)
    click.echo("Processo de segundo plano encerrado.")


@click.command("configurar-instancia")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True, help="Endereço de escuta.")
@click.option("--port", default=8000, show_default=True, type=int, help="Porta.")
@click.option(
    "--endereco",
    default="",
    help="Endereço público do portal (ex.: http://10.0.0.5:8000); padrão: deduzido do host.",
)
@click.option("--demonstracao/--producao", default=True, help="Modo de demonstração.")
def configure_instance(host: str, port: int, endereco: str, demonstracao: bool) -> None:
    """Grava em instance/portal.toml onde o portal é servido (e-mails e manual usam isso)."""
    address = (endereco or public_address(host, port)).rstrip("/")
    if not address.startswith(("http://", "https://")):
        raise CommandError(f"Endereço público inválido: {address!r} (use http:// ou https://).")
    values = {
        "SUPPORT_SITE_URL": address,
        "MAPA_SITE_URL": f"{address}/mapa",
        "ENVIRONMENT": "development" if demonstracao else "production",
        "DEMO_MODE": demonstracao,
    }
    path = config.write_instance_settings(current_app.instance_path, values)
    click.echo(f"Endereço do portal: {address}/ (gravado em {path}).")


def public_address(host: str, port: int) -> str:
    """The address people type: this machine's network address when listening on all."""
    if host in ("0.0.0.0", "::", ""):
        host = _network_address()
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _network_address() -> str:
    # Connecting a UDP socket sends nothing; it only asks the system which local address
    # would reach the network.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


@click.command("servir")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True, help="Endereço de escuta.")
@click.option("--port", default=8000, show_default=True, type=int, help="Porta.")
def serve(host: str, port: int) -> None:
    """Serve o portal com o servidor de produção (gunicorn) e o processo de segundo plano."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:demo.server", "-b", bind]
    os.execv(sys.executable, [*argv, "demo:create_app()"])


# --- turmas ----------------------------------------------------------------------------------


@click.group("turma")
def classroom() -> None:
    """Turmas de treinamento: criar, reiniciar, remover, listar e definir papéis."""


def _sheet_target(path: str | None) -> Path | None:
    """Check, before anything is created, that the sheet can be written there."""
    if not path:
        return None
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"“{path}” é uma pasta: informe o nome do arquivo da ficha (.csv).")
    if not target.parent.exists():
        raise CommandError(f"A pasta de “{path}” não existe; nada foi criado.")
    if not os.access(target.parent, os.W_OK) or (
        target.exists() and not os.access(target, os.W_OK)
    ):
        raise CommandError(f"Sem permissão para gravar “{path}”; nada foi criado.")
    return target


def _write_sheet(target: Path | None, lines) -> None:
    if target is None:
        return
    target.write_text(classrooms.sheet_csv(lines), encoding="utf-8")
    click.echo(f"Ficha da turma gravada em {target} (colunas usuario,senha; UTF-8).")


def _print_sheet(lines) -> None:
    for line in lines:
        click.echo(f"  {line.user}  {line.password or '(já fez o primeiro acesso)'}")


@classroom.command("criar")
@with_appcontext
@click.argument("nome")
@click.option("--alunos", type=int, help="Número de alunos (contas criadas pelo portal).")
@click.option("--importar", "importar", help="CSV com as pessoas (colunas nome,email; UTF-8).")
@click.option("--csv", "ficha", help="Arquivo em que gravar a ficha da turma (usuario,senha).")
@click.option("--termino", help="Último dia da turma (dd/mm/aaaa): depois, as contas param.")
@portuguese_errors
def classroom_create(
    nome: str, alunos: int | None, importar: str | None, ficha: str | None, termino: str | None
) -> None:
    """Cria uma turma com os seus alunos, o seu órgão e os chamados de exemplo."""
    if alunos is not None and importar:
        raise CommandError("Use --alunos ou --importar, não os dois.")
    if alunos is None and not importar:
        raise CommandError("Informe --alunos N ou --importar ARQUIVO.csv.")
    target = _sheet_target(ficha)
    people = None
    if importar:
        try:
            data = Path(importar).read_bytes()
        except OSError as error:
            raise CommandError(f"Não foi possível ler “{importar}”: {error.strerror}.") from error
        people = classrooms.parse_people(data)
    ends_at = classrooms.parse_end(termino)
    created, lines = classrooms.create(nome, alunos, people, ends_at)
    click.echo(
        f"Turma {created.name} criada com {len(lines)} aluno(s) (órgão "
        f"{created.organization.acronym}) e os chamados de exemplo."
    )
    _write_sheet(target, lines)
    if target is None:
        _print_sheet(lines)
    if people:
        _send_now(
            [line.user for line in lines], "As senhas temporárias também foram enviadas por e-mail."
        )


@classroom.command("reiniciar")
@with_appcontext
@click.argument("nome")
@click.option("--csv", "ficha", help="Arquivo em que gravar a nova ficha da turma.")
@portuguese_errors
def classroom_reset(nome: str, ficha: str | None) -> None:
    """Apaga chamados, anexos e e-mails da turma e devolve os alunos ao primeiro acesso."""
    target = _sheet_target(ficha)
    reset, lines = classrooms.reset(nome)
    click.echo(
        f"Turma {reset.name} reiniciada: chamados, anexos, e-mails e progresso apagados; "
        f"{len(lines)} aluno(s) de volta ao primeiro acesso, com novas senhas temporárias."
    )
    _write_sheet(target, lines)
    if target is None:
        _print_sheet(lines)


@classroom.command("remover")
@with_appcontext
@click.argument("nome")
@portuguese_errors
def classroom_remove(nome: str) -> None:
    """Remove a turma, as contas dos seus alunos e tudo o que fizeram."""
    removed = classrooms.remove(nome)
    click.echo(f"Turma {removed} removida, com as contas e os chamados dela.")


@classroom.command("listar")
@with_appcontext
@portuguese_errors
def classroom_list() -> None:
    """Lista as turmas."""
    found = classrooms.list_all()
    if not found:
        click.echo("Nenhuma turma.")
        return
    for item in found:
        end = ""
        if item.ends_at is not None:
            last = (item.ends_at - timedelta(seconds=1)).astimezone(clock.LOCAL_ZONE)
            end = f", {'terminou' if item.ended else 'termina'} em {last:%d/%m/%Y}"
        click.echo(f"{item.name}: {item.trainees} aluno(s), {item.tickets} chamado(s){end}")


@classroom.command("papel")
@with_appcontext
@click.argument("nome")
@click.argument("usuario")
@click.argument("papel")
@portuguese_errors
def classroom_role(nome: str, usuario: str, papel: str) -> None:
    """Define o papel de um aluno: solicitante, gestor ou atendente:GRUPO."""
    user = classrooms.set_role(nome, usuario, papel)
    click.echo(f"{user.email} agora é {dict(classrooms.roles())[papel]} na turma {nome}.")
