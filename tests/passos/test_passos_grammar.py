"""The step grammar: every sentence of the original manual that has a figure, and refusals."""

from __future__ import annotations

import pytest
from passos.grammar import (
    ATTACH,
    CHECK,
    CLICK,
    FILL,
    FILL_ALL,
    Action,
    GrammarError,
    bind,
    parse,
    parse_pairs,
)

# The sentences of the original manual (seed 000_6bbcd9a2e1167740) before each figure,
# as the manual will write them, with the actions they must give.
ORIGINAL_SENTENCES = [
    pytest.param(
        "Ao acessar o endereço http://suporte.servicos.gov.br será mostrada no navegador "
        "de internet a tela a seguir:",
        [],
        id="tela51-entrada",
    ),
    pytest.param(
        "Entre com usuário e senha que foram fornecidos por e-mail:",
        [Action(FILL_ALL, "field")],
        id="tela52-login",
    ),
    pytest.param(
        # The original lost the closing quote: “Abrir.
        "Acesse o menu “Processos”, após clique em “Abrir”.",
        [Action(CLICK, "menu", "Processos"), Action(CLICK, "clickable", "Abrir")],
        id="tela53-menu",
    ),
    pytest.param(
        "A seguir, clique em “Abertura de Chamado”.",
        [Action(CLICK, "clickable", "Abertura de Chamado")],
        id="tela54-abertura",
    ),
    pytest.param(
        "Preencha a sua solicitação no formulário a seguir e atenção aos seguintes itens.",
        [Action(FILL_ALL, "field")],
        id="tela55-formulario",
    ),
    pytest.param(
        'O campo "código" demonstra qual será o número do chamado [não se esqueça de '
        'anotá-lo]. O ícone "fluxo vivo" exibe o andamento do seu atendimento.',
        [Action(CHECK, "field", "código"), Action(CHECK, "icon", "fluxo vivo")],
        id="tela56-codigo",
    ),
    pytest.param(
        "No campo “Categoria” informar:",
        [Action(FILL, "field", "Categoria")],
        id="tela57-categoria",
    ),
    pytest.param(
        "No campo “Anexos” adicione todos os arquivos necessários para o entendimento do "
        "chamado, tais como, print de telas, PDF, arquivos utilizados na "
        "solicitação/atendimento, passo-a-passo seguido pelo usuário até encontrar o erro "
        "(contextualização do problema).",
        [Action(ATTACH, "file", "Anexos")],
        id="tela58-anexos",
    ),
    pytest.param(
        "Clique no botão “Aprovar” para enviar a sua solicitação.",
        [Action(CLICK, "button", "Aprovar")],
        id="tela58-aprovar",
    ),
    pytest.param(
        "Para consultar o andamento de sua solicitação clique no ícone “Minha Área”, após "
        "“Selecionados”.",
        [Action(CLICK, "icon", "Minha Área"), Action(CLICK, "clickable", "Selecionados")],
        id="tela59-minha-area",
    ),
    pytest.param(
        "Informe no campo “Nº do Processo” o número/código do seu chamado e clique no botão "
        "“Buscar”. Por último clique em cima do seu chamado que aparece nos resultados.",
        [
            Action(FILL, "field", "Nº do Processo"),
            Action(CLICK, "button", "Buscar"),
            Action(CLICK, "clickable", None),
        ],
        id="tela60-busca",
    ),
    pytest.param(
        # The original has the options in bold; the manual quotes them so they are checked.
        "Na tela que segue as seguintes opções poderão ser utilizadas: “Status”, “Acessar” "
        "e “Listagem”.",
        [
            Action(CHECK, "text", "Status"),
            Action(CHECK, "text", "Acessar"),
            Action(CHECK, "text", "Listagem"),
        ],
        id="tela60-opcoes",
    ),
]


@pytest.mark.parametrize(("sentence", "actions"), ORIGINAL_SENTENCES)
def test_original_sentences(sentence: str, actions: list[Action]) -> None:
    assert parse(sentence) == actions


