"""Error pages in Portuguese; a traceback is never shown to the user.

The services' refusals (services/errors.py) are mapped to HTTP here, once: `http_status` for
both the pages and the API, `problem` for the API's RFC 9457 documents.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .database import BUSY_MESSAGE, is_busy
from .extensions import db
from .services.errors import Kind, ServiceError

MESSAGES = {
    400: ("Requisição inválida", "O pedido enviado não pôde ser entendido pelo portal."),
    401: ("Não autenticado", "Entre com seu usuário e senha para continuar."),
    403: ("Acesso negado", "Você não tem permissão para acessar esta página."),
    404: ("Página não encontrada", "O endereço não existe ou você não tem acesso a ele."),
    405: ("Operação não permitida", "Esta página não aceita esse tipo de envio."),
    409: ("Conflito", "A situação mudou enquanto você a via. Confira e tente de novo."),
    413: ("Arquivo grande demais", "O envio ultrapassa o tamanho máximo permitido."),
    415: ("Arquivo sem visualização", "Este arquivo não pode ser visualizado no navegador."),
    422: ("Dados inválidos", "Confira os dados enviados."),
    429: (
        "Muitas tentativas",
        "Foram feitas muitas tentativas em pouco tempo. Aguarde um minuto e tente novamente.",
    ),
    500: ("Erro interno", "Ocorreu um erro inesperado. Tente novamente em alguns instantes."),
    503: ("Portal ocupado", BUSY_MESSAGE),
}

#: The HTTP status of each kind of refusal.
STATUS = {
    Kind.INVALID: 400,
    Kind.NOT_FOUND: 404,
    Kind.FORBIDDEN: 403,
    Kind.CONFLICT: 409,
    Kind.TOO_LARGE: 413,
    Kind.THROTTLED: 429,
}


def http_status(error: ServiceError) -> int:
    """The HTTP status that answers a service's refusal."""
    return STATUS[error.kind]


def problem(error: ServiceError, instance: str | None = None) -> dict:
    """An RFC 9457 problem document for a refusal (the API's error body)."""
    status = http_status(error)
    document = {
        "type": f"/api/v1/problemas/{error.kind.value}",
        "title": MESSAGES.get(status, MESSAGES[400])[0],
        "status": status,
        "detail": error.message,
    }
    if error.field:
        document["campo"] = error.field
    problems = getattr(error, "problems", None)
    if problems:
        document["erros"] = [{"campo": p.field, "mensagem": p.message} for p in problems]
    if instance:
        document["instance"] = instance
    return document


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def render_error(code: int, detail: str | None = None):
    """Render the error page for an HTTP status code."""
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    return render_template("erro.html", code=code, title=title, message=detail or message), code


def _service_error(error: ServiceError):
    # A view that has a form shows the refusal next to its field; one that reaches here
    # (a ticket that is not there, a task of another group) answers with its page.
    db.session.rollback()
    code = http_status(error)
    # "Not found" keeps the generic text: it must not tell what exists.
    return render_error(code, None if code == 404 else error.message)


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
    current_app.logger.exception("Unhandled error", exc_info=error)
    return render_error(InternalServerError.code)
