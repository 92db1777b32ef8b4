"""eMAG 3.1's access keys: one list for the bar of every page, the Acessibilidade page and the
manual (which loads this file by its path: it must stay free of Flask and of the portal)."""

from __future__ import annotations

from typing import NamedTuple


class AccessKey(NamedTuple):
    key: str  # pressed with Alt (Alt+Shift in Firefox, Control+Option on a Mac)
    target: str  # the id it leads to ("busca": the site's search, see templating.py)
    label: str  # the link's text in the bar
    where: str  # what it reaches, for the Acessibilidade page and the manual


ACCESS_KEYS = (
    AccessKey("1", "conteudo", "Ir para o conteúdo", "O conteúdo principal da página"),
    AccessKey(
        "2",
        "menu",
        "Ir para o menu",
        "O menu do site (antes de entrar, os links Acessibilidade e Alto contraste do cabeçalho)",
    ),
    AccessKey(
        "3",
        "busca",
        "Ir para a busca",
        "A busca: o campo “Nº do Processo” de Minha Área › Selecionados no site de suporte, "
        "o campo “Protocolo” de Minha área no site dos serviços públicos e, antes de entrar, "
        "a busca do manual",
    ),
    AccessKey("4", "rodape", "Ir para o rodapé", "O rodapé, com o telefone do suporte e o manual"),
)
