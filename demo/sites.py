"""The two sites served by one portal and one account store.

The support site (tickets) lives at the root; the public-services attendance site
("mapa") lives under /mapa. Each has its own login page, layout and session cookie.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface


@dataclass(frozen=True)
class Site:
    """What differs between the two sites."""

    key: str
    prefix: str
    cookie: str
    layout: str
    accounts: str  # name of this site's registration of the accounts blueprint
    accessibility: str  # name of this site's registration of the accessibility blueprint
    home: str  # endpoint of the site's home page
    search: str  # endpoint of the site's search (access key 3), once logged in
    search_field: str  # id of its field
    name_setting: str  # config key of the site's display name
    url_setting: str  # config key of the site's public address


SUPPORT = Site(
    key="suporte",
    prefix="",
    cookie="sessao_suporte",
    layout="suporte/base.html",
    accounts="contas",
    accessibility="acessibilidade",
    home="suporte.inicio",
    search="minha_area.selecionados",
    search_field="numero",
    name_setting="SUPPORT_SITE_NAME",
    url_setting="SUPPORT_SITE_URL",
)
MAPA = Site(
    key="mapa",
    prefix="/mapa",
    cookie="sessao_mapa",
    layout="mapa/base.html",
    accounts="mapa_contas",
    accessibility="mapa_acessibilidade",
    home="mapa.minha_area",
    search="mapa.minha_area",
    search_field="protocolo",
    name_setting="MAPA_SITE_NAME",
    url_setting="MAPA_SITE_URL",
)
SITES = (SUPPORT, MAPA)


def site_for_path(path: str) -> Site:
    """The site a URL path belongs to."""
    if path == MAPA.prefix or path.startswith(MAPA.prefix + "/"):
        return MAPA
    return SUPPORT


def current_site() -> Site:
    """The site of the current request (the support site outside a request, e.g. e-mails)."""
    return site_for_path(request.path) if has_request_context() else SUPPORT


class SiteSessionInterface(SecureCookieSessionInterface):
    """Keep one session cookie per site, so logging in on one does not log in on the other."""

    def get_cookie_name(self, app) -> str:
        return current_site().cookie

    def get_cookie_path(self, app) -> str:
        return current_site().prefix or "/"
