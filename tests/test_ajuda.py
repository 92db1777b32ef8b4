"""Contextual help: every screen the manual documents links to its section, and every link of
the map (demo/manual_help.py) points to a section that exists.

The screens the manual's steps visit are checked in the browser, as the tour follows each
chapter (tests/test_praticar_navegador.py): one of them without its Ajuda link fails there.
"""

from __future__ import annotations

import re

import pytest
from apoio_atendimento import ANA, JOAO, PASSWORDS, Person
from apoio_chamados import FROZEN, MARIA
from apoio_paginas import crawl
from apoio_turmas import TRAINER, make_class

from demo.manual_help import HELP

AJUDA = re.compile(r'<a class="[^"]*portal-ajuda[^"]*" href="([^"]+)"')


def test_every_entry_names_a_screen_and_a_section_that_exist(app, manual_build):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unknown = sorted(set(HELP) - endpoints)
    assert not unknown, f"telas que o portal não tem: {unknown}"
    missing = []
    for endpoint, target in HELP.items():
        page, _, anchor = target.partition("#")
        path = manual_build / "html" / page
        if not path.is_file():
            missing.append(f"{endpoint}: {page} não existe no manual")
        elif anchor and f'id="{anchor}"' not in path.read_text("utf-8"):
            missing.append(f"{endpoint}: {page} não tem a seção #{anchor}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("who", [MARIA, JOAO, ANA, TRAINER])
def test_each_documented_screen_shows_its_link(app, who):
    app.config["FROZEN_TIME"] = FROZEN
    make_class(app, "turma-a")
    person = Person(app, who)
    pages = crawl(person.client, "/")
    seen = 0
    for path, response in pages.items():
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        screen = re.search(r'data-tela="([^"]*)"', response.text)
        if screen is None:
            continue
        links = AJUDA.findall(response.text)
        if screen.group(1) in HELP:
            seen += 1
            page, _, anchor = HELP[screen.group(1)].partition("#")
            expected = f"/manual/{page}" + (f"#{anchor}" if anchor else "")
            assert links == [expected], (path, links)
        else:
            assert links == [], (path, links)
    assert seen >= 3, sorted(pages)
    assert PASSWORDS[who]
