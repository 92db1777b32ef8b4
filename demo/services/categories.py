"""Ticket categories and their deadlines, read from conf/categorias.toml (their one home)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..config import read_toml
from . import deadline_words


@dataclass(frozen=True)
class Category:
    """A categoria: its name, description and deadline in calendar hours."""

    code: str
    name: str
    hours: int
    counted_from: str  # “após o cadastramento da demanda”
    description: str
    #: The clock stops while the ticket waits on the requester (conf: pausa_aguardando_solicitante).
    pauses: bool = False

    @property
    def deadline_text(self) -> str:
        """“solução em até 02 (duas) horas corridas após …”, written from the hours alone."""
        return deadline_words.deadline_phrase(self.hours, self.counted_from)


def load(path: str = "categorias.toml") -> list[Category]:
    """Parse the categories file (also used by the manual)."""
    return [
        Category(
            code=item["codigo"],
            name=item["nome"],
            hours=int(item["horas"]),
            counted_from=item.get("inicio", ""),
            description=" ".join(item["descricao"].split()),
            pauses=bool(item.get("pausa_aguardando_solicitante", False)),
        )
        for item in read_toml(path)["categorias"]
    ]


def all_categories() -> list[Category]:
    """The categories of the running app."""
    return current_app.extensions["portal.categories"]


def get(code: str | None) -> Category | None:
    """The category with this code, or None."""
    return next((c for c in all_categories() if c.code == code), None)
