"""The API's documents: marshmallow schemas that read requests and write responses.

They only shape data: every rule (lengths, known categories, who may see what) is checked by
the services, with the same Portuguese messages as the screens. The sizes a client should
know are copied into the schema as metadata (maxLength), from the services' own constants.
Marshmallow's messages are replaced by Portuguese ones written to follow a field's name
("O campo “versao” é obrigatório."), see `demo.api.problems`.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from ..models import TicketStatus
from ..services import tasks, tickets
from ..services.tickets import DeadlineState


class _Portuguese:
    default_error_messages = {
        "required": "é obrigatório",
        "null": "não pode ser nulo",
        "validator_failed": "tem um valor inválido",
    }


class Text(_Portuguese, fields.String):
    default_error_messages = {
        "invalid": "deve ser um texto",
        "invalid_utf8": "deve ser um texto em UTF-8",
    }


class Integer(_Portuguese, fields.Integer):
    default_error_messages = {
        "invalid": "deve ser um número inteiro",
        "too_large": "é grande demais",
    }

    def __init__(self, **kwargs):
        # "2" is not an integer in a JSON document: a client that sends it has a bug to see.
        super().__init__(strict=True, **kwargs)


class QueryInteger(_Portuguese, fields.Integer):
    """An integer in the query string (where everything arrives as text)."""

    default_error_messages = {
        "invalid": "deve ser um número inteiro",
        "too_large": "é grande demais",
    }


class Boolean(_Portuguese, fields.Boolean):
    default_error_messages = {"invalid": "deve ser verdadeiro ou falso"}


class DateTime(_Portuguese, fields.AwareDateTime):
    """An instant with its offset (the portal writes UTC)."""

    default_error_messages = {"invalid": "deve ser uma data e hora ISO 8601"}


class File(_Portuguese, fields.Raw):
    """An uploaded file (multipart/form-data)."""


class Choice(_Portuguese, fields.String):
    """A text among a fixed set of values (an enum in the specification)."""

    def __init__(self, values, **kwargs):
        values = list(values)
        joined = ", ".join(f"“{v}”" for v in values)
        super().__init__(
            validate=validate.OneOf(values, error=f"deve ser um destes valores: {joined}"),
            metadata={"enum": values, **kwargs.pop("metadata", {})},
            **kwargs,
        )


class Strict(Schema):
    """A request document: an unknown field is an error, never silently dropped."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "não existe neste pedido",
        "type": "O corpo do pedido deve ser um objeto JSON.",
    }


class Out(Schema):
    """A response document (the portal writes it; nothing to validate)."""


def _nullable(field_class, *args, **kwargs):
    return field_class(*args, allow_none=True, required=True, **kwargs)


# --- responses -------------------------------------------------------------------------


class Problem(Out):
    """A problem document (RFC 9457): what went wrong, in Portuguese."""

    spec_name = "Problema"

    class Meta:
        ordered = True

    class FieldProblem(Out):
        spec_name = "ProblemaDeCampo"

        campo = Text(required=True, metadata={"description": "o campo a corrigir"})
        mensagem = Text(required=True)

    type = Text(required=True, metadata={"description": "o tipo do problema (um URI relativo)"})
    title = Text(required=True, metadata={"description": "o título do tipo, em português"})
    status = Integer(required=True, metadata={"description": "o código HTTP da resposta"})
    detail = Text(required=True, metadata={"description": "o que aconteceu, em português"})
    campo = Text(metadata={"description": "o campo a que o problema se refere, se houver"})
    erros = fields.List(
        fields.Nested(FieldProblem),
        metadata={"description": "um item por campo, quando há vários a corrigir"},
    )
    instance = Text(metadata={"description": "o endereço do pedido que falhou"})


class Category(Out):
    spec_name = "Categoria"

    codigo = Text(required=True, metadata={"description": "o código, usado em `categoria`"})
    nome = Text(required=True)
    descricao = Text(required=True)
    horas = Integer(required=True, metadata={"description": "prazo de solução, horas corridas"})
    prazo = Text(required=True, metadata={"description": "o prazo por extenso, como no portal"})


class Deadline(Out):
    spec_name = "Prazo"

    situacao = Choice(
        [s.value for s in DeadlineState],
        required=True,
        metadata={
            "description": "sem-prazo (rascunho), no-prazo, perto (último quarto), "
            "vencido, parado (aguarda o solicitante, numa categoria em que o prazo para; "
            "vence_em nulo) ou encerrado"
        },
    )
    vence_em = _nullable(DateTime)
    horas = _nullable(Integer, metadata={"description": "o prazo da categoria ao enviar"})
    restante_segundos = _nullable(
        Integer, metadata={"description": "negativo depois do vencimento; nulo sem prazo correndo"}
    )


class Step(Out):
    spec_name = "Etapa"

    id = Text(required=True, metadata={"description": "o identificador da etapa no BPMN"})
    nome = Text(required=True)
    raia = _nullable(Text, metadata={"description": "o grupo que a executa (raia do BPMN)"})


class Action(Out):
    spec_name = "Acao"

    decisao = Text(required=True, metadata={"description": "o valor a enviar em `decisao`"})
    rotulo = Text(required=True, metadata={"description": "o rótulo do botão no portal"})
    comentario_obrigatorio = Boolean(required=True)


