"""The API chapter: its reference, rendered from the portal's own OpenAPI document, and its
examples, which the ``api-exemplos`` builder sends to a fresh portal.

Like ``passos`` (and ``sphinx.ext.doctest``): the ``api-exemplo`` directive only describes —
the command as the reader copies it (curl or Python ``requests``) and the answer the reader
should see —, and the builder acts: it serves a new portal (``passos_app``), gives the examples
their tokens (``api_exemplos_tokens``) and runs each command as printed, in document order,
with ``$PORTAL`` and the tokens in the environment. An answer differs when its status differs
or when a field it shows has another value (fields it does not show are not compared); the
build then fails, naming ``arquivo.rst:linha``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_ATTRIBUTE = "api_exemplo"
SEPARATOR = "--- resposta ---"
LANGUAGES = {"curl": "bash", "python": "python"}
STATUS_MARK = "__STATUS__"
#: Wraps the reader's curl so that the runner also learns the status (the reader's command,
#: which prints only the body, stays as printed).
CURL_WRAPPER = (
    "curl() { command curl --silent --show-error "
    f"--write-out '\\n{STATUS_MARK} %{{http_code}}\\n' \"$@\"; }}\n"
)


# --- the reference ----------------------------------------------------------------------


def openapi_document() -> dict:
    """The OpenAPI document of the portal, as /api/v1/openapi.json serves it."""
    sys.path.insert(0, str(ROOT))
    from demo.api import build_document

    return build_document()


def _inline(text: str) -> list[nodes.Node]:
    """Text with `code` spans (the specification's descriptions use them)."""
    parts = text.split("`")
    return [nodes.literal(text=p) if i % 2 else nodes.Text(p) for i, p in enumerate(parts) if p]


def _paragraphs(text: str | None) -> list[nodes.Node]:
    blocks = [" ".join(block.split()) for block in (text or "").split("\n\n")]
    return [nodes.paragraph("", "", *_inline(block)) for block in blocks if block]


def _schema_id(name: str) -> str:
    return f"api-documento-{name.lower()}"


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type_of(schema: dict) -> list[nodes.Node]:
    """A property's type, as a reader reads it: “texto”, “lista de Anexo”, “Etapa ou nulo”."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return [nodes.reference("", name, refid=_schema_id(name), internal=True)]
    if "anyOf" in schema:
        found: list[nodes.Node] = []
        for index, option in enumerate(schema["anyOf"]):
            if index:
                found.append(nodes.Text(" ou "))
            found += _type_of(option)
        return found
    kinds = schema.get("type", "qualquer")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = {
        "string": "texto",
        "integer": "inteiro",
        "boolean": "verdadeiro ou falso",
        "object": "objeto",
        "null": "nulo",
        "number": "número",
    }
    found = []
    for index, kind in enumerate(kinds):
        if index:
            found.append(nodes.Text(" ou "))
        if kind == "array":
            found.append(nodes.Text("lista de "))
            found += _type_of(schema.get("items", {}))
        elif kind == "string" and schema.get("format") == "date-time":
            found.append(nodes.Text("data e hora (ISO 8601)"))
        elif kind == "string" and schema.get("format") == "binary":
            found.append(nodes.Text("arquivo"))
        else:
            found.append(nodes.Text(words.get(kind, kind)))
    return found


def _constraints(schema: dict) -> str:
    found = []
    if "enum" in schema:
        found.append("um de: " + ", ".join(str(v) for v in schema["enum"]))
    if "maxLength" in schema:
        found.append(f"até {schema['maxLength']:,} caracteres".replace(",", "."))
    if "minimum" in schema and "maximum" in schema:
        found.append(f"de {schema['minimum']} a {schema['maximum']}")
    elif "minimum" in schema:
        found.append(f"a partir de {schema['minimum']}")
    if "default" in schema:
        found.append(f"padrão: {schema['default']}")
    if "pattern" in schema:
        found.append(f"formato {schema['pattern']}")
    return "; ".join(found)


def _field(name: str, schema: dict, required: bool, where: str | None = None) -> nodes.list_item:
    paragraph = nodes.paragraph()
    paragraph += nodes.literal(text=name)
    paragraph += nodes.Text(" (")
    if where:
        paragraph += nodes.Text(f"{where}, ")
    paragraph += _type_of(schema)
    if required:
        paragraph += nodes.Text(", obrigatório")
    paragraph += nodes.Text(")")
    description = schema.get("description")
    extra = _constraints(schema)
    if description or extra:
        paragraph += nodes.Text(" — ")
        paragraph += _inline(description or "")
        if description and extra:
            paragraph += nodes.Text("; ")
        paragraph += nodes.Text(extra)
    return nodes.list_item("", paragraph)


def _fields(schema: dict) -> nodes.bullet_list:
    required = set(schema.get("required", []))
    result = nodes.bullet_list()
    for name, prop in schema.get("properties", {}).items():
        result += _field(name, prop, name in required)
    return result


WHERE = {"path": "no caminho", "query": "na consulta", "header": "no cabeçalho"}


def _operation(
    method: str, path: str, operation: dict, shared: list[dict], components: dict
) -> list[nodes.Node]:
    title = nodes.rubric("", "", nodes.literal(text=f"{method.upper()} {path}"))
    title["ids"] = [
        f"api-{method}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}"
    ]
    result: list[nodes.Node] = [title]
    result += _paragraphs(operation.get("summary"))
    result += _paragraphs(operation.get("description"))
    parameters = shared + operation.get("parameters", [])
    if parameters:
        result.append(nodes.paragraph(text="Parâmetros:"))
        items = nodes.bullet_list()
        for parameter in parameters:
            schema = {**parameter.get("schema", {})}
            if parameter.get("description"):
                schema["description"] = parameter["description"]
            items += _field(
                parameter["name"],
                schema,
                parameter.get("required", False),
                WHERE.get(parameter["in"], parameter["in"]),
            )
        result.append(items)
    body = operation.get("requestBody")
    if body:
        for media, content in body["content"].items():
            paragraph = nodes.paragraph(text=f"Corpo ({media}): ")
            paragraph += _type_of(content.get("schema", {}))
            paragraph += nodes.Text(".")
            result.append(paragraph)
    responses = nodes.bullet_list()
    answers = operation.get("responses", {})
    for status in sorted(code for code in answers if code != "default"):
        response = answers[status]
        paragraph = nodes.paragraph()
        paragraph += nodes.strong(text=status)
        if "$ref" in response:
            found = components["responses"][_ref_name(response["$ref"])]
            paragraph += nodes.Text(f" — {found['description']}: ")
            paragraph += nodes.reference(
                "", "Problema", refid=_schema_id("Problema"), internal=True
            )
        else:
            content = response.get("content", {})
            if "application/json" in content:
                paragraph += nodes.Text(" — ")
                paragraph += _type_of(content["application/json"]["schema"])
            elif content:
                paragraph += nodes.Text(" — o arquivo")
            else:
                paragraph += nodes.Text(" — sem corpo")
        responses += nodes.list_item("", paragraph)
    result += [nodes.paragraph(text="Respostas:"), responses]
    return result


class ReferenceDirective(SphinxDirective):
    """``.. api-referencia::`` — every operation and every document of the API."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        for path in sorted((ROOT / "demo" / "api").glob("*.py")):
            self.env.note_dependency(str(path))
        for name in ("tickets", "tasks", "attachments", "numbering", "errors"):
            self.env.note_dependency(str(ROOT / "demo" / "services" / f"{name}.py"))
        self.env.note_dependency(str(ROOT / "demo" / "errors.py"))
        document = openapi_document()
        result: list[nodes.Node] = [
            nodes.paragraph(
                "",
                "",
                nodes.Text(f"OpenAPI {document['openapi']} · "),
                nodes.literal(text=document["info"]["title"]),
                nodes.Text(f", versão {document['info']['version']}."),
            )
        ]
        for tag in document.get("tags", []):
            heading = nodes.rubric(text=f"Recurso “{tag['name']}”")
            result += [heading, *_paragraphs(tag.get("description"))]
            for path, item in document["paths"].items():
                shared = item.get("parameters", [])
                for method, operation in item.items():
                    if method != "parameters" and tag["name"] in operation.get("tags", []):
                        result += _operation(
                            method, path, operation, shared, document["components"]
                        )
        result.append(nodes.rubric(text="Documentos"))
        for name, schema in document["components"]["schemas"].items():
            title = nodes.rubric("", "", nodes.literal(text=name))
            title["ids"] = [_schema_id(name)]
            result += [title, *_paragraphs(schema.get("description")), _fields(schema)]
        return result


# --- the examples -----------------------------------------------------------------------


def _clock(argument: str | None) -> str:
    from datetime import datetime

    value = directives.unchanged_required(argument).strip()
    datetime.fromisoformat(value)  # ValueError: the directive reports it
    return value


class ExampleDirective(SphinxDirective):
    """An example as the reader sees it: the command, then the answer.

    ::

        .. api-exemplo:: curl
           :status: 201

           curl "$PORTAL/api/v1/chamados" -H "Authorization: Bearer $TOKEN" ...
           --- resposta ---
           {"numero": "2026-000003", "situacao": "rascunho"}

    Hidden options: ``:status:`` (curl: the expected HTTP status) and ``:relogio:`` (the
    instant at which the portal stands from this example on).
    """

    required_arguments = 1
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "status": directives.positive_int,
        "relogio": _clock,
    }

    def run(self) -> list[nodes.Node]:
        language = self.arguments[0].strip()
        if language not in LANGUAGES:
            raise self.error(f"linguagem desconhecida “{language}”: use curl ou python")
        lines = list(self.content)
        if SEPARATOR not in [line.strip() for line in lines]:
            raise self.error(f"o exemplo precisa da linha “{SEPARATOR}” antes da resposta")
        cut = [line.strip() for line in lines].index(SEPARATOR)
        command = "\n".join(lines[:cut]).strip("\n")
        answer = "\n".join(lines[cut + 1 :]).strip("\n")
        if language == "curl" and "status" not in self.options:
            raise self.error("um exemplo curl precisa de :status: (o código HTTP esperado)")
        source, line = self.get_source_info()
        data = {
            "docname": self.env.docname,
            "source": source,
            "line": line,
            "language": language,
            "command": command,
            "answer": answer,
            "status": self.options.get("status"),
            "clock": self.options.get("relogio"),
        }
        code = nodes.literal_block(command, command, language=LANGUAGES[language])
        if language == "curl":
            caption = f"Resposta (HTTP {data['status']}):"
        else:
            caption = "Saída:"
        shown = nodes.literal_block(
            answer, answer, language="json" if answer.lstrip()[:1] in "{[" else "text"
        )
        container = nodes.container("", code, nodes.paragraph(text=caption), shown)
        container["classes"] = ["api-exemplo"]
        container[EXAMPLE_ATTRIBUTE] = data
        self.set_source_info(container)
        return [container]


