"""What every template may use: the current site, settings, and display filters."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .services import accounts, attachments, clock, delivery, satisfaction
from .services.clock import LOCAL_ZONE
from .services.tickets import DeadlineState
from .sites import current_site


def init_app(app: Flask) -> None:
    """Register the context processor and filters."""
    app.context_processor(_context)
    app.add_template_filter(local_datetime, "data_hora")
    app.add_template_filter(file_size, "tamanho")
    app.add_template_filter(duration, "duracao")
    app.add_template_filter(deadline_text, "prazo")
    app.add_template_filter(outcome_text, "resultado")
    app.add_template_filter(share_text, "percentual")
    app.add_template_filter(bar_width, "largura_barra")
    app.add_template_filter(token_state_text, "situacao_token")
    app.add_template_filter(progress_text, "progresso")
    app.add_template_filter(last_day, "ultimo_dia")
    app.add_template_filter(deadline_sentence, "prazo_frase")
    app.add_template_filter(rating_text, "avaliacao")
    app.add_template_filter(average_text, "media")
    app.add_template_filter(whole_number, "inteiro")
    app.add_template_filter(attachments.previewable, "visualizavel")
    app.add_template_global(page_url, "page_url")


def _context() -> dict:
    site = current_site()
    return {
        "site": site,
        "site_name": current_app.config[site.name_setting],
        "site_url": current_app.config[site.url_setting],
        "support_phone": current_app.config["SUPPORT_PHONE"],
        "demo_mode": current_app.config.get("DEMO_MODE"),
        "outbox_link": has_request_context() and delivery.may_read_outbox(current_user),
        "menu": _menu(),
        **_accessibility(site),
    }


def _accessibility(site) -> dict:
    """What the eMAG bar, the high-contrast switch and the session warning need."""
    if not has_request_context():
        return {"high_contrast": False}
    from .acessibilidade.keys import ACCESS_KEYS
    from .acessibilidade.routes import contrast_form, high_contrast

    logged_in = current_user.is_authenticated
    if not logged_in or current_user.must_change_password:
        # the one search open before the login (and before the first password is changed)
        search = url_for("manual.pagina", filename="search.html")
    elif request.endpoint == site.search:
        search = f"#{site.search_field}"
    else:
        search = url_for(site.search) + f"#{site.search_field}"
    return {
        "access_keys": ACCESS_KEYS,
        "high_contrast": high_contrast(),
        "contrast_form": contrast_form(),
        "search_href": search,
        "session_left": _session_left() if logged_in else None,
    }


def _session_left() -> int | None:
    """Seconds until the current login session ends if left idle (the page warns before).

    None when the database cannot say (the page that reports a busy database must still be
    drawn): that page simply has no warning.
    """
    try:
        ends = accounts.session_ends_at(current_user.get_id())
    except SQLAlchemyError:
        db.session.rollback()
        return None
    return max(0, int((ends - clock.now()).total_seconds())) if ends else None


def _menu() -> list[dict]:
    """The menu entries of conf/menu.toml that the current user's profile may use."""
    if not has_request_context() or not current_user.is_authenticated:
        return []
    profile = current_user.profile.value
    return [e for e in current_app.config["MENU"] if profile in e.get("perfis", [profile])]


def token_state_text(state: str) -> str:
    """An API token's state as Minha Área shows it."""
    return {"ativo": "Ativo", "vencido": "Vencido", "revogado": "Revogado"}[state]


def page_url(endpoint: str, args: dict, param: str, number: int) -> str:
    """The address of another page of a list, its filters kept (the first page needs no number)."""
    values = {key: value for key, value in (args or {}).items() if key != param}
    if number > 1:
        values[param] = number
    return url_for(endpoint, **values)


def local_datetime(moment: datetime | None) -> str:
    """Show a UTC instant in Brasília time, as 29/11/2026 14:05."""
    if moment is None:
        return "—"
    return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")


