"""chamados, anexos, historico, fluxo and respostas: a ticket as its requester and team see it."""

from __future__ import annotations

from flask import send_file, url_for
from flask.views import MethodView

from ..models import TicketStatus
from ..services import attachments, numbering, tasks, tickets
from ..services.tickets import DeadlineState
from . import authenticate, present, schemas, user
from .base import NUMBER, Blueprint
from .docs import errors_doc, file_response

bp = Blueprint(
    "api_chamados",
    __name__,
    tag="chamados",
    description="Chamados, seus anexos, histórico, fluxo e as respostas do solicitante.",
)
bp.before_request(authenticate)


def _visible(numero: str):
    numbering.require_number(numero)
    return tickets.get_visible(user(), numero)


def _own(numero: str):
    numbering.require_number(numero)
    return tickets.get_own(user(), numero)


@bp.route("/chamados")
class Chamados(MethodView):
    @bp.arguments(schemas.ListQuery, location="query")
    @bp.response(200, schemas.TicketPage)
    @bp.doc(**errors_doc(400, 401, 429))
    def get(self, query):
        """Lista os chamados que você pode ver, com filtros e páginas.

        Um solicitante vê os chamados do seu órgão (e os próprios rascunhos); a equipe de
        suporte vê todos os enviados.
        """
        filters = tickets.Filters(
            status=TicketStatus(query["situacao"]) if "situacao" in query else None,
            category=query.get("categoria"),
            step=query.get("etapa"),
            deadline=DeadlineState(query["prazo"]) if "prazo" in query else None,
            number=query.get("numero"),
            mine=query.get("meus", False),
            order=query["ordem"],
        )
        found = tickets.listing(user(), filters, query["pagina"], query["por_pagina"])
        return present.page(found)

    @bp.arguments(schemas.DraftFields, required=False)
    @bp.response(201, schemas.Ticket, headers={"Location": {"schema": {"type": "string"}}})
    @bp.doc(**errors_doc(400, 401, 403, 413, 429))
    def post(self, fields):
        """Abre um rascunho de chamado, reservando o seu número (Processos › Abrir).

        Os campos enviados são gravados no rascunho; o chamado segue para a equipe de suporte
        só depois de `aprovar`.
        """
        data = tickets.DraftInput(
            fields.get("categoria"), fields.get("assunto"), fields.get("descricao")
        )
        ticket = tickets.new_draft(user(), data if fields else None)
        location = url_for(".Chamado", numero=ticket.number)
        return present.ticket(user(), ticket), 201, {"Location": location}


@bp.route("/chamados/<numero>", parameters=[NUMBER])
class Chamado(MethodView):
    @bp.response(200, schemas.Ticket)
    @bp.doc(**errors_doc(400, 401, 404, 429))
    def get(self, numero):
        """Um chamado: situação, etapa, prazo, anexos e o que você pode decidir agora."""
        ticket = _visible(numero)
        return present.ticket(user(), ticket)

    @bp.arguments(schemas.DraftFields)
    @bp.response(200, schemas.Ticket)
    @bp.doc(**errors_doc(400, 401, 403, 404, 409, 413, 429))
    def patch(self, fields, numero):
        """Altera o rascunho: tudo o que foi enviado, ou nada (se algum campo estiver errado)."""
        ticket = _own(numero)
        data = tickets.DraftInput(
            fields.get("categoria"), fields.get("assunto"), fields.get("descricao")
        )
        return present.ticket(user(), tickets.update_draft(ticket, data))


@bp.route("/chamados/<numero>/aprovar", methods=["POST"], parameters=[NUMBER])
@bp.response(200, schemas.Ticket)
@bp.doc(**errors_doc(400, 401, 403, 404, 409, 429))
def aprovar(numero):
    """Aprovar: envia o rascunho à equipe de suporte; o prazo da categoria começa a correr."""
    ticket = _own(numero)
    return present.ticket(user(), tickets.approve(ticket, user()))


@bp.route("/chamados/<numero>/anexos", parameters=[NUMBER])
class Anexos(MethodView):
    @bp.response(200, schemas.Attachment(many=True))
    @bp.doc(**errors_doc(400, 401, 404, 429))
    def get(self, numero):
        """Os anexos do chamado."""
        return [present.attachment(a) for a in _visible(numero).attachments]

    @bp.arguments(schemas.Upload, location="files")
    @bp.response(201, schemas.Attachment)
    @bp.doc(**errors_doc(400, 401, 403, 404, 409, 413, 429))
    def post(self, files, numero):
        """Anexa um arquivo ao rascunho, com as mesmas verificações do formulário.

        O tipo é conferido pelo conteúdo, não só pela extensão; o tamanho e a quantidade
        têm os limites do portal.
        """
        ticket = _own(numero)
        upload = files["arquivo"]
        item = tickets.attach(ticket, user(), upload.stream, upload.filename)
        return present.attachment(item), 201


@bp.route("/chamados/<numero>/anexos/<int:anexo>", parameters=[NUMBER])
class Anexo(MethodView):
    @bp.doc(**errors_doc(400, 401, 404, 429, **{"200": file_response()}))
    def get(self, numero, anexo):
        """Baixa um anexo (o arquivo, com o nome original)."""
        item = tickets.attachment_of(_visible(numero), anexo)
        return send_file(
            attachments.path_of(item.stored_name),
            mimetype=item.content_type,
            as_attachment=True,
            download_name=item.original_name,
            max_age=0,
        )

    @bp.response(204)
    @bp.doc(**errors_doc(400, 401, 403, 404, 409, 429))
    def delete(self, numero, anexo):
        """Remove um anexo do rascunho (depois de aprovado, o anexo faz parte do registro)."""
        tickets.remove_attachment(_own(numero), anexo)
        return ""


@bp.route("/chamados/<numero>/historico", methods=["GET"], parameters=[NUMBER])
@bp.response(200, schemas.History)
@bp.doc(**errors_doc(400, 401, 404, 429))
def historico(numero):
    """Cada passagem pelas etapas (quem, quando, quanto tempo, como terminou) e as notas."""
    return present.history(user(), _visible(numero))


@bp.route("/chamados/<numero>/fluxo", methods=["GET"], parameters=[NUMBER])
@bp.response(200, schemas.Flow)
@bp.doc(**errors_doc(400, 401, 404, 429))
def fluxo(numero):
    """Onde o chamado está no seu processo (o BPMN): as etapas concluídas e a atual."""
    return present.flow(_visible(numero))


@bp.route("/chamados/<numero>/respostas", methods=["POST"], parameters=[NUMBER])
@bp.arguments(schemas.Decision)
@bp.response(200, schemas.Ticket)
@bp.doc(**errors_doc(400, 401, 403, 404, 409, 429))
def respostas(fields, numero):
    """A vez do solicitante: responder a um pedido de informações, aceitar ou recusar a solução.

    As decisões possíveis são as `acoes` do chamado, lidas do BPMN.
    """
    numbering.require_number(numero)
    ticket = tasks.requester_task(user(), numero)
    tasks.act(ticket, user(), fields["decisao"], fields["comentario"], fields["versao"])
    return present.ticket(user(), ticket)
