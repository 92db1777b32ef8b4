"""Helpers shared by the ticket tests: demo users, sample files, the form through HTTP."""

from __future__ import annotations

import html
import io
import re
import struct
import zlib

from sqlalchemy import select

from demo.extensions import db
from demo.models import User

MARIA = "maria.souza@agro.gov.br"  # solicitante, MAPA
CARLOS = "carlos.pereira@gestao.gov.br"  # solicitante, MGI
JOAO = "joao.lima@suporte.gov.br"  # atendente
REQUESTER_PASSWORD = "solicitante-demo"
AGENT_PASSWORD = "atendente-demo"
#: A Sunday noon in UTC: 09:00 in Brasília.
FROZEN = "2026-11-29T12:00:00Z"
OPEN_URL = "/processos/abrir/abertura_chamado"


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A small PDF (the type is recognised by its %PDF signature)."""
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def upload(content: bytes, name: str) -> tuple[io.BytesIO, str]:
    """A file for the test client's multipart form."""
    return io.BytesIO(content), name


def user(email: str) -> User:
    """A user of the app in context."""
    return db.session.scalar(select(User).where(User.email == email))


def open_form(browser) -> str:
    """Processos › Abrir › Abertura de Chamado; return the reserved número."""
    response = browser.post_form(OPEN_URL, {}, form_path="/processos/abrir")
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/chamados/([^/]+)/formulario", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def csrf_from(response) -> str:
    """The CSRF token of a rendered form."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)
    assert found, "página sem token CSRF"
    return found.group(1)


def send_form(browser, number: str, button: str = "salvar", files=(), **fields):
    """Post the ticket form as a browser does (CSRF token, multipart, the pressed button)."""
    data = {"categoria": "", "assunto": "", "descricao": "", **fields, button: "1"}
    if files:
        data["anexos"] = list(files)
    path = f"/chamados/{number}/formulario"
    response = browser.post_form(path, data, content_type="multipart/form-data")
    # Werkzeug's client closes the request body's temporary file only when following
    # redirects; a body the portal refused unread (413) would be left open.
    response.request.input_stream.close()
    return response


def errors(response) -> list[str]:
    """The error messages a page shows (summary and fields)."""
    found = re.findall(
        r'class="(?:message-body d-block|feedback danger[^"]*)"[^>]*>(?:<i[^>]*></i>)?([^<]+)<',
        response.text,
    )
    return [html.unescape(text).strip() for text in found]


def field_value(response, name: str) -> str | None:
    """The value an input or textarea of the page holds."""
    page = response.text
    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    if textarea:
        return html.unescape(textarea.group(1)).removeprefix("\n").removeprefix("\r\n")
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def checked_category(response) -> str | None:
    found = re.search(r'name="categoria" value="([^"]+)"\s*checked', response.text)
    return found.group(1) if found else None
