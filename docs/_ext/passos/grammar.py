"""Step grammar: read a manual sentence (pt-BR) as the ordered actions it describes.

Pure functions, no Sphinx and no browser. :func:`parse` reads the visible sentence;
:func:`bind` joins the result with what the prose cannot say (the hidden ``:valor:``,
``:anexo:`` and ``:alvo:`` options). Both raise :class:`GrammarError` with a message in
Portuguese, which the directive reports at ``file.rst:line``.

The grammar is deliberately small and explicit. A sentence is split into sentences
(``.``, ``!``, ``?``, ``;``) and each sentence into clauses at the connectors a manual uses
between actions (``, após``, ``e clique``, ``, em seguida`` …). Each clause must match one
of these forms, after optional lead-ins (``A seguir,``, ``Por último``,
``Para consultar …``):

* ``Acesse o menu “X”`` – open a menu: a menu item or button named X;
* ``Clique em “X”`` / ``Clique sobre “X”`` – a link, button, menu item or tab named X;
* ``Clique no botão|ícone|link|menu “X”``, ``Clique na aba “X”`` – that role only
  (``Clique na opção|no item “X”`` – as ``Clique em “X”``);
* ``Clique em cima do <texto sem aspas>`` – the link or button named by ``:alvo:``;
* ``No campo “X” informe|selecione|digite …`` and ``Informe no campo “X” …`` – fill
  the field labelled X with its ``:valor:`` (or with a quoted value: ``… selecione “Y”``);
* ``No campo “X” adicione|anexe …`` – attach the ``:anexo:`` files to the field X;
* ``Entre com …`` / ``Preencha …`` – fill every ``:valor:`` field (or the quoted fields);
* ``O campo|ícone|botão|link|menu “X” …``, ``A aba “X” …`` – X must be on the screen;
* ``Observe``/``Veja``/``Verifique`` …, or a clause saying the screen is shown
  (``será mostrada``, ``na tela que segue``, ``aparece``, ``poderão ser utilizadas``) –
  every quoted label must be on the screen as text;
* after ``após``/``depois``/``em seguida``, a bare “X” repeats a click: ``…, após “X”``.

Any other clause, and any quoted label that no form accounts for, is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Roles a target can have, and how messages name them.
ROLE_NAMES: dict[str, str] = {
    "menu": "menu",
    "clickable": "link ou botão",
    "button": "botão",
    "icon": "ícone",
    "link": "link",
    "tab": "aba",
    "field": "campo",
    "file": "campo de arquivo",
    "text": "texto",
}

# The verbs an action can have.
CLICK = "click"
FILL = "fill"
ATTACH = "attach"
CHECK = "check"
FILL_ALL = "fill_all"  # placeholder from parse(): one FILL per :valor:, expanded by bind()

EXAMPLES = (
    "“Acesse o menu “X”, após clique em “Y”.”, “Clique no botão “X”.”, "
    "“No campo “X” informe …”, “No campo “X” adicione …”, “Entre com usuário e senha …”, "
    "“Observe “X” …”"
)


class GrammarError(ValueError):
    """A sentence, or a hidden option, that the step grammar refuses (message in pt-BR)."""


@dataclass(frozen=True)
class Action:
    """One thing a step does or checks, in the order the sentence says it."""

    verb: str
    role: str
    label: str | None = None
    value: str | tuple[str, ...] | None = None

    def describe(self) -> str:
        """Say the action in Portuguese, for messages."""
        role = ROLE_NAMES[self.role]
        label = f"“{self.label}”" if self.label is not None else "(sem rótulo)"
        if self.verb == CLICK:
            return f"clicar em {label} ({role})"
        if self.verb == FILL:
            return f"preencher o campo {label}"
        if self.verb == ATTACH:
            return f"anexar arquivos ao campo {label}"
        if self.verb == FILL_ALL:
            return "preencher os campos de :valor:"
        return f"ver {label} ({role})"


# --- the vocabulary ---------------------------------------------------------------------

_OPENING_QUOTES = {"“": "”", '"': '"', "«": "»"}
_STRAY_CLOSING_QUOTES = "”»"
_TOKEN = "⟨{}⟩"
_L = r"⟨(\d+)⟩"  # a quoted label, after tokenisation
_NOT_LABEL = r"[^⟨⟩]"
_PROSE = r"[^⟨⟩,]"  # words without labels or commas

_SEQUENCE = r"(?:após|depois|em\s+seguida|então|por\s+último|por\s+fim|finalmente)"
_LEAD_IN = rf"(?:{_SEQUENCE}|a\s+seguir|agora|primeiro|inicialmente)"
_CLICK_VERB = r"(?:clique|clicar|pressione|pressionar|toque|tocar)"
_MENU_VERB = r"(?:acesse|acessar|abra|abrir)"
_FILL_VERB = (
    r"(?:informe|informar|digite|digitar|preencha|preencher|selecione|selecionar|"
    r"escolha|escolher|insira|inserir|escreva|escrever|marque|marcar)"
)
_ATTACH_VERB = r"(?:adicione|adicionar|anexe|anexar|inclua|incluir)"
_CHECK_VERB = (
    r"(?:observe|observar|veja|ver|verifique|verificar|note|notar|repare|confira|conferir)"
)
# Only imperatives start a new clause: infinitives also occur inside a clause
# ("No campo “X” informar", "Ao acessar o endereço …").
_IMPERATIVE = (
    r"(?:clique|pressione|toque|acesse|abra|informe|digite|preencha|selecione|escolha|"
    r"insira|escreva|marque|adicione|anexe|inclua|entre\s+com|observe|veja|verifique|"
    r"note|repare|confira|n[oa]\s+campo)"
)

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_I = re.IGNORECASE
_CLAUSE_BREAK = re.compile(
    rf"\s*,\s*(?=(?:e\s+)?(?:{_SEQUENCE}|{_IMPERATIVE})\b)"
    rf"|\s+(?=e\s+(?:{_SEQUENCE}\s*,?\s*)?{_IMPERATIVE}\b)"
    rf"|\s+(?={_SEQUENCE}\s*,?\s*(?:{_IMPERATIVE}\b|⟨))"
    rf"|\s+(?=e\b\s*,?\s*(?:{_SEQUENCE}\s*,?\s*)?em\s+⟨)",
    _I,
)
_LEADING_FILLERS = re.compile(rf"^(?:e\b\s*,?\s*)?(?:{_LEAD_IN}\s*,?\s*)*", _I)
_PURPOSE = re.compile(rf"^(?:para|se|caso|quando)\s+{_PROSE}*?\s(?={_IMPERATIVE}\b)", _I)
_ONLY_FILLER = re.compile(rf"^(?:(?:e\s+)?{_LEAD_IN}|(?:para|se|caso|quando)\s+{_PROSE}*)$", _I)

_ROLE_NOUNS = {
    "botão": "button",
    "botões": "button",
    "ícone": "icon",
    "ícones": "icon",
    "link": "link",
    "links": "link",
    "menu": "menu",
    "aba": "tab",
    "abas": "tab",
    "campo": "field",
    "campos": "field",
    "opção": "clickable",
    "item": "clickable",
}

# (regex, handler name); the first match wins, so specific forms come first.
_CLAUSE_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, _I), handler)
    for pattern, handler in (
        (rf"^{_MENU_VERB}\s+o\s+menu\s+{_L}", "open_menu"),
        (
            rf"^{_CLICK_VERB}\s+(?:n[oa]|sobre\s+[oa]|em\s+[oa])\s+"
            rf"(botão|ícone|link|menu|aba|opção|item)\s+{_L}",
            "click_role",
        ),
        (rf"^{_CLICK_VERB}\s+(?:em|sobre)\s+{_L}", "click"),
        (rf"^{_MENU_VERB}\s+{_L}", "click"),
        (
            rf"^{_CLICK_VERB}\s+(?:em\s+cima\s+d[oa]s?|sobre\s+[oa]s?)\s+"
            rf"{_PROSE}*?\(?\s*{_L}\s*\)?",
            "click",
        ),
        (
            rf"^{_CLICK_VERB}\s+(?:em\s+cima\s+d[oa]s?|sobre\s+[oa]s?)\s+"
            rf"({_NOT_LABEL}+)$",
            "click_target",
        ),
        (rf"^n[oa]\s+campo\s+{_L}\s*,?\s*{_FILL_VERB}\b(?:\s+{_L})?", "fill"),
        (rf"^n[oa]\s+campo\s+{_L}\s*,?\s*{_ATTACH_VERB}\b", "attach"),
        (rf"^{_FILL_VERB}\s+(?:n[oa]\s+|[oa]\s+)campo\s+{_L}(?:\s+com\s+{_L})?", "fill"),
        (rf"^{_FILL_VERB}\s+{_L}\s+n[oa]\s+campo\s+{_L}", "fill_quoted_value"),
        (rf"^{_ATTACH_VERB}\b{_NOT_LABEL}*?\bn[oa]\s+campo\s+{_L}", "attach"),
        (r"^(?:entre|entrar)\s+com\b", "fill_all"),
        (r"^(?:preencha|preencher)\b", "fill_all"),
        (
            r"^(?:[oa]s?)\s+(botão|botões|ícone|ícones|link|links|menu|aba|abas|campo|campos)"
            rf"\s+{_L}",
            "check_role",
        ),
        (
            rf"^{_CHECK_VERB}\s+(?:que\s+)?(?:[oa]s?\s+)?"
            rf"(botão|botões|ícone|ícones|link|links|menu|aba|abas|campo|campos)\s+{_L}",
            "check_role",
        ),
        (rf"^{_CHECK_VERB}\b", "check_all"),
        (
            r"\b(?:será|serão|é|são|está|estão)\s+(?:mostrad|exibid|apresentad|listad)\w*"
            r"|\bna\s+tela\s+(?:que\s+segue|a\s+seguir|seguinte)\b"
            r"|\baparece(?:m|rá|rão)?\b"
            r"|\bpoder(?:á|ão)\s+ser\s+utilizad\w*"
            r"|\bestar(?:á|ão)\s+disponíve\w*",
            "check_all",
        ),
        (rf"^(?:em\s+)?{_L}$", "repeat_click"),
    )
)


# A clause that starts with one of these verbs asks for an action: it must match an
# action form, never fall through to a form that only checks the screen.
_COMMAND = re.compile(rf"^(?:{_CLICK_VERB}|{_MENU_VERB}|{_FILL_VERB}|{_ATTACH_VERB})\b", _I)
_SHOWING = {"check_role", "check_all"}

# --- parsing ----------------------------------------------------------------------------


def parse(sentence: str) -> list[Action]:
    """Read a visible sentence (plain text, markup already removed) into actions.

    A sentence that only shows a screen ("… será mostrada a tela a seguir") gives no
    actions. ``Entre com …``/``Preencha …`` without quoted fields give a ``fill_all``
    placeholder that :func:`bind` expands.
    """
    text, labels = _tokenise(sentence)
    actions: list[Action] = []
    for part in _SENTENCE_END.split(text):
        clauses = [c for c in (_clean(c) for c in _CLAUSE_BREAK.split(part)) if c]
        for index, clause in enumerate(clauses):
            actions.extend(_parse_clause(clause, labels, first=index == 0, sentence=sentence))
    if not actions and labels:
        # Quoted labels in a sentence with no action: nothing checks them.
        raise GrammarError(_unaccounted(labels[0]))
    return actions


def _tokenise(sentence: str) -> tuple[str, list[str]]:
    """Replace each quoted label by a token ⟨n⟩ and normalise whitespace."""
    out: list[str] = []
    labels: list[str] = []
    i = 0
    while i < len(sentence):
        char = sentence[i]
        if char in _OPENING_QUOTES:
            closing = _OPENING_QUOTES[char]
            end = sentence.find(closing, i + 1)
            if end < 0:
                excerpt = sentence[i : i + 30].rstrip()
                raise GrammarError(f"aspas abertas e não fechadas em “{excerpt}…”")
            label = _clean_label(sentence[i + 1 : end])
            if not label:
                raise GrammarError("rótulo vazio entre aspas")
            out.append(_TOKEN.format(len(labels)))
            labels.append(label)
            i = end + 1
        elif char in _STRAY_CLOSING_QUOTES:
            raise GrammarError(f"aspas fechadas sem abertura perto de “{sentence[: i + 1]}”")
        else:
            out.append(char)
            i += 1
    return " ".join("".join(out).split()), labels


def _clean_label(raw: str) -> str:
    label = " ".join(raw.split())
    # "“Abrir.”": the sentence's punctuation written inside the quotes.
    if label.endswith((",", ";", ":")) or (label.endswith(".") and not label.endswith("..")):
        label = label[:-1].rstrip()
    return label


def _clean(clause: str) -> str:
    clause = clause.strip().rstrip(".!?;:").strip()
    if _ONLY_FILLER.match(clause):
        return ""
    clause = _LEADING_FILLERS.sub("", clause)
    return _PURPOSE.sub("", clause).strip()


def _parse_clause(clause: str, labels: list[str], *, first: bool, sentence: str) -> list[Action]:
    commands = _COMMAND.match(clause) is not None
    for pattern, handler in _CLAUSE_FORMS:
        match = pattern.search(clause)
        if match is None or (handler == "repeat_click" and first):
            continue
        if commands and handler in _SHOWING:
            break  # "Clique duas vezes em “X” que aparece …" is not a check
        actions, used = _HANDLERS[handler](match, clause, labels)
        for token in _tokens_in(clause):
            if token not in used:
                raise GrammarError(_unaccounted(labels[token]))
        return actions
    shown = _untokenise(clause, labels)
    raise GrammarError(
        f"a gramática dos passos não sabe ler “{shown}” (na frase “{sentence}”). "
        f"Escreva o passo com uma das formas conhecidas, por exemplo: {EXAMPLES}"
    )


def _tokens_in(clause: str) -> list[int]:
    return [int(n) for n in re.findall(_L, clause)]


def _untokenise(clause: str, labels: list[str]) -> str:
    return re.sub(_L, lambda m: f"“{labels[int(m.group(1))]}”", clause)


def _unaccounted(label: str) -> str:
    return (
        f"o rótulo “{label}” não tem papel reconhecível na frase: diga o que fazer com ele "
        "(“clique no botão “…””, “no campo “…” informe”, “observe “…””)"
    )


# --- clause handlers: (match, clause, labels) -> (actions, label indexes used) -----------

_Handled = tuple[list[Action], set[int]]


def _open_menu(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    n = int(match.group(1))
    return [Action(CLICK, "menu", labels[n])], {n}


def _click(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    n = int(match.group(1))
    return [Action(CLICK, "clickable", labels[n])], {n}


def _click_role(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    n = int(match.group(2))
    return [Action(CLICK, _ROLE_NOUNS[match.group(1).lower()], labels[n])], {n}


def _click_target(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    # The object is unquoted prose ("do seu chamado"): :alvo: names it.
    return [Action(CLICK, "clickable", None)], set()


def _fill(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    field = int(match.group(1))
    if match.group(2) is not None:
        value = int(match.group(2))
        return [Action(FILL, "field", labels[field], labels[value])], {field, value}
    return [Action(FILL, "field", labels[field])], {field}


def _fill_quoted_value(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    value, field = int(match.group(1)), int(match.group(2))
    return [Action(FILL, "field", labels[field], labels[value])], {field, value}


def _attach(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    n = int(match.group(1))
    return [Action(ATTACH, "file", labels[n])], {n}


def _fill_all(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    tokens = _tokens_in(clause)
    if not tokens:
        return [Action(FILL_ALL, "field")], set()
    return [Action(FILL, "field", labels[n]) for n in tokens], set(tokens)


def _check_role(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    role = _ROLE_NOUNS[match.group(1).lower()]
    tokens = _tokens_in(clause)
    return [Action(CHECK, role, labels[n]) for n in tokens], set(tokens)


def _check_all(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    tokens = _tokens_in(clause)
    return [Action(CHECK, "text", labels[n]) for n in tokens], set(tokens)


def _repeat_click(match: re.Match[str], clause: str, labels: list[str]) -> _Handled:
    return _click(match, clause, labels)


_HANDLERS = {
    "open_menu": _open_menu,
    "click": _click,
    "click_role": _click_role,
    "click_target": _click_target,
    "fill": _fill,
    "fill_quoted_value": _fill_quoted_value,
    "attach": _attach,
    "fill_all": _fill_all,
    "check_role": _check_role,
    "check_all": _check_all,
    "repeat_click": _repeat_click,
}


# --- binding hidden values --------------------------------------------------------------


def parse_pairs(text: str | None, option: str) -> list[tuple[str, str]]:
    """Read an option written as one ``Rótulo = texto`` per line."""
    pairs: list[tuple[str, str]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        label, sep, value = line.partition("=")
        label = _clean_label(label.strip().strip('“”"«»'))
        if not sep or not label:
            raise GrammarError(
                f"a opção :{option}: espera uma linha “Rótulo = texto” por valor; "
                f"não entendi “{line.strip()}”"
            )
        pairs.append((label, value.strip()))
    return pairs


def bind(
    actions: Sequence[Action],
    values: Iterable[tuple[str, str]] = (),
    files: Iterable[tuple[str, str]] = (),
    target: str | None = None,
) -> list[Action]:
    """Give each action the hidden value it needs; refuse missing and unused ones.

    ``values`` are ``:valor:`` pairs (field label, text), ``files`` are ``:anexo:`` pairs
    (field label, path) and ``target`` is ``:alvo:``, the accessible name of an item that
    the sentence describes without quoting it.
    """
    values = list(values)
    files = list(files)
    used_values: set[int] = set()
    used_files: set[int] = set()
    target_used = False
    bound: list[Action] = []
    for action in actions:
        if action.verb == FILL_ALL:
            for index, (label, text) in enumerate(values):
                if index not in used_values:
                    used_values.add(index)
                    bound.append(Action(FILL, "field", label, text))
        elif action.verb == FILL and action.value is None:
            index = _find(values, action.label, used_values)
            if index is None:
                raise GrammarError(
                    f"falta o valor do campo “{action.label}”: acrescente "
                    f"“:valor: {action.label} = …” ao passo"
                )
            used_values.add(index)
            bound.append(Action(FILL, "field", action.label, values[index][1]))
        elif action.verb == ATTACH:
            indexes = [i for i, (label, _) in enumerate(files) if _same(label, action.label)]
            if not indexes:
                raise GrammarError(
                    f"falta o arquivo do campo “{action.label}”: acrescente "
                    f"“:anexo: {action.label} = caminho/do/arquivo” ao passo"
                )
            used_files.update(indexes)
            paths = tuple(files[i][1] for i in indexes)
            bound.append(Action(ATTACH, "file", action.label, paths))
        elif action.verb == CLICK and action.label is None:
            if not target:
                raise GrammarError(
                    "o passo manda clicar em algo que não está entre aspas: acrescente "
                    "“:alvo: <nome do link ou botão na tela>” ao passo"
                )
            target_used = True
            bound.append(Action(CLICK, action.role, target))
        else:
            bound.append(action)
    for index, (label, _) in enumerate(values):
        if index not in used_values:
            raise GrammarError(
                f"o :valor: de “{label}” não corresponde a nenhum campo que a frase manda preencher"
            )
    for index, (label, _) in enumerate(files):
        if index not in used_files:
            raise GrammarError(
                f"o :anexo: de “{label}” não corresponde a nenhum campo que a frase manda anexar"
            )
    if target and not target_used:
        raise GrammarError("o :alvo: não corresponde a nenhum clique sem aspas na frase")
    return bound


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.casefold() == b.casefold()


def _find(pairs: list[tuple[str, str]], label: str | None, used: set[int]) -> int | None:
    for index, (key, _) in enumerate(pairs):
        if index not in used and _same(key, label):
            return index
    return None