@pytest.mark.parametrize(
    ("sentence", "actions"),
    [
        ("Clique no link “Ajuda”.", [Action(CLICK, "link", "Ajuda")]),
        ("Clique na aba “Status”.", [Action(CLICK, "tab", "Status")]),
        ("Clique na opção “Sair”.", [Action(CLICK, "clickable", "Sair")]),
        (
            "Clique em “Salvar” e em “Fechar”.",
            [Action(CLICK, "clickable", "Salvar"), Action(CLICK, "clickable", "Fechar")],
        ),
        ("clique sobre o botão “Salvar”", [Action(CLICK, "button", "Salvar")]),
        ("Acesse “Minha Área”.", [Action(CLICK, "clickable", "Minha Área")]),
        (
            "Clique em “Salvar” e depois em “Fechar”.",
            [Action(CLICK, "clickable", "Salvar"), Action(CLICK, "clickable", "Fechar")],
        ),
        (
            "Clique em “Salvar”, em seguida clique na aba “Status”.",
            [Action(CLICK, "clickable", "Salvar"), Action(CLICK, "tab", "Status")],
        ),
        (
            "No campo “Categoria” selecione “Consulta Técnica”.",
            [Action(FILL, "field", "Categoria", "Consulta Técnica")],
        ),
        (
            "Selecione “Consulta Técnica” no campo “Categoria”.",
            [Action(FILL, "field", "Categoria", "Consulta Técnica")],
        ),
        ("Digite no campo “Assunto” um resumo.", [Action(FILL, "field", "Assunto")]),
        ("Preencha o campo “Assunto”.", [Action(FILL, "field", "Assunto")]),
        ("Anexe os arquivos no campo “Anexos”.", [Action(ATTACH, "file", "Anexos")]),
        (
            "Entre com “Usuário” e “Senha”.",
            [Action(FILL, "field", "Usuário"), Action(FILL, "field", "Senha")],
        ),
        (
            "Observe os botões “Status” e “Acessar”.",
            [Action(CHECK, "button", "Status"), Action(CHECK, "button", "Acessar")],
        ),
        ("Veja a tela de início.", []),
        ("Observe que “Aprovado” aparece no topo.", [Action(CHECK, "text", "Aprovado")]),
        ("A aba “Status” exibe o histórico.", [Action(CHECK, "tab", "Status")]),
        ("Para enviar, clique no botão “Aprovar”.", [Action(CLICK, "button", "Aprovar")]),
        ("Clique em “Abrir.”", [Action(CLICK, "clickable", "Abrir")]),
        (
            "Por último clique em cima do seu chamado (“2026-000003”) que aparece nos resultados.",
            [Action(CLICK, "clickable", "2026-000003")],
        ),
        (
            "Clique em “2026-000001” para abrir o chamado e, depois, em “Status”.",
            [Action(CLICK, "clickable", "2026-000001"), Action(CLICK, "clickable", "Status")],
        ),
        (
            "Preencha os campos “Senha atual”, “Nova senha” e “Confirme a nova senha” e "
            "clique no botão “Salvar nova senha”.",
            [
                Action(FILL, "field", "Senha atual"),
                Action(FILL, "field", "Nova senha"),
                Action(FILL, "field", "Confirme a nova senha"),
                Action(CLICK, "button", "Salvar nova senha"),
            ],
        ),
        (
            "Entre com usuário e senha que foram fornecidos por e-mail e clique em “Entrar”:",
            [Action(FILL_ALL, "field"), Action(CLICK, "clickable", "Entrar")],
        ),
        ("CLIQUE NO BOTÃO “OK”.", [Action(CLICK, "button", "OK")]),
        ("Clique   no\n botão “Nº   do Processo”.", [Action(CLICK, "button", "Nº do Processo")]),
    ],
)
def test_other_forms(sentence: str, actions: list[Action]) -> None:
    assert parse(sentence) == actions


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        # The original as it was converted: the closing quote of “Abrir” is missing.
        ("Acesse o menu “Processos”, após clique em “Abrir.", "aspas abertas e não fechadas"),
        ("Clique em Abrir”.", "aspas fechadas sem abertura"),
        ("Clique em “”.", "rótulo vazio"),
        (
            "Além desse processo todo, tem a opção de ligar diretamente no suporte da lecom.",
            "não sabe ler “Além desse processo todo",
        ),
        ("Clique duas vezes em “Abrir”.", "não sabe ler “Clique duas vezes em “Abrir””"),
        ("Arraste o “Arquivo” para a lixeira.", "não sabe ler"),
        ("Clique em “Salvar” e “Fechar”.", "o rótulo “Fechar” não tem papel reconhecível"),
        ("Clique no botão “Salvar” e no botão “Fechar”.", "o rótulo “Fechar” não tem papel"),
        ("Clique no botão “Aprovar” ou “Cancelar”.", "o rótulo “Cancelar” não tem papel"),
        ("Dúvidas sobre “regras de negócio” vão ao gestor.", "não sabe ler"),
        ("“Abrir”.", "não sabe ler"),
        ("Para não perder o número, anote-o e clique em “Salvar”.", "não sabe ler “Para não"),
        # an action that the grammar cannot read is never taken for a check
        ("Clique duas vezes em “X” que aparece na tela.", "não sabe ler “Clique duas vezes"),
    ],
)
def test_refused(sentence: str, message: str) -> None:
    with pytest.raises(GrammarError, match=message.replace("(", r"\(")):
        parse(sentence)


