"""Who may see what: login required everywhere but a few pages, and the first-access gate."""

from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_login import current_user

from . import api
from .extensions import login_manager
from .services import accounts
from .sites import MAPA, SUPPORT, current_site

#: Endpoints (after the blueprint name) that anyone may open.
PUBLIC_VIEWS = {"entrar", "static", "vendor"}
PUBLIC_BLUEPRINTS = {"manual", SUPPORT.accessibility, MAPA.accessibility}
#: The API checks its own tokens (demo/api): a login session opens nothing there.
SELF_AUTHENTICATED = set(api.BLUEPRINTS)
#: What a user who must change the password may still do (keeping the session open included).
FIRST_ACCESS_VIEWS = {"trocar_senha", "sair", "renovar_sessao"}


def init_app(app: Flask) -> None:
    """Configure Flask-Login and install the gate."""
    login_manager.login_view = f"{SUPPORT.accounts}.entrar"
    login_manager.blueprint_login_views = {
        "mapa": f"{MAPA.accounts}.entrar",
        MAPA.accounts: f"{MAPA.accounts}.entrar",
    }
    login_manager.login_message = "Entre com seu usuário e senha para continuar."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(lambda token: accounts.load_session(token, current_site().key))
    app.before_request(_gate)


def _gate():
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404 or 405: let the error handlers answer
    blueprint, _, view = endpoint.rpartition(".")
    if view in PUBLIC_VIEWS or blueprint in PUBLIC_BLUEPRINTS | SELF_AUTHENTICATED:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.must_change_password and view not in FIRST_ACCESS_VIEWS:
        return redirect(url_for(f"{current_site().accounts}.trocar_senha"))
    return None
