"""Error pages in Portuguese; a traceback is never shown to the user.

The services' refusals (services/errors.py) are mapped to HTTP here, once: `http_status` for
both the pages and the API, `problem` for the API's RFC 9457 documents.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
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
    415: ("Tipo de conteúdo não aceito", "O conteúdo enviado não é de um tipo aceito aqui."),
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
    Kind.UNAUTHENTICATED: 401,
}
#: The media type of the API's errors (RFC 9457).
PROBLEM_TYPE = "application/problem+json"
#: The problem type of an HTTP error that no service raised (an unknown address, a method).
HTTP_KINDS = {
    400: Kind.INVALID.value,
    401: Kind.UNAUTHENTICATED.value,
    403: Kind.FORBIDDEN.value,
    404: Kind.NOT_FOUND.value,
    405: "metodo-nao-permitido",
    409: Kind.CONFLICT.value,
    413: Kind.TOO_LARGE.value,
    415: "tipo-nao-aceito",
    429: Kind.THROTTLED.value,
    500: "erro-interno",
    503: "ocupado",
}
#: Titles that speak of the API's resources rather than of pages.
API_TITLES = {
    400: "Pedido inválido",
    404: "Não encontrado",
    405: "Método não permitido",
    413: "Pedido grande demais",
}
API_MESSAGES = {
    401: "Envie um token de acesso pessoal no cabeçalho “Authorization: Bearer <token>”.",
    404: "O endereço não existe na API ou você não tem acesso a ele.",
    405: "Este endereço da API não aceita o método {method}.",
    413: "O corpo do pedido é grande demais e não foi lido.",
    415: "Envie o corpo do pedido como application/json (ou multipart/form-data, para anexos).",
    400: "O pedido não pôde ser entendido.",
}


def http_status(error: ServiceError) -> int:
    """The HTTP status that answers a service's refusal."""
    return STATUS[error.kind]


def problem(error: ServiceError, instance: str | None = None) -> dict:
    """An RFC 9457 problem document for a refusal (the API's error body)."""
    problems = getattr(error, "problems", None)
    return problem_document(
        http_status(error),
        error.message,
        error.kind.value,
        field=error.field,
        problems=[(p.field, p.message) for p in problems or ()],
        instance=instance,
    )


def problem_document(
    status: int,
    detail: str,
    kind: str | None = None,
    field: str | None = None,
    problems: list[tuple[str | None, str]] | None = None,
    instance: str | None = None,
) -> dict:
    """An RFC 9457 problem document: the type, its title, the status and what happened."""
    kind = kind or HTTP_KINDS.get(status, HTTP_KINDS[500 if status >= 500 else 400])
    document = {
        "type": f"/api/v1/problemas/{kind}",
        "title": API_TITLES.get(status)
        or MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])[0],
        "status": status,
        "detail": detail,
    }
    if field:
        document["campo"] = field
    if problems:
        document["erros"] = [{"campo": f or "", "mensagem": m} for f, m in problems]
    if instance:
        document["instance"] = instance
    return document


def problem_response(document: dict, headers: dict | None = None) -> Response:
    """Send a problem document, with the headers its status calls for."""
    response = jsonify(document)
    response.status_code = document["status"]
    response.mimetype = PROBLEM_TYPE
    if document["status"] == 401:
        # RFC 6750: a token that was sent and refused is an invalid_token.
        sent = bool(request.headers.get("Authorization"))
        response.headers["WWW-Authenticate"] = (
            'Bearer realm="api", error="invalid_token"' if sent else 'Bearer realm="api"'
        )
    response.headers.extend(headers or {})
    return response


def is_api_request() -> bool:
    """Whether the request is the API's (its errors are problem documents, not pages)."""
    return request.path.startswith("/api/")


def _api_refusal(error: ServiceError) -> Response:
    headers = {}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return problem_response(problem(error, request.path), headers)


def _api_http_error(error: HTTPException) -> Response:
    code = error.code or 500
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages is not None:
        # The API's schemas refused the request (webargs): one problem per field.
        found = list(_input_problems(messages))
        if found:
            return problem_response(
                problem_document(
                    400,
                    found[0][1],
                    Kind.INVALID.value,
                    field=found[0][0],
                    problems=found,
                    instance=request.path,
                )
            )
    detail = API_MESSAGES.get(code, MESSAGES.get(code, MESSAGES[400])[1])
    headers = {}
    if code == 405:
        detail = detail.format(method=request.method)
        headers = {k: v for k, v in error.get_headers() if k == "Allow"}
    return problem_response(problem_document(code, detail, instance=request.path), headers)


def _input_problems(messages, field: str | None = None):
    """(field, Portuguese sentence) for each message of a marshmallow/webargs error tree."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "files", "form", "headers", "view_args") and field is None:
                yield from _input_problems(value, None)
            elif key == "_schema":
                yield from _input_problems(value, field)
            else:
                name = str(key) if field is None else f"{field}.{key}"
                yield from _input_problems(value, name)
        return
    for text in messages if isinstance(messages, list) else [messages]:
        text = str(text)
        if text == "Invalid JSON body.":
            yield None, "O corpo do pedido não é um JSON válido."
        elif field and text[:1].islower():
            yield field, f"O campo “{field}” {text}."
        else:
            yield field, text


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def render_error(code: int, detail: str | None = None, title: str | None = None):
    """Render the error page for an HTTP status code."""
    generic, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    page = render_template(
        "erro.html", code=code, title=title or generic, message=detail or message
    )
    return page, code


def _service_error(error: ServiceError):
    # A view that has a form shows the refusal next to its field; one that reaches here
    # (a ticket that is not there, a task of another group) answers with its page.
    db.session.rollback()
    if is_api_request():
        return _api_refusal(error)
    code = http_status(error)
    # "Not found" keeps the generic text: it must not tell what exists.
    return render_error(code, None if code == 404 else error.message)


def _http_error(error: HTTPException):
    if is_api_request():
        return _api_http_error(error)
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
        if is_api_request():
            return problem_response(problem_document(503, BUSY_MESSAGE), {"Retry-After": "5"})
        return render_error(503)
    current_app.logger.exception("Unhandled error", exc_info=error)
    if is_api_request():
        return problem_response(problem_document(500, MESSAGES[500][1]))
    return render_error(InternalServerError.code)