class Attachment(Out):
    spec_name = "Anexo"

    id = Integer(required=True)
    nome = Text(required=True)
    tipo = Text(required=True, metadata={"description": "o tipo do conteúdo (MIME)"})
    tamanho = Integer(required=True, metadata={"description": "em bytes"})
    sha256 = Text(required=True)
    etapa = Text(required=True, metadata={"description": "a etapa em que foi anexado"})
    enviado_em = DateTime(required=True)
    enviado_por = Text(required=True)


class TicketSummary(Out):
    spec_name = "ResumoDoChamado"

    numero = Text(
        required=True, metadata={"description": "o Nº do Processo", "example": "2026-000042"}
    )
    situacao = Choice([s.value for s in TicketStatus], required=True)
    orgao = Text(required=True, metadata={"description": "a sigla do órgão"})
    solicitante = Text(required=True)
    categoria = _nullable(Text)
    assunto = Text(required=True)
    etapa = fields.Nested(Step, allow_none=True, required=True)
    criado_em = DateTime(required=True)
    aberto_em = _nullable(DateTime)
    encerrado_em = _nullable(DateTime)
    prazo = fields.Nested(Deadline, required=True)
    versao = Integer(
        required=True,
        metadata={
            "description": "enviada de volta ao decidir: evita agir sobre uma situação que já mudou"
        },
    )


class Ticket(TicketSummary):
    spec_name = "Chamado"

    descricao = Text(required=True)
    anexos = fields.List(fields.Nested(Attachment), required=True)
    acoes = fields.List(
        fields.Nested(Action),
        required=True,
        metadata={"description": "o que quem pergunta pode decidir agora (vazio: não é a sua vez)"},
    )


class TicketPage(Out):
    spec_name = "PaginaDeChamados"

    itens = fields.List(fields.Nested(TicketSummary), required=True)
    pagina = Integer(required=True)
    por_pagina = Integer(required=True)
    total = Integer(required=True)
    paginas = Integer(required=True)


class HistoryRow(Out):
    spec_name = "Passagem"

    etapa = Text(required=True)
    quem = Text(required=True)
    inicio = DateTime(required=True)
    fim = _nullable(DateTime)
    duracao_segundos = Integer(required=True)
    desfecho = _nullable(
        Text, metadata={"description": "como a passagem terminou (o rótulo do BPMN)"}
    )
    comentario = Text(required=True)


class Note(Out):
    spec_name = "Nota"

    tipo = Choice(["publica", "sistema", "interna"], required=True)
    autor = _nullable(Text)
    etapa = _nullable(Text)
    texto = Text(required=True)
    criada_em = DateTime(required=True)


class History(Out):
    spec_name = "Historico"

    etapas = fields.List(fields.Nested(HistoryRow), required=True)
    notas = fields.List(
        fields.Nested(Note),
        required=True,
        metadata={"description": "as notas internas só aparecem para a equipe de suporte"},
    )


class FlowStep(Step):
    spec_name = "EtapaDoFluxo"

    situacao = Choice(["atual", "concluida", "pendente"], required=True)


class Flow(Out):
    spec_name = "Fluxo"

    processo = Text(required=True)
    atual = _nullable(Text, metadata={"description": "a etapa atual; nulo quando encerrado"})
    concluidas = fields.List(Text(), required=True)
    etapas = fields.List(fields.Nested(FlowStep), required=True)


class Task(TicketSummary):
    spec_name = "Tarefa"

    grupo = _nullable(Text)
    responsavel = _nullable(Text, metadata={"description": "quem assumiu a tarefa, se alguém"})
    acoes = fields.List(fields.Nested(Action), required=True)


class TaskList(Out):
    spec_name = "Fila"

    itens = fields.List(fields.Nested(Task), required=True)


# --- requests --------------------------------------------------------------------------


class DraftFields(Strict):
    spec_name = "CamposDoRascunho"

    categoria = Text(metadata={"description": "o código de uma das categorias"})
    assunto = Text(metadata={"maxLength": tickets.SUBJECT_MAX})
    descricao = Text(metadata={"maxLength": tickets.DESCRIPTION_MAX})


class Version(Strict):
    spec_name = "Versao"

    versao = Integer(required=True, metadata={"description": "a `versao` lida do chamado"})


class Decision(Strict):
    spec_name = "Decisao"

    decisao = Text(required=True, metadata={"description": "uma das `acoes` do chamado (do BPMN)"})
    comentario = Text(load_default="", metadata={"maxLength": tasks.COMMENT_MAX})
    versao = Integer(required=True, metadata={"description": "a `versao` lida do chamado"})


class NoteInput(Strict):
    spec_name = "NovaNota"

    texto = Text(required=True, metadata={"maxLength": tasks.COMMENT_MAX})


class Upload(Strict):
    spec_name = "Arquivo"

    arquivo = File(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "o arquivo a anexar"},
    )


class ListQuery(Schema):
    """Filters of the ticket list (unknown parameters are ignored, as browsers do)."""

    spec_name = "FiltrosDaLista"

    situacao = Choice([s.value for s in TicketStatus])
    categoria = Text()
    etapa = Text(metadata={"description": "o identificador de uma etapa do fluxo"})
    prazo = Choice([s.value for s in DeadlineState])
    numero = Text(metadata={"description": "o Nº do Processo (busca exata)"})
    meus = Boolean(metadata={"description": "só os chamados que eu abri"})
    ordem = Choice(list(tickets.ORDERS), load_default="numero")
    pagina = QueryInteger(load_default=1, metadata={"minimum": 1})
    por_pagina = QueryInteger(
        load_default=tickets.PER_PAGE_DEFAULT,
        metadata={"minimum": 1, "maximum": tickets.PER_PAGE_MAX},
    )
