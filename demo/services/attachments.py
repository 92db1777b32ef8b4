"""Anexos: checked by content, stored under generated names outside the web root.

A file is first written to a temporary name next to its final place and moved into
place only after the database commit, so a failed transaction never leaves a file
that no row describes (and a row never points to a missing file).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import filetype
from flask import current_app

from ..database import writing
from ..models import Attachment, User
from . import clock
from .errors import Invalid, TooLarge

#: Accepted extensions and the types their content may have (None: plain text, no signature).
ACCEPTED: dict[str, tuple[str | None, ...]] = {
    "png": ("image/png",),
    "jpg": ("image/jpeg",),
    "jpeg": ("image/jpeg",),
    "gif": ("image/gif",),
    "webp": ("image/webp",),
    "bmp": ("image/bmp",),
    "pdf": ("application/pdf",),
    "doc": ("application/msword", "application/x-ole-storage"),
    "xls": ("application/vnd.ms-excel", "application/x-ole-storage"),
    "ppt": ("application/vnd.ms-powerpoint", "application/x-ole-storage"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/zip",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", "application/zip"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "application/zip"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "application/zip"),
    "zip": ("application/zip",),
    "txt": (None,),
    "csv": (None,),
    "log": (None,),
}
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv", "log": "text/plain"}
_CHUNK = 64 * 1024


@dataclass
class StagedFile:
    """A checked upload waiting in a temporary file for the commit."""

    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str
    temp_path: Path

    def promote(self) -> None:
        """Move the file into place (call after the commit)."""
        os.replace(self.temp_path, storage_dir() / self.stored_name)

    def discard(self) -> None:
        """Drop the temporary file (call after a rollback)."""
        self.temp_path.unlink(missing_ok=True)


def storage_dir() -> Path:
    """The folder of stored attachments (created on demand)."""
    folder = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "anexos"
    path = Path(folder)
    (path / ".tmp").mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(current_app.config["ATTACHMENT_MAX_MB"]) * 1024 * 1024


def max_count() -> int:
    return int(current_app.config["ATTACHMENT_MAX_COUNT"])


def clean_name(raw: str | None) -> str:
    """Keep a displayable base name: no folders, no control characters, at most 255 characters."""
    name = (raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    name = unicodedata.normalize("NFC", name)
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 250 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:255]
    return name or "arquivo"


def stage(stream: BinaryIO, raw_name: str | None) -> StagedFile:
    """Copy an upload to a temporary file, checking size, emptiness and type by content."""
    name = clean_name(raw_name)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in ACCEPTED:
        accepted = ", ".join(sorted(ACCEPTED))
        raise Invalid(f"“{name}”: tipo de arquivo não aceito. Tipos aceitos: {accepted}.", "anexos")
    limit = max_bytes()
    stored_name = secrets.token_hex(16)
    temp_path = storage_dir() / ".tmp" / stored_name
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with open(temp_path, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        f"“{name}” ultrapassa o tamanho máximo de "
                        f"{current_app.config['ATTACHMENT_MAX_MB']} MB por arquivo.",
                        "anexos",
                    )
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Invalid(f"“{name}” está vazio (0 bytes).", "anexos")
        content_type = _check_content(name, extension, head)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    return StagedFile(name, stored_name, content_type, size, digest.hexdigest(), temp_path)


def _check_content(name: str, extension: str, head: bytes) -> str:
    kind = filetype.guess(head)
    allowed = ACCEPTED[extension]
    if kind is None:
        if None in allowed and _looks_like_text(head):
            return TEXT_TYPES[extension]
    elif kind.mime in allowed:
        return kind.mime
    raise Invalid(
        f"“{name}”: o conteúdo do arquivo não corresponde ao tipo .{extension}. "
        "Envie o arquivo original, sem renomear a extensão.",
        "anexos",
    )


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def purge_staged(max_age: timedelta) -> int:
    """Delete temporary uploads older than `max_age` (left by a crash mid-request)."""
    limit = time.time() - max_age.total_seconds()
    removed = 0
    for path in (storage_dir() / ".tmp").iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # its request finished meanwhile
    return removed


def path_of(stored_name: str) -> Path:
    """Where a stored attachment lives."""
    return storage_dir() / stored_name


def delete_file(stored_name: str) -> None:
    """Remove a stored file (after the row's deletion was committed)."""
    path_of(stored_name).unlink(missing_ok=True)


@contextmanager
def placed_after_commit(staged: list[StagedFile]) -> Iterator[None]:
    """Run the block as one write transaction; then move the staged files into place.

    If the transaction fails the staged files are dropped, so a file never outlives the row
    that would have described it.
    """
    try:
        with writing():
            yield
    except BaseException:
        for item in staged:
            item.discard()
        raise
    for item in staged:
        item.promote()


def row(item: StagedFile, user: User, step: str, step_record=None, note=None) -> Attachment:
    """The Attachment row that describes a staged file, under the message it came with."""
    return Attachment(
        stored_name=item.stored_name,
        original_name=item.original_name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        uploaded_by=user,
        uploaded_at=clock.now(),
        step=step,
        step_record=step_record,
        note=note,
    )


#: Types shown inline (preview), never as a page: images and PDF, each checked by its content
#: at upload (`stage`), so the stored type is what the bytes are.
PREVIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


def previewable(item: Attachment) -> bool:
    """Whether the file may be shown in the browser rather than only downloaded."""
    return item.content_type in PREVIEWABLE


def preview_type(item: Attachment) -> str:
    """The type to show a file inline with: its content, read again, must still be an image or
    a PDF of the type stored at upload. Anything else is only ever downloaded."""
    refusal = Invalid(
        f"“{item.original_name}” não pode ser visualizado no navegador: só imagens (PNG, JPEG, "
        "GIF, WebP) e PDF são mostrados. Baixe o arquivo para abri-lo.",
        "anexo",
    )
    if item.content_type not in PREVIEWABLE:
        raise refusal
    with open(path_of(item.stored_name), "rb") as fh:
        kind = filetype.guess(fh.read(8192))
    if kind is None or kind.mime != item.content_type:
        raise refusal
    return item.content_type
