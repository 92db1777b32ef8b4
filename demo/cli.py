"""Flask commands (`flask --app demo …`); everything they print is in Portuguese."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .services import accounts, demo_data, tasks


class CommandError(click.ClickException):
    """A refusal printed as "Erro: …" on standard error, with exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"Erro: {self.format_message()}", err=True)


def init_app(app: Flask) -> None:
    """Register the commands.

    Each pushes its own app context (`with_appcontext`): `flask` pushes one only for the commands
    it looks up by name, not for those run through `app.cli`, as `app.test_cli_runner()` does.
    """
    for command in (init_db, seed, create_user, resend_password, check_deadlines):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
@click.option("--sem-demo", is_flag=True, help="Não carregar os dados de demonstração.")
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
def create_user(email: str, nome: str, orgao: str, perfil: str) -> None:
    """Cria uma conta e envia por e-mail o usuário e uma senha temporária."""
    try:
        user = accounts.create_user(email, nome, orgao, perfil)
    except accounts.AccountError as error:
        raise CommandError(error.message) from error
    click.echo(
        f"Conta criada para {user.email} ({user.organization.acronym}, {user.profile.label})."
    )
    click.echo("A senha temporária foi enviada por e-mail.")


@click.command("reenviar-senha")
@with_appcontext
@click.argument("email")
def resend_password(email: str) -> None:
    """Gera uma nova senha temporária e a envia por e-mail."""
    try:
        user = accounts.resend_password(email)
    except accounts.AccountError as error:
        raise CommandError(error.message) from error
    click.echo(f"Nova senha temporária enviada para {user.email}.")


@click.command("verificar-prazos")
@with_appcontext
def check_deadlines() -> None:
    """Registra no histórico os chamados abertos cujo prazo de solução venceu (para o cron)."""
    late = tasks.record_breaches()
    click.echo(f"{late} chamado(s) com prazo vencido registrado(s) agora.")
