"""flask-smorest, fitted to the portal: its errors, its Portuguese names, one status for input."""

from __future__ import annotations

import http

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask_smorest import Api
from webargs.flaskparser import FlaskParser

from ..errors import API_TITLES, MESSAGES, PROBLEM_TYPE


class Parser(FlaskParser):
    # A request the schemas refuse is an Invalid refusal, 400, as everywhere in the portal.
    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(flask_smorest.Blueprint):
    """A resource of the API: its operations are tagged with its Portuguese name."""

    ARGUMENTS_PARSER = Parser()

    def __init__(self, name: str, import_name: str, *, tag: str, **kwargs):
        super().__init__(name, import_name, **kwargs)
        self.tag = tag

    def route(self, rule, *, parameters=None, tags=None, **options):
        return super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)


def response_name(status: int) -> str:
    """The component that documents a problem response of this status."""
    return http.HTTPStatus(status).name


def _schema_name(schema) -> str | None:
    # Each document has a Portuguese name in the specification (`spec_name`, not inherited).
    name = resolve_schema_cls(schema).__dict__.get("spec_name")
    return name or resolver(schema)


#: The path parameter of every operation on one ticket.
NUMBER = {
    "in": "path",
    "name": "numero",
    "required": True,
    "description": "o Nº do Processo, como 2026-000042",
    "schema": {"type": "string", "pattern": "^[0-9]{4}-?[0-9]{1,9}$"},
    "example": "2026-000001",
}


class PortalApi(Api):
    """The API's specification; demo/errors.py answers its errors, as every other one."""

    DEFAULT_ERROR_RESPONSE_NAME = "Problema"

    def __init__(self, app, spec_kwargs: dict):
        plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
        super().__init__(app, spec_kwargs={"marshmallow_plugin": plugin, **spec_kwargs})

    def _register_error_handlers(self):
        pass

    def _register_etag_headers(self):
        pass  # no ETags: a stale write is refused by the ticket's `versao`

    def _register_pagination_header(self):
        pass  # the list's page is in its document (PaginaDeChamados)

    def _register_responses(self):
        from . import schemas

        self.spec.components.schema("Problema", schema=schemas.Problem)
        content = {PROBLEM_TYPE: {"schema": "Problema"}}
        self.spec.components.response(
            "Problema", {"description": "Um problema (RFC 9457)", "content": content}
        )
        for status, (title, _message) in MESSAGES.items():
            title = API_TITLES.get(status, title)
            self.spec.components.response(
                response_name(status), {"description": title, "content": content}, lazy=True
            )

    def register_blueprint(self, blp: Blueprint, **options):
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp.name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=blp.name, parameters=None)
        self.spec.tag({"name": blp.tag, "description": blp.description})
