"""The support portal: create_app() builds the Flask application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Application factory (layers: conf/*.toml, instance/portal.toml, PORTAL_*, test_config).

    `instance_path` gives a portal its own instance folder (the manual's captures use one, so
    that the address a `make run` wrote never reaches a figure).
    """
    folder = instance_path or config.instance_path()
    app = Flask(__name__, instance_path=folder, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config.load(app, test_config)

    from . import assets, auth, cli, database, errors, manual_help, security, sites, templating
    from .extensions import csrf, db, limiter, login_manager, migrate

    app.session_interface = sites.SiteSessionInterface()
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    auth.init_app(app)
    templating.init_app(app)
    manual_help.init_app(app)
    errors.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    cli.init_app(app)

    from .services import categories, teams, ticket_search

    ticket_search.init()
    app.extensions["portal.categories"] = categories.load()
    app.extensions["portal.teams"] = teams.load()
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        # Only the proxies the operator declared are believed: a client's own X-Forwarded-For
        # beyond them is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    from .acessibilidade.routes import bp as acessibilidade_bp
    from .atendimento.routes import bp as atendimento_bp
    from .caixa.routes import bp as caixa_bp
    from .chamados.routes import bp as chamados_bp
    from .contas.routes import bp as contas_bp
    from .manual.routes import bp as manual_bp
    from .mapa.routes import bp as mapa_bp
    from .minha_area.routes import bp as minha_area_bp
    from .processos.routes import bp as processos_bp
    from .suporte.routes import bp as suporte_bp
    from .turmas.routes import bp as turmas_bp

    app.register_blueprint(suporte_bp)
    app.register_blueprint(processos_bp, url_prefix="/processos")
    app.register_blueprint(chamados_bp, url_prefix="/chamados")
    app.register_blueprint(minha_area_bp, url_prefix="/minha-area")
    app.register_blueprint(atendimento_bp, url_prefix="/atendimento")
    app.register_blueprint(contas_bp)
    app.register_blueprint(contas_bp, url_prefix=sites.MAPA.prefix, name=sites.MAPA.accounts)
    app.register_blueprint(mapa_bp, url_prefix=sites.MAPA.prefix)
    app.register_blueprint(acessibilidade_bp)
    app.register_blueprint(
        acessibilidade_bp, url_prefix=sites.MAPA.prefix, name=sites.MAPA.accessibility
    )
    app.register_blueprint(caixa_bp, url_prefix="/caixa-de-saida")
    app.register_blueprint(manual_bp, url_prefix="/manual")
    app.register_blueprint(turmas_bp, url_prefix="/turmas")

    from .praticar import routes as praticar

    praticar.init_app(app)

    from . import api

    api.init_app(app)
    return app
