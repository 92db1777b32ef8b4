"""Helpers of the API tests: tokens of the demo users, and calls with them."""

from __future__ import annotations

from apoio_chamados import user

from demo.extensions import db
from demo.services import api_tokens


def token_for(app, email: str, scope: str = "escrita", days: int | None = None) -> str:
    """A personal access token of a demo user, created by the service (as Minha Área does)."""
    with app.app_context():
        created = api_tokens.create(user(email), "testes", scope, days)
        secret = created.secret
        db.session.remove()
    return secret


class Api:
    """The API through Flask's test client, as one token's owner."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def headers(self, extra=None) -> dict:
        found = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**found, **(extra or {})}

    def call(self, method: str, path: str, **kwargs):
        headers = self.headers(kwargs.pop("headers", None))
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.call("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)
