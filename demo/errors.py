"""Error pages in Portuguese; a traceback is never shown to the user."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .database import BUSY_MESSAGE, is_busy
from .extensions import db

MESSAGES = {
    400: ("Requisição inválida", "O pedido enviado não pôde ser entendido pelo portal."),
    403: ("Acesso negado", "Você não tem permissão para acessar esta página."),
    404: ("Página não encontrada", "O endereço não existe ou você não tem acesso a ele."),
    405: ("Operação não permitida", "Esta página não aceita esse tipo de envio."),
    413: ("Arquivo grande demais", "O envio ultrapassa o tamanho máximo permitido."),
    429: (
        "Muitas tentativas",
        "Foram feitas muitas tentativas em pouco tempo. Aguarde um minuto e tente novamente.",
    ),
    500: ("Erro interno", "Ocorreu um erro inesperado. Tente novamente em alguns instantes."),
    503: ("Portal ocupado", BUSY_MESSAGE),
}


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def render_error(code: int, detail: str | None = None):
    """Render the error page for an HTTP status code."""
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    return render_template("erro.html", code=code, title=title, message=detail or message), code


def _http_error(error: HTTPException):
    return render_error(error.code or 500)


def _csrf_error(_error: CSRFError):
    return render_error(
        400,
        "O formulário expirou ou foi enviado sem o código de segurança. "
        "Volte, recarregue a página e envie novamente.",
    )


def _unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return _http_error(error)
    db.session.rollback()
    if is_busy(error):
        # The database stayed locked past the busy timeout: a moment of overload, not a bug.
        return render_error(503)
    from flask import current_app

    current_app.logger.exception("Unhandled error", exc_info=error)
    return render_error(InternalServerError.code)