def file_size(size: int) -> str:
    """Show a byte count the Brazilian way: 1,5 MB."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            text = f"{size:.0f}" if unit == "bytes" else f"{size:.1f}".replace(".", ",")
            return f"{text} {unit}"
        size /= 1024
    return f"{size} GB"


def duration(span: timedelta) -> str:
    """A duration in Portuguese: 1 dia 2 h 05 min, 3 h 20 min, 45 min."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(f"{days} dia" + ("s" if days > 1 else ""))
    if hours or days:
        parts.append(f"{hours} h")
    parts.append(f"{minutes:02d} min" if (hours or days) else f"{minutes} min")
    return " ".join(parts)


def deadline_text(deadline) -> str:
    """What a deadline says next to its date: Faltam 2 h 05 min, Vencido há 3 h…"""
    if deadline.state == DeadlineState.NONE:
        return "Definido ao aprovar"
    if deadline.state == DeadlineState.CLOSED:
        return "Chamado encerrado " + ("no prazo" if deadline.met else "fora do prazo")
    if deadline.state == DeadlineState.PAUSED:
        return f"Parado, aguardando o solicitante ({_left(deadline.left)})"
    return _left(deadline.left).capitalize()


def _left(left: timedelta) -> str:
    if left.total_seconds() < 0:
        return f"vencido há {duration(-left)}"
    return f"faltam {duration(left)}"


def deadline_sentence(deadline) -> str:
    """The deadline in one sentence, for e-mails: when it falls, or why it stands still."""
    if deadline.state == DeadlineState.NONE:
        return "Prazo de solução: definido ao aprovar."
    when = local_datetime(deadline.due_at)
    if deadline.state == DeadlineState.CLOSED:
        met = "cumprido" if deadline.met else "não cumprido"
        return f"Prazo de solução: {when}, horário de Brasília ({met})."
    if deadline.state == DeadlineState.PAUSED:
        return (
            "Prazo de solução: parado enquanto o chamado aguarda o solicitante "
            f"({_left(deadline.left)}); volta a contar com a resposta."
        )
    return f"Prazo de solução: {when}, horário de Brasília ({_left(deadline.left)})."


def rating_text(rating: int | None) -> str:
    """A satisfaction rating: “4 de 5 (Satisfeito)”."""
    if not rating:
        return "—"
    return f"{rating} de {satisfaction.RATING_MAX} ({satisfaction.LABELS[rating]})"


def average_text(average: float | None) -> str:
    """An average rating the Brazilian way: 4,3."""
    return "—" if average is None else f"{average:.1f}".replace(".", ",")


def whole_number(value: int) -> str:
    """1.234: thousands separated the Brazilian way."""
    return f"{value:,}".replace(",", ".")


def outcome_text(row) -> str:
    """How a pass through a step ended, for Status and the task page."""
    if row.finished_at is None:
        return "Em andamento"
    return row.outcome or "Concluída"


def share_text(share: float | None) -> str:
    """A share the Brazilian way (87%), or a dash when there is nothing to divide."""
    return "—" if share is None else f"{share:.0%}"


def bar_width(share: float | None) -> int:
    """Width of a chart bar, in percent of the chart."""
    return round((share or 0) * 100)


def progress_text(cell) -> str:
    """A trainee in a chapter of the tour: 3 de 12 feitos · no passo 4 · parado há 5 min."""
    if cell.finished:
        return f"Concluído ({cell.total} de {cell.total})"
    return (
        f"{cell.done} de {cell.total} feitos · no passo {cell.step + 1} · "
        f"parado há {duration(cell.stuck_for)}"
    )


def last_day(end: datetime | None) -> str:
    """A class's end instant (the midnight after its last day) shown as that last day."""
    if end is None:
        return "—"
    return (end - timedelta(seconds=1)).astimezone(LOCAL_ZONE).strftime("%d/%m/%Y")
