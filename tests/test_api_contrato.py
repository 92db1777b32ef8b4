"""The API against its own specification (schemathesis): whatever a client sends, within the
document or not, the portal answers without a server error and within the document.

A portal with a few tickets (a draft, one waiting for triage with an attachment) is checked
with three real tokens: a requester's read-only one, the same requester's write one, and the
gestor's, who sees every queue. The examples are derived deterministically and bounded, so the
run takes the same time and finds the same things every time.
"""

from __future__ import annotations

import atexit
import io
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from apoio_api import Api, token_for
from apoio_atendimento import ANA
from apoio_chamados import FROZEN, MARIA, png_bytes
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from demo import create_app
from demo.extensions import db
from demo.services import demo_data

# Schemathesis's WSGI transport reads a streamed download (an attachment) without closing it;
# the portal's own tests close theirs (test_api.py).
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: Examples per operation and token: a few hundred calls in all.
EXAMPLES = 12


def _portal():
    """The portal under test, built when the module is collected: schemathesis needs its
    specification to generate the tests (its lazy, fixture-based loader does not work with
    this pytest)."""
    folder = Path(tempfile.mkdtemp(prefix="portal-contrato-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "chave-de-teste",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.db'}",
            "MAIL_OUTBOX": str(folder / "caixa-de-saida"),
            "MAIL_SERVER": "",
            "UPLOAD_FOLDER": str(folder / "anexos"),
            "FROZEN_TIME": FROZEN,
            "API_CALLS_PER_MINUTE": 0,
        },
        instance_path=str(folder / "instance"),
    )
    with app.app_context():
        upgrade()
        demo_data.load()
    return app


PORTAL = _portal()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", PORTAL)


@pytest.fixture(scope="module")
def tokens():
    """A draft and a ticket waiting for triage (with an attachment), and the three tokens."""
    maria = Api(PORTAL.test_client(), token_for(PORTAL, MARIA))
    sent = maria.post(
        "/chamados",
        json={"categoria": "consulta-tecnica", "assunto": "Erro", "descricao": "Detalhes."},
    ).json["numero"]
    maria.post(
        f"/chamados/{sent}/anexos",
        data={"arquivo": (io.BytesIO(png_bytes()), "tela.png")},
        content_type="multipart/form-data",
    )
    maria.post(f"/chamados/{sent}/aprovar")
    maria.post("/chamados", json={"assunto": "Rascunho"})
    yield {
        "leitura": token_for(PORTAL, MARIA, "leitura"),
        "escrita": token_for(PORTAL, MARIA, "escrita"),
        "gestor": token_for(PORTAL, ANA, "escrita"),
    }
    with PORTAL.app_context():
        db.session.remove()
        db.engine.dispose()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_specification(case, tokens):
    for token in tokens.values():
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
