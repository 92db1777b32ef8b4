"""Ticket categories and their deadlines, read from conf/categorias.toml (their one home)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..config import read_toml


@dataclass(frozen=True)
class Category:
    """A categoria: its name, description and deadline in calendar hours."""

    code: str
    name: str
    hours: int
    deadline_text: str
    description: str


def load(path: str = "categorias.toml") -> list[Category]:
    """Parse the categories file (also used by the manual)."""
    return [
        Category(
            code=item["codigo"],
            name=item["nome"],
            hours=int(item["horas"]),
            deadline_text=item["prazo"],
            description=" ".join(item["descricao"].split()),
        )
        for item in read_toml(path)["categorias"]
    ]


def all_categories() -> list[Category]:
    """The categories of the running app."""
    return current_app.extensions["portal.categories"]


def get(code: str | None) -> Category | None:
    """The category with this code, or None."""
    return next((c for c in all_categories() if c.code == code), None)