def test_refusal_lists_known_forms() -> None:
    with pytest.raises(GrammarError) as error:
        parse("Arraste o arquivo.")
    assert "Acesse o menu “X”, após clique em “Y”." in str(error.value)


# --- binding hidden values --------------------------------------------------------------


def test_bind_fills_every_value_for_entre_com() -> None:
    values = parse_pairs("Usuário = maria@orgao.gov.br\nSenha = s3nha", "valor")
    bound = bind(parse("Entre com usuário e senha:"), values)
    assert bound == [
        Action(FILL, "field", "Usuário", "maria@orgao.gov.br"),
        Action(FILL, "field", "Senha", "s3nha"),
    ]


def test_bind_preencha_without_values_only_shows() -> None:
    assert bind(parse("Preencha a sua solicitação no formulário a seguir.")) == []


def test_bind_value_by_label_ignoring_case() -> None:
    bound = bind(parse("No campo “Categoria” informar:"), [("categoria", "Consulta Técnica")])
    assert bound == [Action(FILL, "field", "Categoria", "Consulta Técnica")]


def test_bind_missing_value_is_refused() -> None:
    with pytest.raises(GrammarError, match="falta o valor do campo “Categoria”"):
        bind(parse("No campo “Categoria” informar:"))


def test_bind_unused_value_is_refused() -> None:
    with pytest.raises(GrammarError, match="o :valor: de “Assunto” não corresponde"):
        bind(parse("Clique no botão “Aprovar”."), [("Assunto", "x")])


def test_bind_files() -> None:
    files = [("Anexos", "a/print.png"), ("Anexos", "a/log.txt")]
    bound = bind(parse("No campo “Anexos” adicione os arquivos."), files=files)
    assert bound == [Action(ATTACH, "file", "Anexos", ("a/print.png", "a/log.txt"))]


def test_bind_missing_file_is_refused() -> None:
    with pytest.raises(GrammarError, match="falta o arquivo do campo “Anexos”"):
        bind(parse("No campo “Anexos” adicione os arquivos."))


def test_bind_target_of_unquoted_click() -> None:
    sentence = "Por último clique em cima do seu chamado que aparece nos resultados."
    assert bind(parse(sentence), target="Chamado 2025/0001") == [
        Action(CLICK, "clickable", "Chamado 2025/0001")
    ]
    with pytest.raises(GrammarError, match=":alvo:"):
        bind(parse(sentence))
    with pytest.raises(GrammarError, match="o :alvo: não corresponde"):
        bind(parse("Clique em “Abrir”."), target="Chamado 1")


def test_quoted_value_needs_no_hidden_value() -> None:
    bound = bind(parse("No campo “Categoria” selecione “Defeito”."))
    assert bound == [Action(FILL, "field", "Categoria", "Defeito")]


def test_parse_pairs() -> None:
    assert parse_pairs(" “Nº do Processo” = 2025/0001 \n\n Senha = a=b ", "valor") == [
        ("Nº do Processo", "2025/0001"),
        ("Senha", "a=b"),
    ]
    with pytest.raises(GrammarError, match="“Rótulo = texto”"):
        parse_pairs("sem sinal de igual", "valor")


def test_describe_in_portuguese() -> None:
    assert Action(CLICK, "button", "Aprovar").describe() == "clicar em “Aprovar” (botão)"
    assert Action(FILL, "field", "Categoria").describe() == "preencher o campo “Categoria”"