def differences(shown: Any, actual: Any, where: str = "") -> list[str]:
    """What the reader was shown that the answer does not say (fields not shown are free)."""
    if isinstance(shown, dict):
        if not isinstance(actual, dict):
            return [f"{where or 'a resposta'}: esperado um objeto, veio {json.dumps(actual)}"]
        found = []
        for key, value in shown.items():
            place = f"{where}.{key}" if where else key
            if key not in actual:
                found.append(f"{place}: o campo não veio na resposta")
            else:
                found += differences(value, actual[key], place)
        return found
    if isinstance(shown, list):
        if not isinstance(actual, list) or len(actual) != len(shown):
            return [f"{where}: esperada uma lista de {len(shown)}, veio {json.dumps(actual)[:300]}"]
        found = []
        for index, (a, b) in enumerate(zip(shown, actual, strict=True)):
            found += differences(a, b, f"{where}[{index}]")
        return found
    if shown != actual:
        return [
            f"{where}: esperado {json.dumps(shown, ensure_ascii=False)}, "
            f"veio {json.dumps(actual, ensure_ascii=False)}"
        ]
    return []


def _compare(shown_text: str, output: str) -> list[str]:
    try:
        shown = json.loads(shown_text)
    except ValueError:
        wanted = [line.rstrip() for line in shown_text.strip().splitlines()]
        got = [line.rstrip() for line in output.strip().splitlines()]
        if wanted != got:
            return [f"saída esperada:\n{shown_text}\nsaída obtida:\n{output.strip()}"]
        return []
    try:
        actual = json.loads(output)
    except ValueError:
        return [f"a resposta não é JSON: {output.strip()[:500]}"]
    return differences(shown, actual)


