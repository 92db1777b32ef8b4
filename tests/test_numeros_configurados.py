"""One home for every number: what conf/ configures is never restated in conf/, the portal's
templates or the manual's sources, and deadlines are written from their hours alone."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from num2words import num2words

from demo.services.deadline_words import deadline_phrase, hours_phrase, in_words

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"


@dataclass(frozen=True)
class Fact:
    """A configured value, and the words that would restate it in prose."""

    key: str  # where it lives: its key in conf/portal.toml, or the category's code
    pattern: re.Pattern


def _number(value: int, unit: str) -> re.Pattern:
    """The number in digits (leading zeros allowed) or in words, either gender, then its unit,
    perhaps with the other spelling in parentheses between: “24 (vinte e quatro) horas”."""
    spellings = {re.escape(num2words(value, lang="pt_BR")), re.escape(in_words(value))}
    # not the tail of a longer number: “quatro” in “vinte e quatro”, “2” in “2026-000002”
    words = rf"(?<! e )\b(?:{'|'.join(sorted(spellings))})\b"
    number = rf"(?:(?<![\w.,/-])0*{value}(?![\d.,/])|{words})"
    return re.compile(rf"{number}\s*(?:\([^)]*\)\s*)?(?:{unit})\b", re.IGNORECASE)


def _literal(text: str) -> re.Pattern:
    return re.compile(re.escape(text), re.IGNORECASE)


def configured_facts(conf: Path = CONF) -> list[Fact]:
    portal = tomllib.loads((conf / "portal.toml").read_text("utf-8"))
    categories = tomllib.loads((conf / "categorias.toml").read_text("utf-8"))["categorias"]
    hours = r"horas?|h"
    phone_digits = re.sub(r"\D", "", portal["SUPPORT_PHONE"])
    return [
        *(Fact(c["codigo"], _number(int(c["horas"]), hours)) for c in categories),
        Fact("TEMPORARY_PASSWORD_HOURS", _number(portal["TEMPORARY_PASSWORD_HOURS"], hours)),
        Fact("ATTACHMENT_MAX_MB", _number(portal["ATTACHMENT_MAX_MB"], r"MB|megabytes?")),
        Fact("ATTACHMENT_MAX_COUNT", _number(portal["ATTACHMENT_MAX_COUNT"], r"arquivos|anexos")),
        Fact(
            "LOGIN_FAILURES_PER_ACCOUNT",
            _number(portal["LOGIN_FAILURES_PER_ACCOUNT"], r"tentativas|senhas erradas"),
        ),
        # (The minutes settings are not scanned: "15 min" is also how long a lesson step lasts.)
        Fact("SESSION_MAX_HOURS", _number(portal["SESSION_MAX_HOURS"], hours)),
        Fact("TICKET_REOPEN_DAYS", _number(portal["TICKET_REOPEN_DAYS"], r"dias?")),
        Fact("EXPORT_MAX_ROWS", _number(portal["EXPORT_MAX_ROWS"], r"chamados|linhas")),
        # the phone however it is punctuated: 0800-883-6216, 0800 883 6216, 08008836216
        Fact("SUPPORT_PHONE", re.compile(r"[\s.-]?".join(phone_digits))),
        Fact("SUPPORT_SITE_URL", _literal(portal["SUPPORT_SITE_URL"])),
        Fact("MAPA_SITE_URL", _literal(portal["MAPA_SITE_URL"])),
    ]


def _readable(path: Path) -> str:
    """The text a person reads: templates without their Jinja code and HTML tags."""
    text = path.read_text("utf-8")
    if "templates" in path.parts:
        text = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.DOTALL)
        text = re.sub(r"<[^>]*>", " ", text)
    if path.name == "portal.toml":  # each value's own line is its home
        text = re.sub(r"^[A-Z_]+\s*=.*$", "", text, flags=re.MULTILINE)
    return text


def sources(root: Path = ROOT) -> list[Path]:
    """conf/, the portal's templates and the manual's sources."""
    # (conf/demo/ also holds the demo tickets' attachments: images, not text anyone reads.)
    binary = {".png", ".jpg", ".jpeg", ".gif", ".pdf"}
    found = [p for p in (root / "conf").rglob("*") if p.is_file() and p.suffix not in binary]
    found += [p for p in (root / "demo").glob("**/templates/**/*") if p.is_file()]
    found += sorted((root / "docs").glob("*.rst"))
    return found


def restatements(paths: list[Path], facts: list[Fact], root: Path = ROOT) -> list[str]:
    problems = []
    for path in paths:
        text = _readable(path)
        for fact in facts:
            for match in fact.pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(
                    f"{path.relative_to(root)}:{line}: “{' '.join(match.group().split())}” "
                    f"repete {fact.key}; use o valor configurado"
                )
    return problems


def test_no_source_restates_a_configured_value():
    problems = restatements(sources(), configured_facts())
    assert not problems, "\n".join(problems)


def test_the_scan_sees_each_way_of_restating(tmp_path):
    facts = configured_facts()
    samples = {
        "docs/a.rst": "solução em até 24\n(vinte e quatro) horas corridas",
        "docs/b.rst": "A senha vale por setenta e duas horas.",
        "docs/c.rst": "Até 10 arquivos de 10 MB cada; ligue 0800 883 6216.",
        "demo/x/templates/x.html": "<p>Prazo: <strong>04</strong> horas</p>",
        "conf/categorias.toml": 'prazo = "solução em até 02 (duas) horas corridas"',
        "conf/portal.toml": "# Veja http://suporte.servicos.gov.br\nSUPPORT_PHONE = 1",
    }
    for name, text in samples.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    found = restatements([tmp_path / name for name in samples], facts, tmp_path)
    keys = [line.split(" repete ")[1].split(";")[0] for line in found]
    assert sorted(keys) == sorted(
        [
            "defeito-sem-paralisacao",
            "TEMPORARY_PASSWORD_HOURS",
            "ATTACHMENT_MAX_COUNT",
            "ATTACHMENT_MAX_MB",
            "SUPPORT_PHONE",
            "defeito-com-paralisacao",
            "consulta-tecnica",
            "SUPPORT_SITE_URL",
        ]
    ), found
    # Numbers that only look alike are no restatement.
    innocent = tmp_path / "docs" / "d.rst"
    innocent.write_text("Dois sites; o chamado 2026-000024 horas depois; 5 minutos.", "utf-8")
    assert restatements([innocent], facts, tmp_path) == []


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (1, "01 (uma) hora corrida"),
        (2, "02 (duas) horas corridas"),
        (24, "24 (vinte e quatro) horas corridas"),
        (72, "72 (setenta e duas) horas corridas"),
        (222, "222 (duzentas e vinte e duas) horas corridas"),
        (2001, "2001 (duas mil e uma) horas corridas"),
    ],
)
def test_hours_are_written_in_numerals_and_feminine_portuguese_words(hours, words):
    assert hours_phrase(hours) == words


def test_a_deadline_is_written_from_its_hours_and_its_start():
    assert deadline_phrase(4, "após o registro do defeito") == (
        "solução em até 04 (quatro) horas corridas após o registro do defeito"
    )
    with pytest.raises(ValueError):
        hours_phrase(0)