class ExamplesBuilder(Builder):
    """Send every example of the manual to a fresh portal, in reading order."""

    name = "api-exemplos"
    epilog = ""
    allow_parallel = False

    def init(self) -> None:
        self.failures: list[str] = []
        self.run_count = 0

    def get_outdated_docs(self):
        return self.env.found_docs

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return ""

    def prepare_writing(self, docnames) -> None:
        pass

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        pass

    def write_documents(self, docnames) -> None:
        examples = []
        order = [self.config.root_doc, *self.env.toctree_includes.get(self.config.root_doc, [])]
        order += sorted(set(self.env.found_docs) - set(order))
        for docname in order:
            doctree = self.env.get_doctree(docname)
            for node in doctree.findall(nodes.container):
                if EXAMPLE_ATTRIBUTE in node:
                    examples.append(node[EXAMPLE_ATTRIBUTE])
        if not examples:
            logger.info("nenhum exemplo da API para executar")
            return
        sys.path.insert(0, str(ROOT))
        from passos import server

        app = server.create_portal(self.config.passos_app, _instant(self.config.passos_relogio))
        tokens = server.load_object(self.config.api_exemplos_tokens, "api_exemplos_tokens")(app)
        workdir = Path(self.srcdir) / self.config.api_exemplos_pasta
        with server.serving(app) as base_url:
            environment = {**os.environ, "PORTAL": base_url, **tokens}
            for example in examples:
                self._run(app, example, environment, workdir)

    def _run(self, app, example: dict, environment: dict, workdir: Path) -> None:
        where = f"{Path(example['source']).name}:{example['line']}"
        if example["clock"]:
            app.config["FROZEN_TIME"] = example["clock"]
        self.run_count += 1
        if example["language"] == "curl":
            script = CURL_WRAPPER + example["command"]
            done = subprocess.run(
                ["bash", "-c", script],
                env=environment,
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=60,
            )
            body, _, status = done.stdout.rpartition(f"\n{STATUS_MARK} ")
            problems = []
            if done.returncode != 0:
                problems.append(f"o comando terminou com {done.returncode}: {done.stderr.strip()}")
            elif status.strip() != str(example["status"]):
                problems.append(
                    f"status esperado {example['status']}, veio {status.strip()}: {body[:500]}"
                )
            else:
                problems += _compare(example["answer"], body)
        else:
            with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
                script.write(example["command"] + "\n")
            try:
                done = subprocess.run(
                    [sys.executable, script.name],
                    env=environment,
                    cwd=workdir,
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
            finally:
                os.unlink(script.name)
            if done.returncode != 0:
                problems = [f"o programa falhou:\n{done.stderr.strip()[-2000:]}"]
            else:
                problems = _compare(example["answer"], done.stdout)
        for problem in problems:
            self.failures.append(f"{where}: {problem}")
            logger.error("%s: %s", where, problem)

    def finish(self) -> None:
        if self.failures:
            logger.info(
                "%d de %d exemplo(s) da API não correspondem ao manual.",
                len({f.split(": ")[0] for f in self.failures}),
                self.run_count,
            )
        else:
            logger.info("%d exemplo(s) da API executado(s): nenhum problema.", self.run_count)


def _instant(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text)


def _set_exit_status(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and getattr(app.builder, "failures", None):
        app.statuscode = 1


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "api_exemplos_tokens",
        "",
        "",
        types=frozenset({str}),
        description='"module:callable" (app) returning {variable: token} for the examples',
    )
    app.add_config_value(
        "api_exemplos_pasta",
        "_arquivos",
        "",
        types=frozenset({str}),
        description="folder (relative to the manual) where the examples run (their files)",
    )
    app.add_directive("api-referencia", ReferenceDirective)
    app.add_directive("api-exemplo", ExampleDirective)
    app.add_builder(ExamplesBuilder)
    app.connect("build-finished", _set_exit_status)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
